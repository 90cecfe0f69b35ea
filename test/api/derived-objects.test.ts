/**
 * Derived objects over the collection lifecycle, on a real database: contains (`~`) answered
 * through the trigram index stays exact through updates, deletes, NULLs, a field rename and a
 * type change; search= orders by relevance (then id, page after page, within a filter and an access
 * rule, whatever the rows' storage order) without a sort and keeps a given sort; start-up brings
 * an older database's indexes up to date (missing created, stale dropped) and does nothing the
 * next time; bulk loads refresh planner statistics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { reconcileDerivedObjects } from "../../src/core/collections/reconcile.ts";
import { analyzeAfterBulkLoad, BULK_ANALYZE_ROWS } from "../../src/core/collections/statistics.ts";
import { parseSearch, relevancePage } from "../../src/core/records/search.ts";
import type { SqlDb } from "../../src/db/sql-db.ts";
import { apiClient, eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
const base = "/api/v1/collections/notes/records";

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "notes",
      schema: [
        { name: "title", type: "text" },
        { name: "body", type: "editor" },
        { name: "n", type: "number" },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});
afterAll(async () => t?.close());

const create = async (data: Record<string, unknown>) => {
  const res = await t.api("POST", base, { token: t.adminToken, body: { data } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
};
/** Sorted values of `field` in the list; `fresh` bypasses the list cache (the statements run every time). */
const titles = async (qs: string, field = "title", fresh = false) => {
  const res = await t.api("GET", `${base}?per_page=100&${qs}`, { token: t.adminToken, ...(fresh ? { headers: { "cache-control": "no-cache" } } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { data: Record<string, string> }[]).map((r) => r.data[field]).sort();
};
const contains = (text: string, field = "title", fresh = false) => titles(`filter=${encodeURIComponent(`${field}~${JSON.stringify(text)}`)}`, field, fresh);

/** Statements the list runs for a contains filter, to see whether the trigram table is asked. */
async function usesTrigram(text: string): Promise<boolean> {
  const rec = recordStatements(t.app.services.db);
  try {
    await contains(text, "title", true);
  } finally {
    rec.restore();
  }
  return rec.texts().some((s) => /__tri_\w+" MATCH/.test(s) && /from "notes"/i.test(s));
}

describe("contains through the trigram index", () => {
  it("stays exact through updates, deletes, NULLs, % and _ and ASCII case", async () => {
    const a = await create({ title: "Zanzibar Quartz" });
    const b = await create({ title: "quartz 50%_off" });
    await create({ title: null, n: 1 });
    expect(await contains("QUARTZ")).toEqual(["Zanzibar Quartz", "quartz 50%_off"]);
    expect(await contains("0%_")).toEqual(["quartz 50%_off"]);
    expect(await contains("0%x")).toEqual([]);
    expect(await usesTrigram("QUARTZ")).toBe(t.app.services.db.dialect === "sqlite");
    // short literals scan
    expect(await usesTrigram("qu")).toBe(false);
    expect(await contains("qu")).toEqual(["Zanzibar Quartz", "quartz 50%_off"]);
    expect((await t.api("PATCH", `${base}/${a.id}`, { token: t.adminToken, body: { data: { title: "Zanzibar Onyx" } } })).status).toBe(200);
    expect(await contains("quartz")).toEqual(["quartz 50%_off"]);
    expect(await contains("onyx")).toEqual(["Zanzibar Onyx"]);
    // an update of another field leaves the index alone and the row findable
    expect((await t.api("PATCH", `${base}/${b.id}`, { token: t.adminToken, body: { data: { n: 5 } } })).status).toBe(200);
    expect(await contains("quartz")).toEqual(["quartz 50%_off"]);
    expect((await t.api("DELETE", `${base}/${b.id}`, { token: t.adminToken })).status).toBe(204);
    expect(await contains("quartz")).toEqual([]);
    // the same filter over GraphQL
    const r = await gql(t.url, `{ notes(where: { title: { contains: "ONYX" } }) { nodes { title } } }`, {}, t.adminToken);
    expect(r.body.data.notes.nodes).toEqual([{ title: "Zanzibar Onyx" }]);
  });

  it("follows a field rename and a type change", async () => {
    await create({ title: "Renamed Garnet" });
    const coll = (await t.api("GET", "/api/v1/collections/notes", { token: t.adminToken })).body;
    const schema = coll.schema.map((f: any) => (f.name === "title" ? { ...f, name: "heading" } : f));
    const up = await t.api("PATCH", "/api/v1/collections/notes", { token: t.adminToken, body: { schema } });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(await contains("garnet", "heading")).toEqual(["Renamed Garnet"]);
    await create({ heading: "Second Garnet" });
    expect(await contains("GARNET", "heading")).toEqual(["Renamed Garnet", "Second Garnet"]);
    // text → number drops the trigram index; number back to text recreates it
    const back = coll.schema.map((f: any) => (f.name === "title" ? { ...f, name: "heading" } : f));
    const asNumber = back.map((f: any) => (f.name === "n" ? { ...f, type: "text" } : f));
    expect((await t.api("PATCH", "/api/v1/collections/notes", { token: t.adminToken, body: { schema: asNumber } })).status).toBe(200);
    await create({ heading: "x", n: "Amethyst" });
    expect(await contains("methys", "n")).toEqual(["Amethyst"]);
  });
});

describe("search= order", () => {
  it("ranks by relevance without a sort, keeps a given sort, refuses cursors in relevance order", async () => {
    await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        name: "docs",
        schema: [
          { name: "title", type: "text" },
          { name: "body", type: "editor" },
        ],
      },
    });
    const docs = "/api/v1/collections/docs/records";
    for (const [title, body] of [
      ["a-once", "walrus and other animals of the north and many more words to dilute it"],
      ["b-thrice", "walrus walrus walrus"],
      ["c-none", "penguin"],
      ["d-twice", "walrus walrus, seals"],
    ])
      expect((await t.api("POST", docs, { token: t.adminToken, body: { data: { title, body } } })).status).toBe(201);
    const list = async (qs: string) => (await t.api("GET", `${docs}?${qs}`, { token: t.adminToken })).body;
    const ranked = await list("search=walrus&per_page=2");
    expect(ranked.items.map((r: any) => r.data.title)).toEqual(["b-thrice", "d-twice"]);
    expect(ranked.total).toBe(3);
    expect((await list("search=walrus&per_page=2&page=2")).items.map((r: any) => r.data.title)).toEqual(["a-once"]);
    expect((await list("search=walrus&sort=title")).items.map((r: any) => r.data.title)).toEqual(["a-once", "b-thrice", "d-twice"]);
    const withCursor = await t.api("GET", `${docs}?search=walrus&cursor=${encodeURIComponent(Buffer.from("[1]").toString("base64url"))}`, { token: t.adminToken });
    expect(withCursor.status).toBe(400);
    expect(JSON.stringify(withCursor.body)).toMatch(/relevance/);
  });
});

