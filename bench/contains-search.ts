/**
 * Standalone measurement for issue 8 part 2 (contains and search on an index), in one process:
 * Cairn's core list operation (`listRecords`: filter check, plan choice, SQL, row mapping, rules)
 * against the floor's hand-written statement on the same rows, in interleaved rounds, as µs per
 * operation and their ratio (floor µs ÷ Cairn µs: above 1 means Cairn is faster). No HTTP on
 * either side: `npm run bench` measures the same workloads over HTTP.
 *
 *   npx tsx bench/contains-search.ts                         # SQLite, 10,000 and 100,000 posts
 *   BENCH_DB=postgres npx tsx bench/contains-search.ts       # PostgreSQL (TEST_PG_URL or local)
 *   BENCH_SIZES=10000 BENCH_ROUNDS=3 BENCH_MS=1500 npx tsx bench/contains-search.ts
 *
 * Floors: SQLite — better-sqlite3, `SELECT … WHERE account_id=? AND title LIKE ? ORDER BY id
 * LIMIT 30` on a table with an (account_id, id) index (early stop for a common word, a full scan
 * for a rare one); search — FTS5 MATCH ordered by rank, LIMIT 30. PostgreSQL — pg, the same
 * statements with ILIKE / tsvector @@ on a copy of the table without trigram index.
 * Create: Cairn's createRecord into two collections that differ only in the title's trigram index.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createCollection } from "../src/core/collections/create.ts";
import { analyzeAfterBulkLoad } from "../src/core/collections/statistics.ts";
import { systemContext } from "../src/core/context.ts";
import { listRecords } from "../src/core/records/read.ts";
import { createRecord } from "../src/core/records/write.ts";
import { parseExpression } from "../src/query/parse-expression.ts";
import { collectionBody, createBody, generatePosts } from "./data.ts";
import { createPgDatabase } from "./pg.ts";

const DIALECT = (process.env.BENCH_DB ?? "sqlite") as "sqlite" | "postgres";
const SIZES = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MS = Number(process.env.BENCH_MS ?? 1500);
const RARE = "zyzzyva";
const COLS = `"id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status"`;

type Op = () => unknown;

/** µs per call of `fn`, run for about `ms` (awaited one at a time). */
async function timeOp(fn: Op, ms = MS): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return ((performance.now() - start) * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "cairn-contains-"));
  const pgDb = DIALECT === "postgres" ? await createPgDatabase(process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres") : undefined;
  const config = loadConfig(
    { CAIRN_ADMIN_EMAIL: "bench@example.com", CAIRN_ADMIN_PASSWORD: "Bench-pass-123", LOG_LEVEL: "warn", CAIRN_RATE_LIMIT: "false" },
    { port: 0, host: "127.0.0.1", databaseUrl: pgDb?.url ?? `file:${join(dir, "cairn.db")}`, dataDir: dir },
  );
  const app = await createApp(config);
  const ctx = systemContext(app.services);
  const db = app.services.db;
  const lines: string[] = [];
  let openedFloor: Floor | undefined;
  try {
    await createCollection(ctx, collectionBody);
    // two empty collections for the write cost, alike but for the title's trigram index
    await createCollection(ctx, { name: "with_trigram", schema: collectionBody.schema });
    await createCollection(ctx, { name: "without_trigram", schema: collectionBody.schema.map((f) => (f.name === "title" ? { ...f, trigram: false } : f)) });
    let loaded = 0;
    for (const size of SIZES) {
      const posts = generatePosts(size).slice(loaded);
      // a rare word in 5 records of any size
      const rareAt = new Set(Array.from({ length: 5 }, (_, i) => Math.floor(((i + 0.5) * size) / 5)));
      const rows = posts.map((p, i) => {
        const k = loaded + i;
        const ts = new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString();
        const id = `p${String(k).padStart(7, "0")}-${((k * 2654435761) >>> 0).toString(16)}`;
        return { id, account_id: "default", owner_id: null, created: ts, updated: ts, version: 1, ...p, title: rareAt.has(k) ? `${p.title} ${RARE}` : p.title };
      });
      const t0 = performance.now();
      for (let i = 0; i < rows.length; i += 500) await db.transaction((tx) => tx.execute(db.qb.insertInto("posts").values(rows.slice(i, i + 500))));
      await analyzeAfterBulkLoad(db, "posts", Math.max(rows.length, 1000));
      const floor = (openedFloor = await openFloor(dir, db.dialect === "postgres" ? pgDb!.url : undefined, rows, loaded === 0));
      loaded = size;
      lines.push(`\n## ${size.toLocaleString("en")} posts on ${DIALECT} (loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

      const list =
        (filter: string | undefined, search?: string, sort = "id") =>
        () =>
          listRecords(ctx, "posts", { ...(filter ? { filter: parseExpression(filter) } : {}), ...(search ? { search } : {}), sort: search ? "" : sort, pageSize: 30, skipTotal: true });
      const listTotal = (filter: string) => () => listRecords(ctx, "posts", { filter: parseExpression(filter), sort: "id", pageSize: 30 });
      const workloads: [string, Op, Op][] = [
        ['title~"lorem" sort id, 30', list('title~"lorem"'), floor.like("%lorem%")],
        ['title~"lorem" + total (cached)', listTotal('title~"lorem"'), floor.like("%lorem%")],
        [`title~"${RARE}" (rare) sort id`, list(`title~"${RARE}"`), floor.like(`%${RARE}%`)],
        [`title~"${RARE}" + total (cached)`, listTotal(`title~"${RARE}"`), floor.like(`%${RARE}%`)],
        ["search=lorem (relevance)", list(undefined, "lorem"), floor.search("lorem")],
        [`search=${RARE} (relevance)`, list(undefined, RARE), floor.search(RARE)],
      ];
      if (process.env.BENCH_DEBUG) await debugPlans(db, ctx, list);
      const results = new Map<string, { cairn: number[]; floor: number[] }>();
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, cairn, flo] of workloads) {
          const e = results.get(name) ?? { cairn: [], floor: [] };
          e.cairn.push(await timeOp(cairn));
          e.floor.push(await timeOp(flo));
          results.set(name, e);
        }
      }
      lines.push("| workload | Cairn µs/op | floor µs/op | floor ÷ Cairn (median of rounds) |", "|---|---|---|---|");
      for (const [name, e] of results) {
        const ratios = e.cairn.map((c, i) => e.floor[i]! / c);
        lines.push(`| ${name} | ${median(e.cairn).toFixed(0)} | ${median(e.floor).toFixed(0)} | **${median(ratios).toFixed(2)}** (${ratios.map((x) => x.toFixed(2)).join(", ")}) |`);
      }
      await floor.close();
      openedFloor = undefined;
    }
    // write cost of the trigram index: interleaved creates with and without it
    const withTri: number[] = [];
    const without: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      withTri.push(await timeOp(() => createRecord(ctx, "with_trigram", createBody.data), 1000));
      without.push(await timeOp(() => createRecord(ctx, "without_trigram", createBody.data), 1000));
    }
    lines.push(
      `\n## create (${DIALECT}): ${median(withTri).toFixed(0)} µs with the title's trigram index, ${median(without).toFixed(0)} µs without` +
        ` (cost ${((median(withTri) / median(without) - 1) * 100).toFixed(0)} %; rounds ${withTri.map((w, i) => (w / without[i]!).toFixed(2)).join(", ")})`,
    );
    console.log(lines.join("\n"));
  } finally {
    await openedFloor?.close().catch(() => {});
    await app.close();
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** BENCH_DEBUG=1: the statements and plans of the contains lists, and the SQL time alone. */
async function debugPlans(db: any, ctx: any, list: any) {
  const { recordStatements } = await import("../test/helpers/statements.ts");
  for (const f of ['title~"lorem"', `title~"${RARE}"`]) {
    const rec = recordStatements(db);
    await list(f)();
    rec.restore();
    for (const s of rec.statements) {
      const explain = db.dialect === "postgres" ? "EXPLAIN" : "EXPLAIN QUERY PLAN";
      const plan = (await db.query({ sql: `${explain} ${s.sql}`, parameters: s.parameters })).map((r: any) => r.detail ?? r["QUERY PLAN"]).join(" | ");
      const us = await timeOp(() => db.query(s), 500);
      console.log(f, us.toFixed(0), "µs", s.sql.slice(0, 300), "\n   ", plan);
    }
  }
  void ctx;
}

interface Floor {
  like(pattern: string): Op;
  search(word: string): Op;
  close(): Promise<void>;
}

/** The floor's table and statements: better-sqlite3 on its own file, or pg on a plain copy of the table. */
async function openFloor(dir: string, pgUrl: string | undefined, rows: Record<string, unknown>[], fresh: boolean): Promise<Floor> {
  if (!pgUrl) {
    const f = new Database(join(dir, "floor.db"));
    f.pragma("journal_mode = WAL");
    if (fresh) {
      f.exec(`CREATE TABLE posts ("id" TEXT PRIMARY KEY NOT NULL, "account_id" TEXT NOT NULL, "owner_id" TEXT, "created" TEXT NOT NULL, "updated" TEXT NOT NULL, "version" INTEGER NOT NULL DEFAULT 1,
        "title" TEXT, "body" TEXT, "views" REAL, "published" INTEGER, "status" TEXT);
        CREATE INDEX posts_id ON posts ("account_id", "id");
        CREATE VIRTUAL TABLE fts USING fts5("title", "body", content='posts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER fts_ai AFTER INSERT ON posts BEGIN INSERT INTO fts(rowid, "title", "body") VALUES (new.rowid, new."title", new."body"); END;`);
    }
    const ins = f.prepare(`INSERT INTO posts (${COLS}, "account_id") VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 'default')`);
    f.transaction(() => {
      for (const r of rows) ins.run(r.id, null, r.created, r.updated, r.title, r.body, r.views, r.published ? 1 : 0, r.status);
    })();
    f.exec("ANALYZE");
    const like = f.prepare(`SELECT ${COLS} FROM posts WHERE account_id = ? AND title LIKE ? ORDER BY id LIMIT 30`);
    const search = f.prepare(`SELECT ${COLS} FROM posts JOIN (SELECT rowid AS r, rank FROM fts WHERE fts MATCH ?) s ON s.r = posts.rowid WHERE account_id = ? ORDER BY s.rank LIMIT 30`);
    return {
      like: (p) => () => like.all("default", p),
      search: (w) => () => search.all(`"${w}"*`, "default"),
      close: async () => void f.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
  // an idle connection ended by the server (the database dropped after a failed run) must not crash the process
  pool.on("error", () => {});
  if (fresh) {
    await pool.query(`CREATE TABLE floor_posts (LIKE posts INCLUDING DEFAULTS INCLUDING GENERATED); CREATE INDEX floor_id ON floor_posts (account_id, id);
      CREATE INDEX floor_search ON floor_posts USING GIN (_search)`);
  }
  await pool.query(`INSERT INTO floor_posts (${COLS}, account_id) SELECT ${COLS}, account_id FROM posts WHERE id NOT IN (SELECT id FROM floor_posts)`);
  await pool.query("VACUUM ANALYZE floor_posts");
  return {
    like: (p) => () => pool.query(`SELECT ${COLS} FROM floor_posts WHERE account_id = $1 AND title ILIKE $2 ORDER BY id LIMIT 30`, ["default", p]),
    search: (w) => () =>
      pool.query(`SELECT ${COLS} FROM floor_posts WHERE account_id = $1 AND _search @@ to_tsquery('simple', $2) ORDER BY ts_rank(_search, to_tsquery('simple', $2)) DESC LIMIT 30`, [
        "default",
        `${w}:*`,
      ]),
    close: () => pool.end(),
  };
}

await main();
