/**
 * The floor: the least a server can do for the benchmark's three requests — Fastify (no
 * logger, no schemas) over better-sqlite3 with hand-written prepared statements. Same table
 * layout as a Cairn collection table (system columns, one column per field, the
 * (account_id, created, id) index, FTS5 external-content table with its sync triggers), WAL,
 * synchronous=NORMAL, and the same JSON shapes as Cairn's FastCMS routes. No auth, no
 * validation beyond types, no outbox: whatever Cairn spends above this is its overhead.
 *
 * Run as a child process by bench/run.ts:
 *   FLOOR_PORT=… FLOOR_DB=/tmp/x.db FLOOR_SEED=seed.json node --import tsx bench/floor.ts
 * FLOOR_SEED holds `{ account_id, records: [{ id, created, title, body, views, published, status }] }`.
 */
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import Fastify from "fastify";
import { v7 as uuidv7 } from "uuid";
import { COLLECTION, LIST_MIN_VIEWS, STATUSES, type PostData } from "./data.ts";

interface SeedFile {
  account_id: string;
  records: (PostData & { id: string; created: string })[];
}

const port = Number(process.env.FLOOR_PORT);
const file = process.env.FLOOR_DB;
if (!port || !file) throw new Error("FLOOR_PORT and FLOOR_DB are required");
const seed = process.env.FLOOR_SEED ? (JSON.parse(readFileSync(process.env.FLOOR_SEED, "utf8")) as SeedFile) : undefined;
const ACCOUNT = seed?.account_id ?? "default";

const db = new Database(file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
db.exec(`
CREATE TABLE IF NOT EXISTS "posts" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "account_id" TEXT NOT NULL,
  "owner_id" TEXT,
  "created" TEXT NOT NULL,
  "updated" TEXT NOT NULL,
  "version" INTEGER NOT NULL DEFAULT 1,
  "title" TEXT,
  "body" TEXT,
  "views" REAL,
  "published" INTEGER,
  "status" TEXT
);
CREATE INDEX IF NOT EXISTS "posts__created" ON "posts" ("account_id", "created", "id");
CREATE VIRTUAL TABLE IF NOT EXISTS "_fts_posts" USING fts5("title", "body", content='posts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS "posts__fts_ai" AFTER INSERT ON "posts" BEGIN INSERT INTO "_fts_posts"(rowid, "title", "body") VALUES (new.rowid, new."title", new."body"); END;
`);

const COLS = `"id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status"`;
const insert = db.prepare(
  `INSERT INTO "posts" ("id", "account_id", "owner_id", "created", "updated", "version", "title", "body", "views", "published", "status") VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
);
const byId = db.prepare(`SELECT ${COLS} FROM "posts" WHERE "account_id" = ? AND "id" = ?`);
const list = db.prepare(`SELECT ${COLS} FROM "posts" WHERE "account_id" = ? AND "published" = ? AND "views" > ? ORDER BY "views" DESC NULLS LAST, "id" DESC NULLS LAST LIMIT ? OFFSET ?`);
const count = db.prepare(`SELECT count(*) AS "n" FROM "posts" WHERE "account_id" = ? AND "published" = ? AND "views" > ?`);

if (seed) {
  db.transaction(() => {
    for (const r of seed.records) insert.run(r.id, ACCOUNT, null, r.created, r.created, r.title, r.body, r.views, r.published ? 1 : 0, r.status);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
}

interface Row {
  id: string;
  owner_id: string | null;
  created: string;
  updated: string;
  version: number;
  title: string | null;
  body: string | null;
  views: number | null;
  published: number | null;
  status: string | null;
}

const render = (r: Row) => ({
  id: r.id,
  data: { title: r.title, body: r.body, views: r.views, published: r.published === null ? null : r.published === 1, status: r.status },
  created: r.created,
  updated: r.updated,
  version: r.version,
  owner_id: r.owner_id,
  expand: null,
});

const app = Fastify({ logger: false });
const PREFIX = `/api/v1/collections/${COLLECTION}/records`;

app.get("/health", async () => ({ status: "healthy", service: "floor" }));

app.get<{ Params: { id: string } }>(`${PREFIX}/:id`, async (req, reply) => {
  const row = byId.get(ACCOUNT, req.params.id) as Row | undefined;
  if (!row) return reply.status(404).send({ code: "NOT_FOUND", message: "Record not found" });
  return render(row);
});

// Hand-written for the benchmark's one list query (`filter=published=true && views>100&sort=-views`):
// the filter and sort parameters are not parsed, the statement is fixed.
app.get<{ Querystring: { page?: string; per_page?: string } }>(PREFIX, async (req) => {
  const perPage = Math.min(100, Math.max(1, Number(req.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(req.query.page ?? 1) || 1);
  const published = 1;
  const minViews = LIST_MIN_VIEWS;
  const rows = list.all(ACCOUNT, published, minViews, perPage + 1, (page - 1) * perPage) as Row[];
  const total = (count.get(ACCOUNT, published, minViews) as { n: number }).n;
  const hasMore = rows.length > perPage;
  return {
    items: (hasMore ? rows.slice(0, perPage) : rows).map(render),
    total,
    page,
    per_page: perPage,
    total_pages: Math.ceil(total / perPage),
    next_cursor: null,
    has_more: hasMore,
  };
});

const createTx = db.transaction((id: string, ts: string, d: PostData) => {
  insert.run(id, ACCOUNT, null, ts, ts, d.title, d.body ?? null, d.views ?? null, d.published === undefined ? null : d.published ? 1 : 0, d.status ?? null);
});

app.post<{ Body: { data?: Partial<PostData> } }>(PREFIX, async (req, reply) => {
  const d = req.body?.data;
  if (
    !d ||
    typeof d.title !== "string" ||
    (d.body !== undefined && typeof d.body !== "string") ||
    (d.views !== undefined && typeof d.views !== "number") ||
    (d.published !== undefined && typeof d.published !== "boolean") ||
    (d.status !== undefined && !(STATUSES as readonly string[]).includes(d.status))
  )
    return reply.status(422).send({ code: "VALIDATION_FAILED", message: "Invalid data" });
  const id = uuidv7();
  const ts = new Date().toISOString();
  createTx(id, ts, d as PostData);
  return reply.status(201).send({
    id,
    data: { title: d.title, body: d.body ?? null, views: d.views ?? null, published: d.published ?? null, status: d.status ?? null },
    created: ts,
    updated: ts,
    version: 1,
    owner_id: null,
    expand: null,
  });
});

await app.listen({ port, host: "127.0.0.1" });
const stop = () => {
  app.close().then(() => {
    db.close();
    process.exit(0);
  });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
