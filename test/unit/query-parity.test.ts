/**
 * The SQL compiler and the in-memory predicate must select exactly the same records.
 * Runs every expression against a real SQLite table (and PostgreSQL when reachable) holding
 * ~200 varied rows, and compares the ids with `toPredicate` over the same records.
 */
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileOnly } from "../../src/db/sql-db.ts";
import type { Expr } from "../../src/query/ast.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";
import { parseQ } from "../../src/query/parse-q.ts";
import { toPredicate } from "../../src/query/predicate.ts";
import { toSql, type ContainsIndex, type SqlDialect } from "../../src/query/to-sql.ts";
import { sql, type SqlBool } from "kysely";
import { trigramQuery } from "../../src/core/records/contains-index.ts";
import { ITEMS } from "./query-fixtures.ts";

const resolve = collectionResolver(ITEMS);
const NOW = () => new Date("2024-05-15T12:00:00.000Z");

/** column, SQLite type, PostgreSQL type, how the API value is stored */
const COLUMNS: [string, string, string, "plain" | "bool" | "json"][] = [
  ["id", "TEXT PRIMARY KEY", "text PRIMARY KEY", "plain"],
  ["account_id", "TEXT", "text", "plain"],
  ["owner_id", "TEXT", "text", "plain"],
  ["created", "TEXT", "timestamptz", "plain"],
  ["updated", "TEXT", "timestamptz", "plain"],
  ["version", "INTEGER", "integer", "plain"],
  ["title", "TEXT", "text", "plain"],
  ["body", "TEXT", "text", "plain"],
  ["views", "REAL", "double precision", "plain"],
  ["price", "REAL", "double precision", "plain"],
  ["published", "INTEGER", "boolean", "bool"],
  ["birthday", "TEXT", "date", "plain"],
  ["due", "TEXT", "timestamptz", "plain"],
  ["status", "TEXT", "text", "plain"],
  ["categories", "TEXT", "jsonb", "json"],
  ["tags", "TEXT", "jsonb", "json"],
  ["attachments", "TEXT", "jsonb", "json"],
  ["author", "TEXT", "text", "plain"],
  ["meta", "TEXT", "jsonb", "json"],
  ["place", "TEXT", "jsonb", "json"],
  ["value", "TEXT", "jsonb", "json"],
];

// ---- deterministic data ------------------------------------------------------------------
let seed = 20240515;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return Math.floor((seed / 2 ** 31) * n);
};
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
const maybe = <T>(p: number, v: () => T): T | null => (rand(100) < p ? null : v());

// Non-ASCII letters appear in upper and lower case; the expressions below only use ASCII
// needles with case-insensitive operators (non-ASCII folding follows the database).
const TITLES = [
  "Hello World",
  "hello world",
  "HELLO",
  "Cairn CMS",
  "cms",
  "a%b",
  "a_b",
  "back\\slash",
  "it's",
  'say "hi"',
  "",
  " ",
  "café",
  "naïve Ünïcode",
  "日本語テキスト",
  "emoji 😀 here",
  "Zebra",
  "apple",
  "Apple pie",
  "m",
  "M",
  "Élan",
  "100%",
  "x_y_z",
  "tab\there",
  "line\nbreak",
  "ABC",
  "abc",
  "abcd",
  "ab",
  "Ａｂｃ fullwidth",
  "\uffff",
];
const TAGS = ["news", "tech", "Tech", "a%b", "x_y", "café", "", "日本", "zeta", "Alpha"];

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

