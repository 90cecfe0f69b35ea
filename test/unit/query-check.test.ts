import { describe, expect, it } from "vitest";
import { FALSE, FilterError, TRUE, type Expr, type Literal } from "../../src/query/ast.ts";
import { bindContext } from "../../src/query/bind-context.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";
import { ITEMS } from "./query-fixtures.ts";

const resolve = collectionResolver(ITEMS);
const check = (src: string) => checkExpr(parseExpression(src), resolve);
const f = (name: string, modifier?: "lower" | "upper" | "length") => (modifier ? ({ kind: "field", name, modifier } as const) : ({ kind: "field", name } as const));
const v = (value: Literal) => ({ kind: "value", value }) as const;
const cmp = (left: unknown, op: string, right: unknown, any?: boolean): Expr => (any ? { kind: "compare", op, left, right, any } : { kind: "compare", op, left, right }) as Expr;

function checkError(src: string): string {
  try {
    check(src);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return (e as FilterError).message;
  }
  throw new Error(`expected a FilterError for ${src}`);
}

describe("collectionResolver", () => {
  it.each([
    ["title", { name: "title", column: "title", kind: "text", list: false, fieldType: "text" }],
    ["views", { name: "views", column: "views", kind: "number", list: false, fieldType: "number" }],
    ["published", { name: "published", column: "published", kind: "bool", list: false, fieldType: "bool" }],
    ["birthday", { name: "birthday", column: "birthday", kind: "date", list: false, fieldType: "date" }],
    ["status", { name: "status", column: "status", kind: "text", list: false, fieldType: "select" }],
    ["categories", { name: "categories", column: "categories", kind: "json", list: true, fieldType: "select" }],
    ["tags", { name: "tags", column: "tags", kind: "json", list: true, fieldType: "tags" }],
    ["attachments", { name: "attachments", column: "attachments", kind: "json", list: true, fieldType: "file" }],
    ["author", { name: "author", column: "author", kind: "text", list: false, fieldType: "reference" }],
    ["meta", { name: "meta", column: "meta", kind: "json", list: false, fieldType: "json" }],
    ["place", { name: "place", column: "place", kind: "json", list: false, fieldType: "geopoint" }],
    ["id", { name: "id", column: "id", kind: "text", list: false, fieldType: "system" }],
    ["owner_id", { name: "owner_id", column: "owner_id", kind: "text", list: false, fieldType: "system" }],
    ["created", { name: "created", column: "created", kind: "datetime", list: false, fieldType: "system" }],
    ["updated", { name: "updated", column: "updated", kind: "datetime", list: false, fieldType: "system" }],
    ["version", { name: "version", column: "version", kind: "number", list: false, fieldType: "system" }],
  ])("resolves %s", (name, info) => {
    expect(resolve(name)).toEqual(info);
  });

  it.each(["account_id", "nope", "__proto__", "constructor", "toString", "Title", ""])("does not resolve %j", (name) => {
    expect(resolve(name)).toBeUndefined();
  });

  it("caches one resolver per definition object", () => {
    expect(collectionResolver(ITEMS)).toBe(resolve);
    expect(collectionResolver({ fields: [...ITEMS.fields] })).not.toBe(resolve);
  });
});

