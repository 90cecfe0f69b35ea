import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { compileOnly } from "../../src/db/sql-db.ts";
import { FALSE, FilterError, TRUE, type Expr } from "../../src/query/ast.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";
import { toSql, type SqlDialect } from "../../src/query/to-sql.ts";
import { ITEMS } from "./query-fixtures.ts";

const sqlite = compileOnly("sqlite");
const postgres = compileOnly("postgres");

const resolve = collectionResolver(ITEMS);
const NOW = () => new Date("2024-05-15T12:00:00.000Z");

function compile(src: string | Expr, dialect: SqlDialect, alias?: string) {
  const expr = typeof src === "string" ? checkExpr(parseExpression(src, { now: NOW }), resolve) : src;
  const db = dialect === "sqlite" ? sqlite : postgres;
  const query = db
    .selectFrom("items")
    .select("id")
    .where(toSql(expr, resolve, dialect, alias))
    .compile();
  return { sql: query.sql.replace(/^select "id" from "items" where /, ""), parameters: [...query.parameters] };
}

describe("toSql: exact SQL", () => {
  const cases: [string, string, unknown[], string, unknown[]][] = [
    ['title = "x"', `("title" IS NOT NULL AND "title" = ?)`, ["x"], `("title" IS NOT NULL AND "title" = CAST($1 AS text))`, ["x"]],
    ['title != "x"', `"title" IS NOT ?`, ["x"], `"title" IS DISTINCT FROM CAST($1 AS text)`, ["x"]],
    [
      "views > 10 && published = true",
      `(("views" IS NOT NULL AND "views" > ?) AND ("published" IS NOT NULL AND "published" = ?))`,
      [10, 1],
      `(("views" IS NOT NULL AND "views" > CAST($1 AS double precision)) AND ("published" IS NOT NULL AND "published" = CAST($2 AS boolean)))`,
      [10, true],
    ],
    [
      'title ~ "50%_off\\\\"',
      `("title" IS NOT NULL AND "title" LIKE +? ESCAPE '\\')`,
      ["%50\\%\\_off\\\\%"],
      `("title" IS NOT NULL AND "title" ILIKE CAST($1 AS text) ESCAPE '\\')`,
      ["%50\\%\\_off\\\\%"],
    ],
    ["title !~ x", `NOT (("title" IS NOT NULL AND "title" LIKE +? ESCAPE '\\'))`, ["%x%"], `NOT (("title" IS NOT NULL AND "title" ILIKE CAST($1 AS text) ESCAPE '\\'))`, ["%x%"]],
    ["title = null", `"title" IS NULL`, [], `"title" IS NULL`, []],
    ["due != null", `"due" IS NOT NULL`, [], `"due" IS NOT NULL`, []],
    ["title > m", `("title" IS NOT NULL AND "title" > ?)`, ["m"], `("title" IS NOT NULL AND "title" COLLATE "C" > CAST($1 AS text))`, ["m"]],
    ["due >= @todayStart", `("due" IS NOT NULL AND "due" >= ?)`, ["2024-05-15T00:00:00.000Z"], `("due" IS NOT NULL AND "due" >= CAST($1 AS timestamptz))`, ["2024-05-15T00:00:00.000Z"]],
    ["birthday < 2000-01-01", `("birthday" IS NOT NULL AND "birthday" < ?)`, ["2000-01-01"], `("birthday" IS NOT NULL AND "birthday" < CAST($1 AS date))`, ["2000-01-01"]],
    [
      "status in [a, b, null]",
      `(("status" IS NOT NULL AND "status" IN (?, ?)) OR "status" IS NULL)`,
      ["a", "b"],
      `(("status" IS NOT NULL AND "status" IN (CAST($1 AS text), CAST($2 AS text))) OR "status" IS NULL)`,
      ["a", "b"],
    ],
    ["status in []", `1=0`, [], `1=0`, []],
    ["status not in []", `NOT (1=0)`, [], `NOT (1=0)`, []],
    [
      "tags ?= news",
      `EXISTS (SELECT 1 FROM (SELECT "tags" AS _c) AS _s, json_each(CASE WHEN json_type(_s._c) = 'array' THEN _s._c END) AS _je WHERE (CASE WHEN _je.type = 'text' THEN _je.value END) IS NOT NULL AND ((CASE WHEN _je.type = 'text' THEN _je.value END) IS NOT NULL AND (CASE WHEN _je.type = 'text' THEN _je.value END) = ?))`,
      ["news"],
      `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof("tags") = 'array' THEN "tags" END) AS _je(_v) WHERE (CASE WHEN jsonb_typeof(_je._v) = 'string' THEN _je._v #>> '{}' END) IS NOT NULL AND ((CASE WHEN jsonb_typeof(_je._v) = 'string' THEN _je._v #>> '{}' END) IS NOT NULL AND (CASE WHEN jsonb_typeof(_je._v) = 'string' THEN _je._v #>> '{}' END) = CAST($1 AS text)))`,
      ["news"],
    ],
    [
      "tags:length > 2",
      `(coalesce(json_array_length("tags"), 0) IS NOT NULL AND coalesce(json_array_length("tags"), 0) > ?)`,
      [2],
      `((CASE WHEN jsonb_typeof("tags") = 'array' THEN jsonb_array_length("tags") ELSE 0 END) IS NOT NULL AND (CASE WHEN jsonb_typeof("tags") = 'array' THEN jsonb_array_length("tags") ELSE 0 END) > CAST($1 AS double precision))`,
      [2],
    ],
    ["title:lower = abc", `(lower("title") IS NOT NULL AND lower("title") = ?)`, ["abc"], `(lower("title") IS NOT NULL AND lower("title") = CAST($1 AS text))`, ["abc"]],
    ["title = @record.body", `"title" IS "body"`, [], `"title" IS NOT DISTINCT FROM "body"`, []],
    ["created < @record.updated", `("created" IS NOT NULL AND "updated" IS NOT NULL AND "created" < "updated")`, [], `("created" IS NOT NULL AND "updated" IS NOT NULL AND "created" < "updated")`, []],
    [
      "!(views = 1 || views = 2)",
      `NOT ((("views" IS NOT NULL AND "views" = ?) OR ("views" IS NOT NULL AND "views" = ?)))`,
      [1, 2],
      `NOT ((("views" IS NOT NULL AND "views" = CAST($1 AS double precision)) OR ("views" IS NOT NULL AND "views" = CAST($2 AS double precision))))`,
      [1, 2],
    ],
  ];
  it.each(cases)("%s", (src, liteSql, liteParams, pgSql, pgParams) => {
    expect(compile(src, "sqlite")).toEqual({ sql: liteSql, parameters: liteParams });
    expect(compile(src, "postgres")).toEqual({ sql: pgSql, parameters: pgParams });
  });

  it("compiles constants", () => {
    for (const d of ["sqlite", "postgres"] as const) {
      expect(compile(TRUE, d).sql).toBe("1=1");
      expect(compile(FALSE, d).sql).toBe("1=0");
      expect(compile({ kind: "and", items: [] }, d).sql).toBe("1=1");
      expect(compile({ kind: "or", items: [] }, d).sql).toBe("1=0");
    }
  });

  it("qualifies columns with the table alias", () => {
    expect(compile("title = x && tags ?= y", "sqlite", "p").sql).toContain(`"p"."title" = ?`);
    expect(compile("title = x && tags ?= y", "sqlite", "p").sql).toContain(`(SELECT "p"."tags" AS _c)`);
    expect(compile("title = x && tags ?= y", "postgres", "p").sql).toContain(`jsonb_typeof("p"."tags")`);
  });

  it("compares numerically when an unchecked any-literal is a number", () => {
    const expr: Expr = { kind: "compare", op: "gt", left: { kind: "field", name: "tags" }, right: { kind: "value", value: 3 }, any: true };
    expect(compile(expr, "sqlite").sql).toContain(`CASE WHEN _je.type IN ('integer', 'real') THEN _je.value END`);
    expect(compile(expr, "postgres").sql).toContain(`(_je._v #>> '{}')::double precision`);
    expect(compile(expr, "postgres").parameters).toEqual([3]);
  });

  it("refuses unchecked expressions", () => {
    const ctx: Expr = { kind: "compare", op: "eq", left: { kind: "ctx", path: "request.auth.id" }, right: { kind: "field", name: "owner_id" } };
    expect(() => compile(ctx, "sqlite")).toThrow(FilterError);
    const unknown: Expr = { kind: "isNull", operand: { kind: "field", name: "nope" }, negate: false };
    expect(() => compile(unknown, "postgres")).toThrow("unknown field 'nope'");
  });
});