function makeRow(i: number): Record<string, unknown> {
  const created = Date.UTC(2024, 0, 1) + rand(180) * 86400000 + rand(86400000);
  const list = (pool: readonly unknown[], max: number) => Array.from({ length: rand(max + 1) }, () => pick(pool));
  return {
    id: `r${String(i).padStart(3, "0")}`,
    account_id: "default",
    owner_id: maybe(15, () => `u${rand(5)}`),
    created: isoAt(created),
    updated: isoAt(created + (rand(4) === 0 ? 0 : rand(90) * 86400000)),
    version: 1 + rand(5),
    title: maybe(12, () => pick(TITLES)),
    body: maybe(20, () => (rand(4) === 0 ? pick(TITLES) : `body ${rand(50)} ${pick(TITLES)}`)),
    views: maybe(15, () => pick([0, 1, 5, 10, 11, 42, 100, 1000, -3, 2.5, 10.000001])),
    price: maybe(25, () => pick([0, 9.99, 10, 19.5, 100, -1])),
    published: maybe(20, () => rand(2) === 0),
    birthday: maybe(20, () => `${1980 + rand(45)}-${String(1 + rand(12)).padStart(2, "0")}-${String(1 + rand(28)).padStart(2, "0")}`),
    due: maybe(20, () => isoAt(Date.UTC(2024, 4, 15) + (rand(21) - 10) * 86400000 + rand(86400000))),
    status: maybe(15, () => pick(["draft", "published", "archived"])),
    categories: maybe(20, () => list(["a", "b", "c"], 3)),
    tags: maybe(20, () => (rand(12) === 0 ? [rand(5), String(rand(5)), pick(TAGS)] : list(TAGS, 4))),
    attachments: maybe(30, () => list(["f1.png", "f2.PNG", "doc.pdf", "x_1.jpg"], 2)),
    author: maybe(30, () => `u${rand(5)}`),
    meta: maybe(40, () => pick([{ a: 1 }, [1, 2], "text", 3, { nested: { b: [true] } }])),
    place: maybe(60, () => ({ lat: rand(90), lng: rand(180) })),
    value: maybe(30, () => list(["x", "y", "z"], 2)),
  };
}

const ROWS = Array.from({ length: 200 }, (_, i) => makeRow(i));
// a few hand-made edge rows
ROWS.push(
  { ...makeRow(900), id: "edge-nulls", ...Object.fromEntries(COLUMNS.slice(6).map(([c]) => [c, null])) },
  { ...makeRow(901), id: "edge-empty", title: "", body: "", tags: [], categories: [], value: [], views: 0, price: 0 },
  { ...makeRow(902), id: "edge-same", title: "same", body: "same", views: 10, price: 10 },
);
// GLOB's wildcards as data: case-sensitive matching on SQLite must take them literally
ROWS.push({ ...makeRow(903), id: "edge-glob", title: "[a]*?B", body: "Star*Q?" });