describe("checkExpr: coercion to the field's kind", () => {
  const cases: [string, Expr][] = [
    ['views > "10"', cmp(f("views"), "gt", v(10))],
    ["views > 10", cmp(f("views"), "gt", v(10))],
    ['price <= " 2.5 "', cmp(f("price"), "lte", v(2.5))],
    ["version = 3", cmp(f("version"), "eq", v(3))],
    ["published = true", cmp(f("published"), "eq", v(true))],
    ['published = "FALSE"', cmp(f("published"), "eq", v(false))],
    ["published = 1", cmp(f("published"), "eq", v(true))],
    ["published != 0", cmp(f("published"), "ne", v(false))],
    ["due > 2024-01-01", cmp(f("due"), "gt", v("2024-01-01T00:00:00.000Z"))],
    ['due > "2024-01-01T10:00:00+02:00"', cmp(f("due"), "gt", v("2024-01-01T08:00:00.000Z"))],
    ['created >= "2024-01-01 10:00"', cmp(f("created"), "gte", v("2024-01-01T10:00:00.000Z"))],
    ['due < "2024-01-01T10:00:00.123456Z"', cmp(f("due"), "lt", v("2024-01-01T10:00:00.123Z"))],
    ['birthday = "2024-05-01"', cmp(f("birthday"), "eq", v("2024-05-01"))],
    ['birthday = "2024-05-01T23:00:00-05:00"', cmp(f("birthday"), "eq", v("2024-05-02"))],
    ["title = 10", cmp(f("title"), "eq", v("10"))],
    ["title = 1.5", cmp(f("title"), "eq", v("1.5"))],
    ["title = true", cmp(f("title"), "eq", v("true"))],
    ["title ~ 42", cmp(f("title"), "contains", v("42"))],
    ["status in [draft, 1]", cmp(f("status"), "in", v(["draft", "1"]))],
    ['views not in [1, "2"]', cmp(f("views"), "notIn", v([1, 2]))],
    ["views = [1, 2]", cmp(f("views"), "in", v([1, 2]))],
    ["views != [1, null]", cmp(f("views"), "notIn", v([1, null]))],
    ["tags ?= 5", cmp(f("tags"), "eq", v("5"), true)],
    ["tags ?= [a, null, 3]", cmp(f("tags"), "in", v(["a", "3"]), true)],
    ["tags ?!~ x", cmp(f("tags"), "notContains", v("x"), true)],
    ["value ?= x", cmp(f("value"), "eq", v("x"), true)],
    ["tags:length > '2'", cmp(f("tags", "length"), "gt", v(2))],
    ["title:length <= 3", cmp(f("title", "length"), "lte", v(3))],
    ["title:lower = 5", cmp(f("title", "lower"), "eq", v("5"))],
    ["@record.title:upper ~ x", cmp(f("title", "upper"), "contains", v("x"))],
  ];
  it.each(cases)("%s", (src, expected) => {
    expect(check(src)).toEqual(expected);
  });
});

describe("checkExpr: normalisation and folding", () => {
  const cases: [string, Expr][] = [
    ["10 < views", cmp(f("views"), "gt", v(10))],
    ["10 >= views", cmp(f("views"), "lte", v(10))],
    ['"x" != title', cmp(f("title"), "ne", v("x"))],
    ["null = title", { kind: "isNull", operand: f("title"), negate: false }],
    ["meta != null", { kind: "isNull", operand: f("meta"), negate: true }],
    ["tags = null", { kind: "isNull", operand: f("tags"), negate: false }],
    ["created < @record.updated", cmp(f("created"), "lt", f("updated"))],
    ["title = @record.body", cmp(f("title"), "eq", f("body"))],
    ["title:length > @record.views", cmp(f("title", "length"), "gt", f("views"))],
    ['"a" = "a"', TRUE],
    ['"a" = "b"', FALSE],
    ['"a" != "b"', TRUE],
    ["1 < 2", TRUE],
    ['"abc" ~ "B"', TRUE],
    ['"x" in [a, x]', TRUE],
    ['"x" not in [a, x]', FALSE],
    ['!("a" = "a")', FALSE],
    ['title = x && "a" = "a"', cmp(f("title"), "eq", v("x"))],
    ['title = x && "a" = "b"', FALSE],
    ['title = x || "a" = "a"', TRUE],
    ['title = x || "a" = "b" || views > 1', { kind: "or", items: [cmp(f("title"), "eq", v("x")), cmp(f("views"), "gt", v(1))] }],
    ["(title = a && (views = 1 && views = 2))", { kind: "and", items: [cmp(f("title"), "eq", v("a")), cmp(f("views"), "eq", v(1)), cmp(f("views"), "eq", v(2))] }],
    ["!(!(title = a))", cmp(f("title"), "eq", v("a"))],
  ];
  it.each(cases)("%s", (src, expected) => {
    expect(check(src)).toEqual(expected);
  });
});

