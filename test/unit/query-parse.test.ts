import { describe, expect, it } from "vitest";
import { FilterError, TRUE, type Expr, type Literal } from "../../src/query/ast.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";

const NOW = new Date("2024-05-15T13:45:30.250Z");
const parse = (src: string, opts: Parameters<typeof parseExpression>[1] = {}) => parseExpression(src, { now: () => NOW, ...opts });

const f = (name: string, modifier?: "lower" | "upper" | "length") => (modifier ? ({ kind: "field", name, modifier } as const) : ({ kind: "field", name } as const));
const v = (value: Literal) => ({ kind: "value", value }) as const;
const cmp = (left: unknown, op: string, right: unknown, any?: boolean): Expr => (any ? { kind: "compare", op, left, right, any } : { kind: "compare", op, left, right }) as Expr;

function parseError(src: string, opts = {}): FilterError {
  try {
    parse(src, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error(`expected a FilterError for ${JSON.stringify(src)}`);
}

describe("parseExpression: comparisons and values", () => {
  const cases: [string, Expr][] = [
    ['title = "x"', cmp(f("title"), "eq", v("x"))],
    ["title='x'", cmp(f("title"), "eq", v("x"))],
    ["views>10", cmp(f("views"), "gt", v(10))],
    ["views >= -5", cmp(f("views"), "gte", v(-5))],
    ["price < 9.99", cmp(f("price"), "lt", v(9.99))],
    ["price <= -0.5", cmp(f("price"), "lte", v(-0.5))],
    ['title != "a"', cmp(f("title"), "ne", v("a"))],
    ['title ~ "cms"', cmp(f("title"), "contains", v("cms"))],
    ['title !~ "cms"', cmp(f("title"), "notContains", v("cms"))],
    ['tags ?= "a"', cmp(f("tags"), "eq", v("a"), true)],
    ['tags ?!= "a"', cmp(f("tags"), "ne", v("a"), true)],
    ["tags ?> b", cmp(f("tags"), "gt", v("b"), true)],
    ["tags ?>= b", cmp(f("tags"), "gte", v("b"), true)],
    ["tags ?< b", cmp(f("tags"), "lt", v("b"), true)],
    ["tags ?<= b", cmp(f("tags"), "lte", v("b"), true)],
    ["tags ?~ b", cmp(f("tags"), "contains", v("b"), true)],
    ["tags ?!~ b", cmp(f("tags"), "notContains", v("b"), true)],
    ["published = TRUE", cmp(f("published"), "eq", v(true))],
    ["published = False", cmp(f("published"), "eq", v(false))],
    ["status = published", cmp(f("status"), "eq", v("published"))],
    ["d = 2024-01-01", cmp(f("d"), "eq", v("2024-01-01"))],
    ["d > 2024-01-01T10:00:00Z", cmp(f("d"), "gt", v("2024-01-01T10:00:00Z"))],
    ["n = 1e5", cmp(f("n"), "eq", v("1e5"))],
    ['t = "a \\"quoted\\" word"', cmp(f("t"), "eq", v('a "quoted" word'))],
    ["t = 'it\\'s'", cmp(f("t"), "eq", v("it's"))],
    ["t = 'back\\\\slash'", cmp(f("t"), "eq", v("back\\slash"))],
    ["t = 'keep\\n'", cmp(f("t"), "eq", v("keep\\n"))],
    ["t = 'say \"hi\"'", cmp(f("t"), "eq", v('say "hi"'))],
    ['t = ""', cmp(f("t"), "eq", v(""))],
    ['t = "日本語 ✓"', cmp(f("t"), "eq", v("日本語 ✓"))],
    ["t = café", cmp(f("t"), "eq", v("café"))],
    ["title:lower = x", cmp(f("title", "lower"), "eq", v("x"))],
    ["title:upper = X", cmp(f("title", "upper"), "eq", v("X"))],
    ["tags:length > 2", cmp(f("tags", "length"), "gt", v(2))],
    ["@record.title = x", cmp(f("title"), "eq", v("x"))],
    ["title = @record.name", cmp(f("title"), "eq", f("name"))],
    ["@request.auth.id = owner_id", cmp({ kind: "ctx", path: "request.auth.id" }, "eq", f("owner_id"))],
    ["owner_id = @request.auth.id", cmp(f("owner_id"), "eq", { kind: "ctx", path: "request.auth.id" })],
    ["10 < views", cmp(v(10), "lt", f("views"))],
    ['"a" = title', cmp(v("a"), "eq", f("title"))],
    ["author.name = x", cmp(f("author.name"), "eq", v("x"))],
    ["@now > created", cmp(v("2024-05-15T13:45:30.250Z"), "gt", f("created"))],
    ["@request.auth.role = 'admin'", cmp({ kind: "ctx", path: "request.auth.role" }, "eq", v("admin"))],
    ["@request.auth.role = admin-user", cmp({ kind: "ctx", path: "request.auth.role" }, "eq", v("admin-user"))],
    ["@request.auth.id = @record.owner_id", cmp({ kind: "ctx", path: "request.auth.id" }, "eq", f("owner_id"))],
    ["tags ?= [a, 'b c', 3]", cmp(f("tags"), "eq", v(["a", "b c", 3]), true)],
    ["status in [a, b]", cmp(f("status"), "in", v(["a", "b"]))],
    ["status IN []", cmp(f("status"), "in", v([]))],
    ["status not in [a, null, true, 1.5]", cmp(f("status"), "notIn", v(["a", null, true, 1.5]))],
    ["status Not In [a]", cmp(f("status"), "notIn", v(["a"]))],
    ["role in @request.auth.roles", cmp(f("role"), "in", { kind: "ctx", path: "request.auth.roles" })],
    ["x = [a,b]", cmp(f("x"), "eq", v(["a", "b"]))],
  ];
  it.each(cases)("%s", (src, expected) => {
    expect(parse(src)).toEqual(expected);
  });

  it.each([
    ["title = null", { kind: "isNull", operand: f("title"), negate: false }],
    ["title = NONE", { kind: "isNull", operand: f("title"), negate: false }],
    ["title != null", { kind: "isNull", operand: f("title"), negate: true }],
    ["null = title", { kind: "isNull", operand: f("title"), negate: false }],
    ["@request.auth.id != null", { kind: "isNull", operand: { kind: "ctx", path: "request.auth.id" }, negate: true }],
  ])("%s → isNull", (src, expected) => {
    expect(parse(src)).toEqual(expected);
  });

  it.each(["", "   ", "\n\t"])("blank %j is TRUE", (src) => {
    expect(parse(src)).toEqual(TRUE);
  });
});

describe("parseExpression: datetime macros", () => {
  const cases: [string, string][] = [
    ["@now", "2024-05-15T13:45:30.250Z"],
    ["@today", "2024-05-15T00:00:00.000Z"],
    ["@todayStart", "2024-05-15T00:00:00.000Z"],
    ["@todayEnd", "2024-05-15T23:59:59.999Z"],
    ["@yesterday", "2024-05-14T00:00:00.000Z"],
    ["@tomorrow", "2024-05-16T00:00:00.000Z"],
    ["@monthStart", "2024-05-01T00:00:00.000Z"],
    ["@monthEnd", "2024-05-31T23:59:59.999Z"],
    ["@yearStart", "2024-01-01T00:00:00.000Z"],
    ["@yearEnd", "2024-12-31T23:59:59.999Z"],
    ["@second+30", "2024-05-15T13:46:00.250Z"],
    ["@minute-45", "2024-05-15T13:00:30.250Z"],
    ["@hour+1", "2024-05-15T14:45:30.250Z"],
    ["@day-15", "2024-04-30T13:45:30.250Z"],
    ["@day", "2024-05-15T13:45:30.250Z"],
    ["@week+2", "2024-05-29T13:45:30.250Z"],
    ["@month-3", "2024-02-15T13:45:30.250Z"],
    ["@year+1", "2025-05-15T13:45:30.250Z"],
    ["@TODAYSTART", "2024-05-15T00:00:00.000Z"],
  ];
  it.each(cases)("%s", (macro, iso) => {
    expect(parse(`created > ${macro}`)).toEqual(cmp(f("created"), "gt", v(iso)));
  });

  it("clamps month arithmetic to the month's last day", () => {
    const jan31 = () => new Date("2024-01-31T08:00:00.000Z");
    expect(parseExpression("d > @month+1", { now: jan31 })).toEqual(cmp(f("d"), "gt", v("2024-02-29T08:00:00.000Z")));
    expect(parseExpression("d > @year+1", { now: () => new Date("2024-02-29T00:00:00Z") })).toEqual(cmp(f("d"), "gt", v("2025-02-28T00:00:00.000Z")));
  });

  it("resolves macros inside lists and on the left", () => {
    expect(parse("d in [@today, @tomorrow]")).toEqual(cmp(f("d"), "in", v(["2024-05-15T00:00:00.000Z", "2024-05-16T00:00:00.000Z"])));
    expect(parse("d < @now")).toEqual(cmp(f("d"), "lt", v("2024-05-15T13:45:30.250Z")));
  });

  it.each([
    ["d > @nope", "unknown macro '@nope' at position 4"],
    ["d > @year+9999999", "date out of range '@year+9999999' at position 4"],
    ["d > @day+", "unknown macro '@day+' at position 4"],
  ])("%s fails", (src, message) => {
    const e = parseError(src);
    expect(e.message).toBe(message);
    expect(e.position).toBe(4);
  });
});

describe("parseExpression: boolean structure", () => {
  const a = cmp(f("a"), "eq", v(1));
  const b = cmp(f("b"), "eq", v(2));
  const c = cmp(f("c"), "eq", v(3));
  const cases: [string, Expr][] = [
    ["a=1 && b=2 || c=3", { kind: "or", items: [{ kind: "and", items: [a, b] }, c] }],
    ["a=1 || b=2 && c=3", { kind: "or", items: [a, { kind: "and", items: [b, c] }] }],
    ["(a=1 || b=2) && c=3", { kind: "and", items: [{ kind: "or", items: [a, b] }, c] }],
    ["a=1 and b=2 OR c=3", { kind: "or", items: [{ kind: "and", items: [a, b] }, c] }],
    ["a=1 AND b=2 And c=3", { kind: "and", items: [a, b, c] }],
    ["!(a=1)", { kind: "not", expr: a }],
    ["!!(a=1)", a],
    ["! ( a=1 || b=2 )", { kind: "not", expr: { kind: "or", items: [a, b] } }],
    ["((((a=1))))", a],
    ["a=1&&!(b=2||!(c=3))", { kind: "and", items: [a, { kind: "not", expr: { kind: "or", items: [b, { kind: "not", expr: c }] } }] }],
    ["  a = 1\n&&\tb  =  2  ", { kind: "and", items: [a, b] }],
  ];
  it.each(cases)("%s", (src, expected) => {
    expect(parse(src)).toEqual(expected);
  });

  it("treats keywords as values or fields where a value or field is expected", () => {
    expect(parse("and = or")).toEqual(cmp(f("and"), "eq", v("or")));
    expect(parse("x = in")).toEqual(cmp(f("x"), "eq", v("in")));
  });
});

describe("parseExpression: syntax errors carry the offending text and position", () => {
  const cases: [string, string, number][] = [
    ["title = 'abc", "unterminated string starting at position 8", 8],
    ['a = 1 && b = "x', "unterminated string starting at position 13", 13],
    ["(a = 1)) && b = 2", "unexpected ')' at position 7", 7],
    ["a = 1 && (b = 2", "unexpected end of expression at position 15 (expected ')' to close '(' at position 9)", 15],
    ["a = ", "unexpected end of expression at position 4 (expected a value after '=')", 4],
    ["a", "unexpected end of expression at position 1 (expected an operator after 'a')", 1],
    ["a b", "unexpected 'b' at position 2 (expected an operator after 'a')", 2],
    ["a = 1 b = 2", "unexpected 'b' at position 6", 6],
    ["a = 1 &&", "unexpected end of expression at position 8 (expected a field or value)", 8],
    ["&& a = 1", "unexpected '&&' at position 0 (expected a field or value)", 0],
    ["a = 1 & b = 2", "unexpected '&' at position 6 (did you mean '&&'?)", 6],
    ["a = 1 | b = 2", "unexpected '|' at position 6 (did you mean '||'?)", 6],
    ["a == 1", "unexpected '=' at position 3 (expected a value)", 3],
    ["a ? 1", "unexpected '? 1' at position 2", 2],
    ["!a = 1", "unexpected 'a' at position 1 (expected '(' after '!')", 1],
    ["a = )", "unexpected ')' at position 4 (expected a value)", 4],
    ["()", "unexpected ')' at position 1 (expected a field or value)", 1],
    ["a in b", "unexpected 'b' at position 5 (expected a list '[...]' after 'in')", 5],
    ["a not b", "unexpected 'b' at position 6 (expected 'in' after 'not')", 6],
    ["a in [1, 2", "unexpected end of expression at position 10 (expected ',' or ']' in the list at position 5)", 10],
    ["a in [1,]", "unexpected ']' at position 8 (expected a list item in the list at position 5)", 8],
    ["a in [[1]]", "unexpected '[' at position 6 (expected a list item in the list at position 5)", 6],
    ["a = [@record.x]", "list items must be values, not '@record.x' at position 5", 5],
    ["a-b = 1", "invalid field name 'a-b' at position 0", 0],
    ["title:each = 1", "unsupported modifier ':each' at position 0", 0],
    ["title:lower:upper = 1", "invalid field name 'title:lower:upper' at position 0", 0],
    ["@request = 1", "invalid request reference '@request' at position 0", 0],
    ["@collection.x = 1", "unknown macro '@collection.x' at position 0", 0],
    [`a = ${"9".repeat(400)}`, `number out of range '${"9".repeat(40)}…' at position 4`, 4],
    ["[1] = a", "unexpected '[' at position 0 (expected a field or value)", 0],
    ["a = 1 \u0000 b", "unexpected character '\\u0000' at position 6", 6],
  ];
  it.each(cases)("%j", (src, message, position) => {
    const e = parseError(src);
    expect(e.message).toBe(message);
    expect(e.position).toBe(position);
  });
});

describe("parseExpression: limits and hostile input", () => {
  it("rejects sources over the length limit before parsing", () => {
    const src = `title = "${"x".repeat(10_000)}"`;
    const e = parseError(src);
    expect(e.message).toBe(`filter is too long (${src.length} characters, max 4096)`);
    expect(parse(src, { maxLength: 20_000 })).toEqual(cmp(f("title"), "eq", v("x".repeat(10_000))));
  });

  it("rejects nesting beyond the depth limit without deep recursion", () => {
    const deep = `${"(".repeat(1000)}a=1${")".repeat(1000)}`;
    const t0 = performance.now();
    const e = parseError(deep, { maxLength: 10_000 });
    expect(e.message).toBe("expression nested too deeply at position 32 (max 32)");
    expect(e.position).toBe(32);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(parse(`${"(".repeat(32)}a=1${")".repeat(32)}`)).toEqual(cmp(f("a"), "eq", v(1)));
    // the cap holds even when a caller asks for more
    expect(() => parse(`${"(".repeat(5000)}a=1${")".repeat(5000)}`, { maxLength: 20_000, maxDepth: 1e9 })).toThrow("max 1000");
  });

  it("collapses long runs of '!' iteratively", () => {
    expect(parse(`${"!".repeat(3001)}(a=1)`)).toEqual({ kind: "not", expr: cmp(f("a"), "eq", v(1)) });
  });

  it("limits the number of comparisons", () => {
    const src = Array.from({ length: 101 }, (_, i) => `f${i}=1`).join("&&");
    const e = parseError(src);
    expect(e.message).toMatch(/^too many comparisons at position \d+ \(max 100\)$/);
    expect(e.position).toBe(src.lastIndexOf("f100"));
    const ok = parse(Array.from({ length: 100 }, (_, i) => `f${i}=1`).join(" || "));
    expect(ok.kind === "or" && ok.items.length).toBe(100);
  });

  it("parses a long flat expression quickly with raised limits", () => {
    const src = Array.from({ length: 2000 }, (_, i) => `field_${i} >= ${i}`).join(" && ");
    const t0 = performance.now();
    const e = parse(src, { maxLength: 100_000, maxComparisons: 5000 });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(e.kind === "and" && e.items.length).toBe(2000);
  });

  const hostile: [string, Expr | string][] = [
    ["title = 'x' -- comment", "unexpected '--' at position 12"],
    ['title = "x\'; DROP TABLE posts; --"', cmp(f("title"), "eq", v("x'; DROP TABLE posts; --"))],
    ["title = x;drop", cmp(f("title"), "eq", v("x;drop"))],
    ["title = /* c */ 1", "unexpected 'c' at position 11"],
    ["title; = 1", "invalid field name 'title;' at position 0"],
    ['title = "a\u0000b"', cmp(f("title"), "eq", v("a\u0000b"))],
    ["title = '\u202e\uFEFF𝔘'", cmp(f("title"), "eq", v("\u202e\uFEFF𝔘"))],
    ["titlé = 1", "invalid field name 'titlé' at position 0"],
    ["__proto__ = 1", cmp(f("__proto__"), "eq", v(1))],
    ["'\\' = 1", "unterminated string starting at position 0"],
    ["))))", "unexpected ')' at position 0 (expected a field or value)"],
    ["\u0001", "unexpected character '\\u0001' at position 0"],
  ];
  it.each(hostile)("%j", (src, expected) => {
    if (typeof expected === "string") expect(parseError(src).message).toBe(expected);
    else expect(parse(src)).toEqual(expected);
  });

  it("never throws anything but FilterError on random input", () => {
    const alphabet = ["(", ")", "[", "]", ",", "=", "!", "?", "~", "<", ">", "&", "|", '"', "'", "\\", " ", "a", "1", "@", ".", ":", "-", "\u0000", "é", "😀"];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const src = Array.from({ length: 1 + rand(40) }, () => alphabet[rand(alphabet.length)]).join("");
      try {
        parse(src);
        parsed++;
      } catch (e) {
        expect(e).toBeInstanceOf(FilterError);
        expect(typeof (e as FilterError).position === "number" || (e as FilterError).position === undefined).toBe(true);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
