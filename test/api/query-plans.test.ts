/**
 * Query plans of the list paths stop early: a page of 30 under the default sort, `sort=id`, a
 * sort on an indexed field, a reference lookup and a reverse connection (the first rows of each
 * parent: LATERAL on PostgreSQL, a correlated `rowid IN (… LIMIT)` on SQLite) each read through an index in the requested order — no scan of the
 * whole table, no sort of all its rows — on a single-tenant install (every row in one account)
 * and a multi-tenant one (most rows in other accounts).
 *
 * The statements are the ones the server runs for real REST and GraphQL requests, captured at
 * the database handle. Rows are bulk-inserted with SQL (thousands, fast), then planner
 * statistics are refreshed as in production: on SQLite by the statistics refresh the timer
 * runs (`optimizeIfChanged`), on PostgreSQL by `ANALYZE` (what autovacuum does after a bulk
 * load). On PostgreSQL the plans are read with `enable_seqscan = off` as well: a few thousand
 * rows fit in a handful of pages, where a sequential scan is honestly cheaper and would hide
 * whether an index can serve the statement; a missing index or one in the wrong order still
 * shows up as a Sort node or a scan of another index.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";
import { explain, recordStatements, type Stmt } from "../helpers/statements.ts";
import type { SqlDb } from "../../src/db/sql-db.ts";
import type { SqliteDb } from "../../src/db/sqlite.ts";
import { parseSearch, relevancePage } from "../../src/core/records/search.ts";

const ROWS = 3000;
const AUTHORS = 100;

describe.each([
  { install: "single-tenant", otherAccounts: 0 },
  { install: "multi-tenant", otherAccounts: 3 },
])("query plans, $install install", ({ otherAccounts }) => {
  let t: TestApp;
  let db: SqlDb;
  let authorId: string;

  beforeAll(async () => {
    t = await startApp();
    db = t.app.services.db;
    const mk = async (body: unknown) => expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body })).status).toBe(201);
    await mk({ name: "authors", schema: [{ name: "name", type: "text" }] });
    // `author` is indexed without asking (single references are indexed by default)
    await mk({
      name: "posts",
      schema: [
        { name: "title", type: "text", index: true },
        { name: "views", type: "number", index: true },
        { name: "author", type: "reference", relation: { collection: "authors" } },
        { name: "body", type: "text" },
      ],
    });
    for (const account of ["default", ...Array.from({ length: otherAccounts }, (_, i) => `acct${i}`)]) await fill(db, account);
    authorId = (
      await db.query<{ id: string }>({
        sql: db.dialect === "sqlite" ? "SELECT id FROM authors WHERE account_id = ? LIMIT 1" : "SELECT id FROM authors WHERE account_id = $1 LIMIT 1",
        parameters: ["default"],
      })
    )[0]!.id;
    if (db.dialect === "sqlite") expect(await (db as SqliteDb).optimizeIfChanged()).toBe(true);
    else await db.script("ANALYZE authors; ANALYZE posts");
  });
  afterAll(async () => t?.close());

  /** The plan of the ordered page statement a REST list request runs. */
  async function restPlan(qs: string): Promise<{ sql: string; plan: string }> {
    const seen = await capture(db, async () => {
      const res = await t.api("GET", `/api/v1/collections/posts/records?per_page=30&${qs}`, { token: t.adminToken });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
    });
    const stmt = seen.find((s) => /(from|join) "posts"/i.test(s.sql) && /order by/i.test(s.sql))!;
    return { sql: stmt.sql, plan: await explain(db, stmt) };
  }

  /** The page was read in order through `index`: no full scan, no sort of the rows. */
  function expectIndexOrder(plan: string, index: RegExp) {
    if (db.dialect === "sqlite") {
      expect(plan).not.toMatch(/TEMP B-TREE/);
      expect(plan).not.toMatch(/^SCAN posts(?! USING)/m);
      expect(plan).toMatch(new RegExp(`SEARCH posts USING (COVERING )?INDEX ${index.source} \\(account_id=\\?`));
    } else {
      expect(plan).not.toMatch(/Sort/);
      expect(plan).not.toMatch(/Seq Scan/);
      expect(plan).toMatch(new RegExp(`Index Scan( Backward)? using ${index.source} on posts`));
      expect(plan).toMatch(/Index Cond: \(+account_id = /);
    }
  }

  it("the default list (newest first) reads the (account_id, created, id) index in order", async () => {
    const { plan } = await restPlan("");
    expectIndexOrder(plan, /posts__created/);
  });

  it("sort=id reads the (account_id, id) index in order", async () => {
    const { plan } = await restPlan("sort=id&skip_total=true");
    expectIndexOrder(plan, /posts__id/);
    expectIndexOrder((await restPlan("sort=-id&skip_total=true")).plan, /posts__id/);
  });

  it("a sort on an indexed field reads that field's index in order, both directions", async () => {
    for (const sort of ["-views", "views", "title", "-title"]) {
      const { plan } = await restPlan(`sort=${sort}&skip_total=true`);
      expectIndexOrder(plan, new RegExp(`posts__ix_\\w+`));
    }
  });

  it("a reference lookup (author = id) reads only that parent's rows through the reference index", async () => {
    const { sql, plan } = await restPlan(`filter=${encodeURIComponent(`author="${authorId}"`)}&skip_total=true`);
    expect(sql).toMatch(/"author" =/);
    if (db.dialect === "sqlite") expectIndexOrder(plan, /posts__ix_\w+/);
    else {
      // in newest-first order, or (a few matching rows) found through the index and then sorted
      expect(plan).toMatch(/(Bitmap )?Index Scan( Backward)? (using|on) posts__ix_\w+/);
      expect(plan).toMatch(/Index Cond: \(+account_id = .* AND \(author = /);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it("a reverse connection reads each parent's first rows through the reference index, and no more", async () => {
    let data: any;
    const seen = await capture(db, async () => {
      const r = await gql(t.url, `{ authors(first: 30) { nodes { id posts(first: 5) { nodes { id } } } } }`, {}, t.adminToken);
      expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
      data = r.body.data;
    });
    expect(data.authors.nodes).toHaveLength(30);
    expect(data.authors.nodes.every((a: any) => a.posts.nodes.length === 5)).toBe(true);
    const grouped = seen.find((s) => /"_parents"/i.test(s.sql))!;
    expect(grouped).toBeDefined();
    const plan = await explain(db, grouped);
    if (db.dialect === "sqlite") {
      // per parent (json_each), its first rows read from the reference index in order, stopped at the limit, then
      // fetched by rowid; the one sort is of the rows kept (≤ 30 × 6), never of a parent's rows or the table
      expect(plan).toMatch(/^SCAN _parents VIRTUAL TABLE/m);
      expect(plan).toMatch(/SEARCH _c USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan).toMatch(/CORRELATED LIST SUBQUERY \d+\nSEARCH posts USING COVERING INDEX posts__ix_\w+ \(account_id=\? AND author=\?\)/);
      expect(plan.match(/TEMP B-TREE/g)).toHaveLength(1);
      expect(plan.split("\n").at(-1)).toBe("USE TEMP B-TREE FOR ORDER BY");
      expect(plan).not.toMatch(/^\s*SCAN (posts|_c)/m);
    } else {
      // per parent (unnest), a LATERAL subquery reads its first rows from the reference index in order and stops
      expect(plan).toMatch(/Nested Loop .*\n\s+-> {2}Function Scan on unnest _parents .*\n\s+-> {2}Limit .*\n\s+-> {2}Index Scan( Backward)? using posts__ix_\w+ on posts/);
      expect(plan).toMatch(/Index Cond: \(\(account_id = .* AND \(author = _parents\._parents\)\)/);
      // the one sort is of the rows kept, at the top
      expect(plan.match(/Sort {2}\(cost/g)).toHaveLength(1);
      expect(plan).toMatch(/^Sort /);
      expect(plan).not.toMatch(/Seq Scan/);
    }
    // the top-level page of authors stops early too
    const page = seen.find((s) => /from "authors"/i.test(s.sql) && /order by/i.test(s.sql))!;
    const authorsPlan = await explain(db, page);
    if (db.dialect === "sqlite") expect(authorsPlan).toMatch(/SEARCH authors USING INDEX authors__created/);
    else expect(authorsPlan).toMatch(/Index Scan( Backward)? using authors__created/);
    expect(authorsPlan).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it("contains (~) on a rare substring finds its rows through the title's trigram index", async () => {
    const { sql, plan } = await restPlan(`filter=${encodeURIComponent('title~"post 1234"')}&sort=id`);
    if (db.dialect === "sqlite") {
      // candidates from the FTS5 trigram table, then the rows by rowid: no walk over the table
      expect(sql).toMatch(/"posts__tri_\w+" MATCH/);
      expect(plan).toMatch(/SCAN posts__tri_\w+ VIRTUAL TABLE/);
      expect(plan).toMatch(/SEARCH posts USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan).not.toMatch(/^\s*SCAN posts(?! USING|__)/m);
      expect(plan).not.toMatch(/SEARCH posts USING INDEX posts__id/);
    } else {
      expect(plan).toMatch(/Bitmap Index Scan on posts__tri_\w+/);
      expect(plan).toMatch(/Index Cond: \(title ~~\* /);
      expect(plan).not.toMatch(/Seq Scan/);
    }
    const res = await t.api("GET", `/api/v1/collections/posts/records?filter=${encodeURIComponent('title~"POST 1234"')}`, { token: t.adminToken });
    expect(res.body.items.map((r: any) => r.data.title)).toEqual(["post 1234"]);
    expect(res.body.total).toBe(1);
  });

  it("contains on a common or short substring keeps the ordered scan that stops after a page", async () => {
    for (const pattern of ["post", "po"]) {
      const { sql, plan } = await restPlan(`filter=${encodeURIComponent(`title~"${pattern}"`)}&sort=id&skip_total=true`);
      if (db.dialect === "sqlite") {
        expect(sql).not.toMatch(/__tri_/);
        expectIndexOrder(plan, /posts__id/);
      } else expect(plan).toMatch(/Index Scan( Backward)? using posts__id on posts/);
    }
  });

  it("equality on an indexed text field reads that field's index (PostgreSQL: in its code-point collation)", async () => {
    const { sql, plan } = await restPlan(`filter=${encodeURIComponent('title="post 12"')}&skip_total=true`);
    if (db.dialect === "sqlite") expect(plan).toMatch(/SEARCH posts USING INDEX posts__ix_\w+ \(account_id=\? AND title=\?\)/);
    else {
      expect(sql).toMatch(/"title" COLLATE "C" =/);
      expect(plan).toMatch(/Index Cond: \(+account_id = .* AND \(+title\)::text = /);
      expect(plan).toMatch(/Index Scan( Backward)? using posts__ix_\w+|Bitmap Index Scan on posts__ix_\w+/);
    }
  });

  it("search= finds its rows through the full-text index, best match first", async () => {
    const { plan } = await restPlan(`search=${encodeURIComponent("post 1234")}`);
    if (db.dialect === "sqlite") {
      expect(plan).toMatch(/SCAN _fts_posts VIRTUAL TABLE/);
      expect(plan).not.toMatch(/^\s*SCAN posts(?! USING|__)/m);
    } else {
      expect(plan).toMatch(/Bitmap Index Scan on posts__search/);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it("search= with many matches reads the table in FTS5's rank order, stopping after the page (SQLite)", async () => {
    if (db.dialect !== "sqlite") return;
    const def = t.app.services.collections.require("posts");
    const rec = recordStatements(db);
    try {
      const page = { columns: ["id", "title"], where: { sql: "1 = 1", parameters: [] }, accountId: "default", limit: 31, offset: 0 };
      expect(await relevancePage(db, def, parseSearch(db, def, "post"), page, 1)).toHaveLength(31);
    } finally {
      rec.restore();
    }
    const stmt = rec.statements.find((s) => /_search_top/.test(s.sql))!;
    const plan = await explain(db, stmt);
    // index flag 32: FTS5 consumes ORDER BY rank; the table is searched by rowid, never scanned
    expect(plan).toMatch(/SCAN _fts_posts VIRTUAL TABLE INDEX 32:/);
    expect(plan).toMatch(/SEARCH posts USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan).not.toMatch(/^\s*SCAN posts(?! USING|__)/m);
  });

  it("planner statistics: gathered when a collection is created, refreshed after enough writes", async () => {
    const created = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "fresh", schema: [{ name: "n", type: "number" }] } });
    expect(created.status).toBe(201);
    if (db.dialect === "postgres") {
      const rows = await db.query<{ last_analyze: string | null }>({ sql: "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = $1", parameters: ["fresh"] });
      expect(rows[0]?.last_analyze).toBeTruthy();
    } else {
      const sqlite = db as SqliteDb;
      expect((await db.query<{ n: number }>({ sql: "SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'posts'", parameters: [] }))[0]!.n).toBeGreaterThan(0);
      // nothing changed since the refresh in beforeAll (the collection DDL analyzed its own, empty table)
      expect(await sqlite.optimizeIfChanged()).toBe(false);
      await run(
        db,
        `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000)
        INSERT INTO fresh (id, account_id, created, updated, n) SELECT 'f' || i, 'default', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', i FROM c`,
      );
      expect(await sqlite.optimizeIfChanged()).toBe(true);
      const stat = await db.query<{ stat: string }>({ sql: "SELECT stat FROM sqlite_stat1 WHERE idx = 'fresh__created'", parameters: [] });
      expect(Number(stat[0]?.stat.split(" ")[0])).toBe(2000);
    }
  });
});

/** Inserts AUTHORS authors and `rows` posts (each referencing one of them) into `account`. */
async function fill(db: SqlDb, account: string, rows = ROWS): Promise<void> {
  const prefix = `${account}-${rows}-${Date.now()}`;
  if (db.dialect === "sqlite") {
    await run(
      db,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${AUTHORS})
      INSERT INTO authors (id, account_id, created, updated, name) SELECT '${prefix}-a' || i, '${account}', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'), '2026-01-01T00:00:00.000Z', 'author ' || i FROM n`,
    );
    await run(
      db,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
      INSERT INTO posts (id, account_id, created, updated, title, views, author, body)
      SELECT '${prefix}-p' || i, '${account}', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'), '2026-01-01T00:00:00.000Z', 'post ' || (i * 7919 % ${rows}), i % 500, '${prefix}-a' || (1 + i % ${AUTHORS}), 'body' FROM n`,
    );
  } else {
    await run(
      db,
      `INSERT INTO authors (id, account_id, created, updated, name)
      SELECT '${prefix}-a' || i, '${account}', timestamptz '2026-01-01' + i * interval '1 second', now(), 'author ' || i FROM generate_series(1, ${AUTHORS}) i`,
    );
    await run(
      db,
      `INSERT INTO posts (id, account_id, created, updated, title, views, author, body)
      SELECT '${prefix}-p' || i, '${account}', timestamptz '2026-01-01' + i * interval '1 second', now(), 'post ' || (i * 7919 % ${rows}), i % 500, '${prefix}-a' || (1 + i % ${AUTHORS}), 'body' FROM generate_series(1, ${rows}) i`,
    );
  }
}

/** Runs a writing statement through the handle the core writes with (so its changes count). */
async function run(db: SqlDb, sql: string): Promise<void> {
  await db.execute({ sql, parameters: [] });
}

/** The compiled read statements the core runs while `fn` runs. */
async function capture(db: SqlDb, fn: () => Promise<void>): Promise<Stmt[]> {
  const recorder = recordStatements(db);
  try {
    await fn();
  } finally {
    recorder.restore();
  }
  return recorder.statements;
}