describe("checkExpr: rejections", () => {
  const cases: [string, string][] = [
    ["nope = 1", "unknown field 'nope'"],
    ["account_id = 'acc'", "unknown field 'account_id'"],
    ["constructor = 1", "unknown field 'constructor'"],
    ["author.name = x", "filtering through relations ('author.name') is not supported"],
    ["nope.name = x", "unknown field 'nope.name'"],
    ["views = abc", "invalid number 'abc' for field 'views'"],
    ["views = true", "invalid number true for field 'views'"],
    ['views > ""', "invalid number '' for field 'views'"],
    ["published = yes", "invalid boolean 'yes' for field 'published'"],
    ["published = 2", "invalid boolean 2 for field 'published'"],
    ["due > tomorrow", "invalid datetime 'tomorrow' for field 'due'"],
    ['due > "2024-02-30"', "invalid datetime '2024-02-30' for field 'due'"],
    ["due > 5", "invalid datetime 5 for field 'due'"],
    ['birthday = "2024-13-01"', "invalid date '2024-13-01' for field 'birthday'"],
    ['title = "a\u0000b"', "invalid value for field 'title': values cannot contain NUL characters"],
    ["published > true", "operator '>' is not supported for bool field 'published'"],
    ["published ~ t", "operator '~' is not supported for bool field 'published'"],
    ["views ~ 1", "operator '~' is not supported for number field 'views'"],
    ["due !~ 2024", "operator '!~' is not supported for datetime field 'due'"],
    ["tags = a", "field 'tags' is a list: use an any-operator such as '?=' or '?~', or ':length' (got '=')"],
    ["categories ~ a", "field 'categories' is a list: use an any-operator such as '?=' or '?~', or ':length' (got '~')"],
    ["title ?= a", "operator '?=' needs a list field; 'title' is not a list"],
    ["tags ?= null", "cannot compare field 'tags' with null using '?='"],
    ["views > null", "cannot compare field 'views' with null using '>'"],
    ["meta = x", "field 'meta' (json) can only be compared with null"],
    ["place ~ x", "field 'place' (json) can only be compared with null"],
    ["views:length > 1", "modifier ':length' needs a text or list field; 'views' is number"],
    ["meta:length > 1", "modifier ':length' needs a text or list field; 'meta' is json"],
    ["tags:lower = x", "modifier ':lower' needs a text field; 'tags' is a list"],
    ["due:upper = x", "modifier ':upper' needs a text field; 'due' is datetime"],
    ["tags:length ?= 1", "operator '?=' needs a list field; 'tags' is not a list"],
    ["views > [1, 2]", "operator '>' cannot take a list (field 'views')"],
    ['"x" ~ title', "the left side of '~' must be a field"],
    ['"x" in title', "unexpected 'title' at position 7 (expected a list '[...]' after 'in')"],
    ["title = @record.views", "cannot compare field 'title' (text) with field 'views' (number) using '='"],
    ["tags ?= @record.title", "cannot compare field 'tags' (list) with field 'title' (text) using '?='"],
    ["title ~ @record.body", "operator '~' cannot compare two fields ('title', 'body')"],
    ["published > @record.published", "operator '>' cannot compare two fields ('published', 'published')"],
    ["owner_id = @request.auth.id", "context value '@request.auth.id' must be bound before the filter is checked"],
    ["@request.auth.id != null", "context value '@request.auth.id' must be bound before the filter is checked"],
  ];
  it.each(cases)("%s", (src, message) => {
    expect(checkError(src)).toBe(message);
  });

  it("guards against hostile ASTs from other parsers", () => {
    let deep: Expr = { kind: "compare", op: "eq", left: f("title"), right: v("x") };
    for (let i = 0; i < 100_000; i++) deep = { kind: "not", expr: deep };
    expect(() => checkExpr(deep, resolve)).toThrow("filter is nested too deeply (max 64)");
    const wide: Expr = { kind: "or", items: Array.from({ length: 1001 }, () => cmp(f("views"), "eq", v(1))) };
    expect(() => checkExpr(wide, resolve)).toThrow("filter has too many comparisons (max 1000)");
    expect(checkExpr(wide, resolve, { maxComparisons: 2000 }).kind).toBe("or");
  });
});

describe("bindContext + checkExpr (rules)", () => {
  const rule = parseExpression("@request.auth.id = owner_id || @request.auth.role = 'admin'");
  const bound = (values: Record<string, string | null>) =>
    checkExpr(
      bindContext(rule, (path) => values[path]),
      resolve,
    );

  it.each([
    [{ "request.auth.id": "u1", "request.auth.role": "user" }, cmp(f("owner_id"), "eq", v("u1"))],
    [{ "request.auth.id": "u1", "request.auth.role": "admin" }, TRUE],
    [
      { "request.auth.id": null, "request.auth.role": "user" },
      { kind: "isNull", operand: f("owner_id"), negate: false },
    ],
    [{ "request.auth.id": "", "request.auth.role": null }, cmp(f("owner_id"), "eq", v(""))],
  ] as [Record<string, string | null>, Expr][])("%j", (values, expected) => {
    expect(bound(values)).toEqual(expected);
  });

  it("rejects unknown context paths", () => {
    expect(() => bound({ "request.auth.id": "u1" })).toThrow("unknown context value '@request.auth.role'");
  });

  it("folds list-valued context with any-operators", () => {
    const e = parseExpression("@request.auth.roles ?= 'editor' && status = draft");
    const lookup = (roles: string[]) => (p: string) => (p === "request.auth.roles" ? roles : undefined);
    expect(checkExpr(bindContext(e, lookup(["user", "editor"])), resolve)).toEqual(cmp(f("status"), "eq", v("draft")));
    expect(checkExpr(bindContext(e, lookup(["user"])), resolve)).toEqual(FALSE);
  });
});