// ---- expressions ------------------------------------------------------------------------
/** `q`: the source is a Fullfinity `Q()` filter (case-sensitive `contains`/`startswith`/`endswith`) */
type Case = { src: string | Expr; q?: boolean; allowTrivial?: boolean };
const CASES: Case[] = [
  { src: 'title = "Hello World"' },
  { src: 'title != "Hello World"' },
  { src: "title = ''" },
  { src: "title != ''" },
  { src: "title = null" },
  { src: "title != null" },
  { src: 'title ~ "hello"' },
  { src: 'title !~ "hello"' },
  { src: 'title ~ "%"' },
  { src: 'title ~ "_"' },
  { src: 'title ~ "\\\\"' },
  { src: 'title ~ "\'"' },
  { src: 'title ~ ""' },
  { src: 'title > "M"' },
  { src: 'title <= "apple"' },
  { src: 'title >= "Élan"' },
  { src: 'title < "😀"' },
  { src: 'title > "Ａ"' },
  { src: "title:lower = 'hello world'" },
  { src: "title:upper ~ 'ELL'" },
  { src: "title:lower > 'm'" },
  { src: "title:length > 5" },
  { src: "title:length = 0" },
  { src: "title in ['cms', 'abc', null]" },
  { src: "title not in ['cms', 'abc', null]" },
  { src: "title not in ['cms', 'abc']" },
  { src: "title in []", allowTrivial: true },
  { src: "title not in []", allowTrivial: true },
  { src: "body = @record.title" },
  { src: "body != @record.title" },
  { src: "views > 10" },
  { src: "views >= 10 && views <= 100" },
  { src: "views < 0 || views = 2.5" },
  { src: "views != 10" },
  { src: "views = '42'" },
  { src: "!(views > 10)" },
  { src: "views > @record.price" },
  { src: "views in [0, 1, 5]" },
  { src: "views not in [0, 1, 5]" },
  { src: "price <= 10 || price = null" },
  { src: "published = true" },
  { src: "published != true" },
  { src: "published = false" },
  { src: "!(published = true)" },
  { src: "published in [true, null]" },
  { src: "birthday < 2000-01-01" },
  { src: "birthday >= '1995-06-15' && birthday != null" },
  { src: "due > @now" },
  { src: "due >= @todayStart && due <= @todayEnd" },
  { src: "due < @day-3 || due > @week+1" },
  { src: "due > '2024-05-15T12:00:00+02:00'" },
  { src: "created < @record.updated" },
  { src: "created = @record.updated" },
  { src: "updated >= @record.due" },
  { src: "created >= '2024-03-01'" },
  { src: "version >= 3" },
  { src: "id in ['r001', 'r002', 'edge-nulls']" },
  { src: "owner_id = 'u1'" },
  { src: "owner_id != 'u1'" },
  { src: "author = @record.owner_id" },
  { src: "status = 'draft' || status = 'published'" },
  { src: "status ~ 'ARCH'" },
  { src: "tags ?= 'news'" },
  { src: "tags ?!= 'news'" },
  { src: "tags ?~ 'ECH'" },
  { src: "tags ?!~ 'e'" },
  { src: "tags ?> 'x'" },
  { src: "tags ?<= 'Tech'" },
  { src: "tags ?= ['news', 'café']" },
  { src: "tags ?= ''" },
  { src: "tags ?~ '%'" },
  { src: "tags ?= 3" },
  { src: "tags:length = 0" },
  { src: "tags:length >= 3" },
  { src: "tags = null" },
  { src: "!(tags ?= 'news') && tags != null" },
  { src: "categories ?= 'a' && categories ?= 'b'" },
  { src: "categories:length = 3" },
  { src: "attachments ?~ '.png'" },
  { src: "value ?= 'x'" },
  { src: "value ?!= 'x'" },
  { src: "meta = null" },
  { src: "meta != null && place = null" },
  { src: "(title ~ 'a' || body ~ 'a') && !(status = 'archived') && views > 0" },
  { src: "!(title ~ 'a' || (views > 10 && published = true))" },
  { src: "!(!(status != 'draft') || price < 10)" },
  // unchecked: numeric comparison of any-elements (only JSON numbers take part)
  { src: { kind: "compare", op: "gte", left: { kind: "field", name: "tags" }, right: { kind: "value", value: 2 }, any: true } },
  { src: { kind: "compare", op: "in", left: { kind: "field", name: "tags" }, right: { kind: "value", value: [0, 1, 4] }, any: true } },
  { src: { kind: "compare", op: "startsWith", left: { kind: "field", name: "title" }, right: { kind: "value", value: "he" } } },
  { src: { kind: "compare", op: "endsWith", left: { kind: "field", name: "title" }, right: { kind: "value", value: "LD" } } },
  { src: { kind: "not", expr: { kind: "compare", op: "endsWith", left: { kind: "field", name: "body" }, right: { kind: "value", value: "%" } } } },
  // substring matching through the trigram indexes (see the "with trigram indexes" runs below):
  // 3+ characters use them, shorter ones scan; %, _ and \ stay literal; ASCII case folds
  { src: 'title ~ "HEL"' },
  { src: 'title ~ "hello world"' },
  { src: 'body ~ "lo wor"' },
  { src: 'title ~ "a%b"' },
  { src: 'title ~ "x_y"' },
  { src: 'title ~ "00%"' },
  { src: 'title ~ "k\\sl"' },
  { src: 'title ~ "CAF"' },
  { src: 'title ~ "日本語"' },
  { src: 'title ~ "😀 h"' },
  { src: 'title ~ "ab"' },
  { src: 'title !~ "abc"' },
  { src: 'title ~ "abc" && views > 0', allowTrivial: true },
  { src: 'title ~ "zzzzzz"', allowTrivial: true },
  { src: { kind: "compare", op: "startsWith", left: { kind: "field", name: "title" }, right: { kind: "value", value: "HEL" } } },
  { src: { kind: "compare", op: "endsWith", left: { kind: "field", name: "title" }, right: { kind: "value", value: "rld" } } },
  // case-sensitive substring operators (Fullfinity lookups without `i`) next to their folding forms
  { src: "Q(title__contains='hello')", q: true },
  { src: "Q(title__icontains='hello')", q: true },
  { src: "~Q(title__contains='abc')", q: true },
  { src: "Q(title__contains='HEL')", q: true },
  { src: "Q(body__contains='lo wor')", q: true },
  { src: "Q(title__startswith='A')", q: true },
  { src: "Q(title__istartswith='a')", q: true },
  { src: "Q(title__endswith='ld')", q: true },
  { src: "Q(title__iendswith='LD')", q: true },
  { src: "Q(title__contains='é')", q: true },
  { src: "Q(title__contains='a%b') | Q(title__contains='x_y')", q: true },
  { src: "Q(title__contains='[a]') | Q(body__endswith='*Q?')", q: true },
  { src: "Q(title__startswith='[a]*?') & Q(title__endswith='?B')", q: true },
  { src: "Q(title__contains='*')", q: true },
  { src: "Q(title__contains='') & Q(title__startswith='')", q: true },
  { src: { kind: "compare", op: "contains", left: { kind: "field", name: "tags" }, right: { kind: "value", value: "Te" }, any: true, caseSensitive: true } },
  { src: { kind: "compare", op: "notContains", left: { kind: "field", name: "tags" }, right: { kind: "value", value: "Te" }, any: true, caseSensitive: true } },
];