describe("toSql: SQLite substring patterns", () => {
  const cmp = (op: "contains" | "startsWith" | "endsWith", caseSensitive: boolean, value = "ab") =>
    checkExpr({ kind: "compare", op, left: { kind: "field", name: "title" }, right: { kind: "value", value }, caseSensitive }, resolve);

  it("binds the pattern behind a unary plus where no index range scan can use it (no recompilation per run)", () => {
    expect(compile(cmp("contains", false), "sqlite").sql).toBe(`("title" IS NOT NULL AND "title" LIKE +? ESCAPE '\\')`);
    expect(compile(cmp("startsWith", false), "sqlite").sql).toBe(`("title" IS NOT NULL AND "title" LIKE +? ESCAPE '\\')`);
    expect(compile(cmp("endsWith", false), "sqlite").sql).toBe(`("title" IS NOT NULL AND "title" LIKE +? ESCAPE '\\')`);
    expect(compile(cmp("contains", true), "sqlite").sql).toBe(`("title" IS NOT NULL AND "title" GLOB +?)`);
    expect(compile(cmp("endsWith", true), "sqlite").sql).toBe(`("title" IS NOT NULL AND "title" GLOB +?)`);
    expect(compile(cmp("startsWith", true), "sqlite").sql).toBe(`("title" IS NOT NULL AND "title" GLOB ?)`);
  });

  it("keeps a case-sensitive prefix on an index, and matches the same rows as before when rebound", () => {
    const db = new Database(":memory:");
    try {
      db.exec(`CREATE TABLE "items" ("id" TEXT PRIMARY KEY, "title" TEXT); CREATE INDEX "items_title" ON "items" ("title")`);
      const insert = db.prepare(`INSERT INTO "items" VALUES (?, ?)`);
      for (const [id, title] of [
        ["1", "abc"],
        ["2", "Abc"],
        ["3", "xab"],
        ["4", "a%b"],
        ["5", null],
        ["6", "zzab"],
      ] as const)
        insert.run(id, title);
      const prefix = compile(cmp("startsWith", true), "sqlite");
      expect(
        db
          .prepare(`EXPLAIN QUERY PLAN SELECT "id" FROM "items" WHERE ${prefix.sql}`)
          .all(...prefix.parameters)
          .map((r: any) => r.detail)
          .join(" "),
      ).toMatch(/USING (COVERING )?INDEX items_title \(title>\? AND title<\?\)/);
      const ids = (op: "contains" | "startsWith" | "endsWith", caseSensitive: boolean, values: string[]) => {
        const q = compile(cmp(op, caseSensitive, values[0]), "sqlite");
        const stmt = db.prepare(`SELECT "id" FROM "items" WHERE ${q.sql} ORDER BY "id"`).pluck();
        // one statement, bound again with each value (what the statement cache does)
        return values.map((v) => stmt.all(...compile(cmp(op, caseSensitive, v), "sqlite").parameters));
      };
      expect(ids("contains", false, ["ab", "%", "zz"])).toEqual([["1", "2", "3", "6"], ["4"], ["6"]]);
      expect(ids("startsWith", false, ["ab", "a%"])).toEqual([["1", "2"], ["4"]]);
      expect(ids("endsWith", true, ["ab", "bc"])).toEqual([
        ["3", "6"],
        ["1", "2"],
      ]);
      expect(ids("startsWith", true, ["ab", "A"])).toEqual([["1"], ["2"]]);
    } finally {
      db.close();
    }
  });
});