describe("search= relevance pages", () => {
  it("orders by relevance then id, within the filter and the access rule, page after page", async () => {
    const created = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        name: "ranked",
        list_rule: 'status != "hidden"',
        view_rule: "",
        create_rule: "",
        schema: [
          { name: "title", type: "text" },
          { name: "status", type: "text" },
          { name: "n", type: "number" },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const path = "/api/v1/collections/ranked/records";
    // same length, one to three walruses: three ranks; equal texts rank equal, so id decides
    const texts = ["walrus walrus walrus", "walrus walrus seal", "walrus seal seal"];
    const made: { id: string; rank: number; listed: boolean }[] = [];
    for (let i = 0; i < 30; i++) {
      const rank = i % 3;
      const status = i % 7 === 3 ? "hidden" : "shown";
      const n = i % 5 === 4 ? -1 : i;
      const res = await t.api("POST", path, { token: t.adminToken, body: { data: { title: texts[rank], status, n } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      made.push({ id: res.body.id, rank, listed: status !== "hidden" && n >= 0 });
    }
    await t.api("POST", path, { token: t.adminToken, body: { data: { title: "seal only", status: "shown", n: 1 } } });
    // the rows' storage order is not the id order: SQLite rowids reversed, PostgreSQL rows rewritten last id first
    const db = t.app.services.db;
    const byId = [...made].sort((a, b) => (a.id < b.id ? -1 : 1));
    await db.script(
      db.dialect === "sqlite"
        ? `UPDATE "ranked" SET rowid = -rowid`
        : [...byId]
            .reverse()
            .map((r) => `UPDATE "ranked" SET "n" = "n" WHERE "id" = '${r.id}';`)
            .join("\n"),
    );
    const expected = byId
      .filter((r) => r.listed)
      .sort((a, b) => a.rank - b.rank)
      .map((r) => r.id);
    const user = await registerUser(t.api);
    const filter = `&filter=${encodeURIComponent("n >= 0")}`;
    // page ends inside a group of equal ranks and at a group's edge alike
    for (const perPage of [1, 3, 4, 7]) {
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(expected.length / perPage) + 1; page++) {
        const res = await t.api("GET", `${path}?search=walrus&per_page=${perPage}&page=${page}${filter}`, { token: user.token });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.total).toBe(expected.length);
        seen.push(...res.body.items.map((r: any) => r.id));
      }
      expect(seen, `per_page=${perPage}`).toEqual(expected);
    }
    // read through FTS5's rank order (what a search with many matches does on SQLite): the same
    // pages, whether a page ends inside a group of equal ranks (read again) or at its edge
    const def = t.app.services.collections.require("ranked");
    const all = { sql: `"n" >= 0 and "status" != 'hidden'`, parameters: [] };
    const search = parseSearch(db, def, "walrus");
    for (const [offset, limit] of [
      [0, 1],
      [0, 3],
      [0, 9],
      [2, 5],
      [7, 3],
      [9, 4],
      [15, 30],
    ] as const) {
      const page = { columns: ["id"], where: all, accountId: "default", limit, offset };
      const ranked = (await relevancePage(db, def, search, page, 1)).map((r) => r.id);
      expect(ranked, `offset ${offset}, limit ${limit}`).toEqual(expected.slice(offset, offset + limit));
      expect(ranked).toEqual((await relevancePage(db, def, search, page, Number.MAX_SAFE_INTEGER)).map((r) => r.id));
    }
    // a sort of its own keeps its order (then id), with the same rows
    const sorted = await t.api("GET", `${path}?search=walrus&per_page=100&sort=-n${filter}`, { token: user.token });
    expect(sorted.body.items.map((r: any) => r.id)).toEqual([...expected].sort((a, b) => made.findIndex((r) => r.id === b) - made.findIndex((r) => r.id === a)));
  });
});

describe("statistics after bulk loads", () => {
  it(`analyses a table once ${BULK_ANALYZE_ROWS} rows were loaded in bulk`, async () => {
    const db = t.app.services.db;
    expect(await analyzeAfterBulkLoad(db, "notes", BULK_ANALYZE_ROWS - 1)).toBe(false);
    const before = await analyzeCount(db);
    expect(await analyzeAfterBulkLoad(db, "notes", 1)).toBe(true);
    if (db.dialect === "postgres") await eventually(async () => (await analyzeCount(db)) > before, 10_000, "ANALYZE counted");
    // the counter starts again
    expect(await analyzeAfterBulkLoad(db, "notes", 1)).toBe(false);
  });

  it("runs one refresh per table at a time, and one more for the rows loaded meanwhile", async () => {
    const db = t.app.services.db;
    const before = await vacuumCount(db);
    const first = analyzeAfterBulkLoad(db, "notes", BULK_ANALYZE_ROWS);
    // reported while the first refresh runs: not a second one beside it
    expect(await analyzeAfterBulkLoad(db, "notes", BULK_ANALYZE_ROWS)).toBe(false);
    expect(await first).toBe(true);
    if (db.dialect !== "postgres") return;
    await eventually(async () => (await vacuumCount(db)) >= before + 2, 10_000, "two vacuums counted");
    expect(await vacuumCount(db)).toBe(before + 2);
    // the vacuum left every page all-visible: counts and pages may read the index alone
    const [pages] = await db.query<{ relpages: number; relallvisible: number }>({ sql: "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'notes'", parameters: [] });
    expect(pages!.relpages).toBeGreaterThan(0);
    expect(pages!.relallvisible).toBe(pages!.relpages);
  });
});

// last: it restarts the server on the same database
describe("start-up reconciliation", () => {
  it("creates missing derived objects, drops stale ones, and does nothing when all is in place", async () => {
    const db = t.app.services.db;
    await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "olds", schema: [{ name: "label", type: "text" }] } });
    expect((await t.api("POST", "/api/v1/collections/olds/records", { token: t.adminToken, body: { data: { label: "Obsidian" } } })).status).toBe(201);
    // what an older version left: no (account_id, id) index, no trigram index, an index it no longer wants
    const tri = (await names(db, "olds")).find((n) => /^olds__tri_/.test(n))!;
    expect(tri).toBeDefined();
    await db.script(
      db.dialect === "sqlite"
        ? `DROP INDEX "olds__id"; DROP TRIGGER "${tri}_ai"; DROP TRIGGER "${tri}_ad"; DROP TRIGGER "${tri}_au"; DROP TABLE "${tri}"; CREATE INDEX "olds__ix_gone" ON "olds" ("label")`
        : `DROP INDEX "olds__id"; DROP INDEX "${tri}"; CREATE INDEX "olds__ix_gone" ON "olds" ("label")`,
    );
    await t.app.close();
    const again = await createApp(t.config);
    const api = apiClient(await again.listen());
    try {
      const after = await names(again.services.db, "olds");
      expect(after).toEqual(expect.arrayContaining(["olds__id", tri]));
      expect(after).not.toContain("olds__ix_gone");
      // the rebuilt trigram index holds the rows written before
      const login = await api("POST", "/api/v1/auth/login", { body: { email: "admin@example.com", password: "Admin-pass-123" } });
      const found = await api("GET", `/api/v1/collections/olds/records?filter=${encodeURIComponent('label~"BSID"')}`, { token: login.body.access_token });
      expect(found.body.items.map((r: any) => r.data.label)).toEqual(["Obsidian"]);
      expect(await reconcileDerivedObjects(again.services.db)).toEqual([]);
    } finally {
      await again.close();
    }
  });
});

async function names(db: SqlDb, table: string): Promise<string[]> {
  const rows =
    db.dialect === "sqlite"
      ? await db.query<{ name: string }>({ sql: "SELECT name FROM sqlite_master WHERE (tbl_name = ? OR name LIKE ?) AND sql IS NOT NULL", parameters: [table, `${table}__tri_%`] })
      : await db.query<{ name: string }>({ sql: "SELECT indexname AS name FROM pg_indexes WHERE tablename = $1", parameters: [table] });
  return rows.map((r) => r.name);
}

/** The ANALYZEs (vacuums with ANALYZE included) or the vacuums PostgreSQL counted on notes; 0 on SQLite. */
async function notesStat(db: SqlDb, counter: "analyze_count" | "vacuum_count"): Promise<number> {
  if (db.dialect === "sqlite") return 0;
  const [row] = await db.query<{ n: number }>({ sql: `SELECT ${counter} AS n FROM pg_stat_user_tables WHERE relname = 'notes'`, parameters: [] });
  return Number(row?.n ?? 0);
}
const analyzeCount = (db: SqlDb) => notesStat(db, "analyze_count");
const vacuumCount = (db: SqlDb) => notesStat(db, "vacuum_count");