const checked = CASES.map((c) => ({
  ...c,
  label: typeof c.src === "string" ? c.src : JSON.stringify(c.src),
  expr: typeof c.src === "string" ? checkExpr(c.q ? parseQ(c.src) : parseExpression(c.src, { now: NOW }), resolve) : c.src,
}));

function expectedIds(expr: Expr): string[] {
  const match = toPredicate(expr, resolve);
  return ROWS.filter(match)
    .map((r) => r.id as string)
    .sort();
}

const compilers = { sqlite: compileOnly("sqlite"), postgres: compileOnly("postgres") };

function compileSelect(expr: Expr, dialect: SqlDialect, alias?: string, containsIndex?: ContainsIndex) {
  const from = alias ? `items as ${alias}` : "items";
  return compilers[dialect]
    .selectFrom(from)
    .select(alias ? `${alias}.id` : "id")
    .where(toSql(expr, resolve, dialect, { tableAlias: alias, containsIndex }))
    .compile();
}

/** SQLite: candidates from a per-column FTS5 trigram table, as records/contains-index.ts builds them. */
const sqliteTrigram: ContainsIndex = (column, text) => {
  const match = column === "title" || column === "body" ? trigramQuery(text) : undefined;
  return match ? sql<SqlBool>`items.rowid IN (SELECT rowid FROM ${sql.table(`tri_${column}`)} WHERE ${sql.table(`tri_${column}`)} MATCH ${match})` : undefined;
};

function storedValue(kind: "plain" | "bool" | "json", v: unknown, dialect: SqlDialect): unknown {
  if (v === null || v === undefined) return null;
  if (kind === "json") return JSON.stringify(v);
  if (kind === "bool" && dialect === "sqlite") return v ? 1 : 0;
  return v;
}

it("has varied data and meaningful expressions", () => {
  expect(ROWS.length).toBeGreaterThanOrEqual(200);
  expect(CASES.length).toBeGreaterThanOrEqual(40);
  for (const c of checked) {
    const n = expectedIds(c.expr).length;
    if (!c.allowTrivial) expect(n > 0 && n < ROWS.length, `${c.label} selects ${n} of ${ROWS.length}`).toBe(true);
  }
});