describe("toSql: values are always bound parameters", () => {
  const hostile = ["x'; DROP TABLE items; --", 'x" OR 1=1 --', "a/**/OR/**/1=1", "$1", "?", "\\'", "日本語😀", "%_%", "' || (SELECT sqlite_version()) || '"];
  const templates: ((s: string) => Expr)[] = [
    (s) => ({ kind: "compare", op: "eq", left: { kind: "field", name: "title" }, right: { kind: "value", value: s } }),
    (s) => ({ kind: "compare", op: "ne", left: { kind: "field", name: "title", modifier: "lower" }, right: { kind: "value", value: s } }),
    (s) => ({ kind: "compare", op: "contains", left: { kind: "field", name: "body" }, right: { kind: "value", value: s } }),
    (s) => ({ kind: "compare", op: "startsWith", left: { kind: "field", name: "title" }, right: { kind: "value", value: s } }),
    (s) => ({ kind: "compare", op: "endsWith", left: { kind: "field", name: "title" }, right: { kind: "value", value: s } }),
    (s) => ({ kind: "compare", op: "notIn", left: { kind: "field", name: "status" }, right: { kind: "value", value: [s, "b"] } }),
    (s) => ({ kind: "compare", op: "gte", left: { kind: "field", name: "tags" }, right: { kind: "value", value: s }, any: true }),
    (s) => ({ kind: "compare", op: "notContains", left: { kind: "field", name: "tags" }, right: { kind: "value", value: s }, any: true }),
  ];
  const cases = hostile.flatMap((s) => templates.map((t, i) => [s, i] as const));
  it.each(cases)("%j via template %i", (value, i) => {
    const expr = checkExpr(templates[i]!(value), resolve);
    for (const dialect of ["sqlite", "postgres"] as const) {
      const { sql, parameters } = compile(expr, dialect);
      // the value reaches the database only as a parameter
      const unescapeLike = (p: string) => p.replace(/\\([\\%_])/g, "$1");
      expect(parameters.some((p) => p === value || (typeof p === "string" && unescapeLike(p).includes(value)))).toBe(true);
      if (value.length > 2) expect(sql).not.toContain(value);
      if (dialect === "postgres") expect(sql).not.toMatch(/\?/);
      const placeholders = dialect === "sqlite" ? (sql.match(/\?/g) ?? []).length : new Set(sql.match(/\$\d+/g)).size;
      expect(placeholders).toBe(parameters.length);
    }
  });

  it("binds booleans as 1/0 on SQLite and never binds a JS boolean there", () => {
    const { parameters } = compile("published = true || published != false || published in [true, false]", "sqlite");
    expect(parameters).toEqual([1, 0, 1, 0]);
  });

  it("never emits the PostgreSQL jsonb '?' operator", () => {
    const all = [
      "tags ?= a",
      "tags ?!= a",
      "tags ?> a",
      "tags ?>= a",
      "tags ?< a",
      "tags ?<= a",
      "tags ?~ a",
      "tags ?!~ a",
      "tags ?= [a, b]",
      "categories:length = 0",
      "meta = null",
      "attachments ?~ png",
    ].join(" || ");
    const { sql, parameters } = compile(all, "postgres");
    expect(sql).not.toContain("?");
    expect(parameters.length).toBe(new Set(sql.match(/\$\d+/g)).size);
  });
});
