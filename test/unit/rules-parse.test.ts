/**
 * The access-rule parser (src/query/parse-rule.ts, rule-macros.ts): both spellings to the one
 * AST, syntax detection, macros, binding of caller values, write-time validation, and hostile
 * input (limits, control characters, odd names) that must fail with a FilterError, never hang
 * or throw anything else.
 */
import { describe, expect, it } from "vitest";
import { FALSE, FilterError, TRUE, type Expr, type Literal } from "../../src/query/ast.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";
import { parseRule, parseRuleWithSyntax, parseSnackbaseRule } from "../../src/query/parse-rule.ts";
import { toPredicate } from "../../src/query/predicate.ts";
import { bindAndCheck, isKnownContextPath } from "../../src/core/rules/bind-rule.ts";
import { ruleProblem } from "../../src/core/rules/validate-rule.ts";
import type { CollectionDef, FieldDef } from "../../src/core/collections/types.ts";

const f = (name: string) => ({ kind: "field", name }) as const;
const v = (value: Literal) => ({ kind: "value", value }) as const;
const c = (path: string) => ({ kind: "ctx", path }) as const;
const cmp = (left: unknown, op: string, right: unknown): Expr => ({ kind: "compare", op, left, right }) as Expr;

function parseError(src: string): FilterError {
  try {
    parseRule(src);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error(`expected a FilterError for ${JSON.stringify(src)}`);
}

describe("parseRule: SnackBase spelling", () => {
  const cases: [string, Expr][] = [
    ["true", TRUE],
    ["false", FALSE],
    ["", TRUE],
    ["   ", TRUE],
    ['status == "draft"', cmp(f("status"), "eq", v("draft"))],
    ["views >= 10 and views < 20", { kind: "and", items: [cmp(f("views"), "gte", v(10)), cmp(f("views"), "lt", v(20))] }],
    ['status in ["draft", "published"]', cmp(f("status"), "in", v(["draft", "published"]))],
    ['status not in ["a"]', cmp(f("status"), "notIn", v(["a"]))],
    ["x in null", FALSE],
    ["record.title ~ 'cms'", cmp(f("title"), "contains", v("cms"))],
    ["user.id == record.created_by", cmp(c("request.auth.id"), "eq", f("owner_id"))],
    ["user.email != null", { kind: "isNull", operand: c("request.auth.email"), negate: true }],
    ["account.id == user.account_id", cmp(c("request.auth.account_id"), "eq", c("request.auth.account_id"))],
    ["created_at > @todayStart", cmp(f("created"), "gt", v(new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())).toISOString()))],
    ['@has_role("admin")', cmp(c("request.auth.role"), "eq", v("admin"))],
    ['@has_group("staff")', FALSE],
    ["@owns_record()", cmp(f("owner_id"), "eq", c("request.auth.id"))],
    ["@is_creator()", cmp(f("owner_id"), "eq", c("request.auth.id"))],
    ["@is_public()", cmp(f("public"), "eq", v(true))],
    ["@in_time_range(9, 17)", { kind: "and", items: [cmp(c("request.time.hour"), "gte", v(9)), cmp(c("request.time.hour"), "lt", v(17))] }],
    ["@in_time_range(22, 6)", { kind: "or", items: [cmp(c("request.time.hour"), "gte", v(22)), cmp(c("request.time.hour"), "lt", v(6))] }],
    ['@has_permission("read", "posts")', cmp(c("request.permission.read.posts"), "eq", v(true))],
    ['contains(title, "x")', cmp(f("title"), "contains", v("x"))],
    ['starts_with(user.email, "adm")', cmp(c("request.auth.email"), "startsWith", v("adm"))],
    ['ends_with(title, ".md")', cmp(f("title"), "endsWith", v(".md"))],
    ["not published", { kind: "not", expr: cmp(f("published"), "eq", v(true)) }],
    ["!!published", { kind: "not", expr: { kind: "not", expr: cmp(f("published"), "eq", v(true)) } }],
    ['@has_role("admin") or @owns_record()', { kind: "or", items: [cmp(c("request.auth.role"), "eq", v("admin")), cmp(f("owner_id"), "eq", c("request.auth.id"))] }],
    ["(a == 1 || b == 2) && c == 3", { kind: "and", items: [{ kind: "or", items: [cmp(f("a"), "eq", v(1)), cmp(f("b"), "eq", v(2))] }, cmp(f("c"), "eq", v(3))] }],
    ["@request.data.priority <= 3", cmp(c("request.data.priority"), "lte", v(3))],
  ];
  it.each(cases)("%s", (src, expected) => {
    expect(parseRule(src)).toEqual(expected);
  });

  it("binds `and` tighter than `or`, and `not` tightest", () => {
    expect(parseSnackbaseRule("a == 1 or b == 2 and not c == 3")).toEqual({
      kind: "or",
      items: [cmp(f("a"), "eq", v(1)), { kind: "and", items: [cmp(f("b"), "eq", v(2)), { kind: "not", expr: cmp(f("c"), "eq", v(3)) }] }],
    });
  });
});