describe("parity: SQLite", () => {
  const db = new Database(":memory:");
  beforeAll(() => {
    db.exec(`CREATE TABLE items (${COLUMNS.map(([c, t]) => `"${c}" ${t}`).join(", ")})`);
    const insert = db.prepare(`INSERT INTO items VALUES (${COLUMNS.map(() => "?").join(", ")})`);
    db.transaction(() => {
      for (const row of ROWS) insert.run(...COLUMNS.map(([c, , , kind]) => storedValue(kind, row[c], "sqlite")));
    })();
    for (const c of ["title", "body"]) {
      db.exec(`CREATE VIRTUAL TABLE tri_${c} USING fts5(${c}, content='items', content_rowid='rowid', tokenize='trigram case_sensitive 0', detail=none, columnsize=0)`);
      db.exec(`INSERT INTO tri_${c}(tri_${c}) VALUES ('rebuild')`);
    }
  });
  afterAll(() => db.close());

  it.each(checked)("$label", ({ expr }) => {
    const want = expectedIds(expr);
    for (const alias of [undefined, "t"]) {
      const q = compileSelect(expr, "sqlite", alias);
      const got = (db.prepare(q.sql).all(...q.parameters) as { id: string }[]).map((r) => r.id).sort();
      expect(got).toEqual(want);
    }
    // with trigram indexes: the same rows
    const q = compileSelect(expr, "sqlite", undefined, sqliteTrigram);
    const got = (db.prepare(q.sql).all(...q.parameters) as { id: string }[]).map((r) => r.id).sort();
    expect(got).toEqual(want);
  });
});

// ---- PostgreSQL (when reachable) --------------------------------------------------------
const PG_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const havePg = await pgReachable();

describe.skipIf(!havePg)("parity: PostgreSQL", () => {
  const dbName = `cairn_query_${randomBytes(6).toString("hex")}`;
  let admin: pg.Client;
  let client: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(PG_URL);
    url.pathname = `/${dbName}`;
    client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    // A linguistic collation on text columns (as on typical en_US databases) makes ordering
    // differ from code-point order unless the compiler asks for COLLATE "C".
    const icu = await client.query(`SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'`);
    const collate = icu.rowCount ? ` COLLATE "en-x-icu"` : "";
    const ddl = COLUMNS.map(([c, , t]) => `"${c}" ${t}${t === "text" ? collate : ""}`);
    await client.query(`CREATE TABLE items (${ddl.join(", ")})`);
    const placeholders = COLUMNS.map(([, , t], i) => `$${i + 1}::${t.replace(" PRIMARY KEY", "")}`).join(", ");
    for (const row of ROWS) {
      await client.query(
        `INSERT INTO items VALUES (${placeholders})`,
        COLUMNS.map(([c, , , kind]) => storedValue(kind, row[c], "postgres")),
      );
    }
  });

  afterAll(async () => {
    await client?.end();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.end();
    }
  });

  it.each(checked)("$label", async ({ expr }) => {
    const want = expectedIds(expr);
    for (const alias of [undefined, "t"]) {
      const q = compileSelect(expr, "postgres", alias);
      const res = await client.query<{ id: string }>(q.sql, [...q.parameters]);
      expect(res.rows.map((r) => r.id).sort()).toEqual(want);
    }
  });

  it("with pg_trgm GIN indexes in use: the same rows", async () => {
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
    await client.query("CREATE INDEX items_tri_title ON items USING GIN (title gin_trgm_ops); CREATE INDEX items_tri_body ON items USING GIN (body gin_trgm_ops); ANALYZE items");
    await client.query("BEGIN; SET LOCAL enable_seqscan = off");
    try {
      let indexed = 0;
      for (const { expr } of checked) {
        const q = compileSelect(expr, "postgres");
        const plan = (await client.query(`EXPLAIN ${q.sql}`, [...q.parameters])).rows.map((r) => r["QUERY PLAN"]).join("\n");
        if (/items_tri_/.test(plan)) indexed++;
        const res = await client.query<{ id: string }>(q.sql, [...q.parameters]);
        expect(res.rows.map((r) => r.id).sort()).toEqual(expectedIds(expr));
      }
      expect(indexed).toBeGreaterThanOrEqual(10);
    } finally {
      await client.query("ROLLBACK");
    }
  }, 60_000);
});