describe("parseRule: syntax detection", () => {
  it.each([
    ['@request.auth.id = @record.owner_id || @request.auth.role = "admin"', "fastcms"],
    ['status = "published" && views > 10', "fastcms"],
    ["tags ?= 'news'", "fastcms"],
    ["title:lower = 'x'", "fastcms"],
    ['@has_role("admin")', "snackbase"],
    ["status == 'x'", "snackbase"],
    ["user.id = owner_id", "snackbase"],
    ["not published", "snackbase"],
    ["true", "snackbase"],
  ] as const)("%s → %s", (src, syntax) => {
    expect(parseRuleWithSyntax(src).syntax).toBe(syntax);
  });

  it("reads FastCMS rules exactly as the filter parser does", () => {
    for (const src of ["@request.auth.id = @record.owner_id", 'status = draft && (views > 10 || title ~ "x")', "@request.auth.id != ''", "x !~ 'y'"]) {
      expect(parseRule(src)).toEqual(parseExpression(src));
    }
  });
});

describe("parseRule: errors", () => {
  it.each([
    ["a ==", /end of rule/],
    ['status in ["a"', /end of/],
    ["(a == 1", /'\)'/],
    ["a == 1)", /unexpected '\)'/],
    ["@nope()", /unknown macro '@nope'/],
    ["@has_role()", /takes 1 argument/],
    ["@has_role(1)", /non-empty string/],
    ["@has_role(title)", /literal values/],
    ["@in_time_range(9, 25)", /hour from 0 to 24/],
    ['@has_permission("fly", "posts")', /must be one of/],
    ['@has_permission("read", "a;b")', /collection name/],
    ["lower(title) == 'x'", /unknown function 'lower'/],
    ["contains(title)", /takes 2 arguments/],
    ["user.password == 'x'", /unknown caller value/],
    ["record.a.b == 1", /invalid field name/],
    ["'x' == (a == 1)", /is a condition/],
    ["@owns_record() == true", /is a condition/],
    ["status in [user.id]", /literal value in the list/],
    ["'just a string' or a == 1", /not a condition/],
    ['"just a string"', /expected an operator/],
    ["a & b", /did you mean '&&'/],
    ["a == 'unterminated", /unterminated string/],
    ["@request.auth..id == 1", /invalid request reference/],
  ])("%s", (src, message) => {
    expect(parseError(src).message).toMatch(message);
  });

  it("reports positions", () => {
    expect(parseError("a == 1 and and").position).toBe(11);
  });
});

describe("parseRule: hostile input", () => {
  it("refuses over-long rules, deep nesting and too many comparisons", () => {
    expect(parseError("a == 1 or ".repeat(500) + "a == 1").message).toMatch(/too long/);
    expect(parseError("(".repeat(40) + "a == 1" + ")".repeat(40)).message).toMatch(/nested too deeply/);
    expect(parseError("not ".repeat(40) + "a == 1").message).toMatch(/nested too deeply/);
    expect(parseError(Array.from({ length: 101 }, (_, i) => `a == ${i}`).join(" or ")).message).toMatch(/too many comparisons/);
    expect(parseError(Array.from({ length: 101 }, () => "@owns_record()").join(" or ")).message).toMatch(/too many comparisons/);
  });

  it.each([
    "a == 1\u0000",
    "a\u0007 == 1",
    "a == \u202e1",
    "🙂 == 1",
    "a == 1e400",
    "__proto__.x == 1",
    "a == 1; DROP TABLE posts",
    "a == 1 -- comment",
    "a == `x`",
    "@request == 1",
    "@record == 1",
    "((((",
    "]]]",
    ",",
    "[1,2,3]",
    "in",
    "not",
    "@",
    "@@has_role('x')",
  ])("%j fails cleanly", (src) => {
    const e = parseError(src);
    expect(e.message.length).toBeLessThan(400);
  });

  it("treats quotes, backslashes and SQL inside strings as plain values", () => {
    expect(parseRule(`title == "x'; DROP TABLE posts; --"`)).toEqual(cmp(f("title"), "eq", v("x'; DROP TABLE posts; --")));
    expect(parseRule(`title == "%_\\\\"`)).toEqual(cmp(f("title"), "eq", v("%_\\")));
  });

  it("parses a large flat rule in linear time", () => {
    const src = Array.from({ length: 100 }, (_, i) => `f${i} == "v${i}"`).join(" and ");
    const started = performance.now();
    expect((parseRule(src) as { items: unknown[] }).items).toHaveLength(100);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

const field = (name: string, type: FieldDef["type"], options: FieldDef["options"] = {}): FieldDef => ({ id: name, name, type, required: false, unique: false, index: false, options });
const def = {
  fields: [field("title", "text"), field("status", "text"), field("views", "number"), field("published", "bool"), field("tags", "tags"), field("public", "bool")],
} as unknown as CollectionDef;
const resolve = collectionResolver(def);

describe("binding caller values", () => {
  const caller = (values: Record<string, Literal>) => (path: string) => (path in values ? values[path] : isKnownContextPath(path) ? "" : undefined);
  const bind = (src: string, values: Record<string, Literal>) => bindAndCheck(parseRule(src), caller(values), resolve);

  it("folds caller-only parts to constants and keeps record parts", () => {
    expect(bind('@has_role("admin")', { "request.auth.role": "admin" })).toEqual(TRUE);
    expect(bind('@has_role("admin")', { "request.auth.role": "user" })).toEqual(FALSE);
    expect(bind('@has_role("admin") or @owns_record()', { "request.auth.role": "user", "request.auth.id": "u1" })).toEqual(cmp(f("owner_id"), "eq", v("u1")));
    expect(bind("@in_time_range(9, 17)", { "request.time.hour": 12 })).toEqual(TRUE);
    expect(bind("@in_time_range(22, 6)", { "request.time.hour": 12 })).toEqual(FALSE);
    expect(bind('@request.auth.id != ""', { "request.auth.id": "" })).toEqual(FALSE);
  });

  it("never lets an anonymous owner check match a row without owner", () => {
    const expr = bind("owner_id = @request.auth.id", { "request.auth.id": "" });
    expect(toPredicate(expr, resolve)({ owner_id: null })).toBe(false);
    expect(toPredicate(bind("@owns_record()", {}), resolve)({ owner_id: null })).toBe(false);
  });

  it("makes a comparison with a request value of the wrong type false, not an error", () => {
    expect(bind("views <= @request.data.views || published = true", { "request.data.views": "many" })).toEqual(cmp(f("published"), "eq", v(true)));
  });

  it("throws for unknown fields and request values", () => {
    expect(() => bind("nope = @request.auth.id", {})).toThrow(/unknown field 'nope'/);
    expect(() => bind("@request.secret.x = 1", {})).toThrow(/unknown context value/);
  });
});

describe("ruleProblem (write-time validation)", () => {
  it.each([
    [null, null],
    ["", null],
    ["true", null],
    ['@has_role("admin") or @owns_record()', null],
    ["@is_public()", null],
    ['status in ["a", "b"] && views > 10', null],
    ["@request.auth.id = owner_id", null],
    ["tags ?= 'x'", null],
    ["nope = 1", "unknown field 'nope'"],
    ["views ~ 'x' && 1 = 1", "operator '~' is not supported for number field 'views'"],
    ["@request.auth.password = 'x'", "unknown context value '@request.auth.password'"],
    ["status in [", "unexpected end of expression at position 11 (expected a list item in the list at position 10)"],
  ])("%j → %j", (rule, problem) => {
    expect(ruleProblem(rule, def)).toBe(problem);
  });

  it("checks only syntax and request values without a collection", () => {
    expect(ruleProblem("nope = 1")).toBeNull();
    expect(ruleProblem("@request.nope = 1")).toMatch(/unknown context value/);
    expect(ruleProblem("x".repeat(4001))).toMatch(/at most 4000/);
  });
});
