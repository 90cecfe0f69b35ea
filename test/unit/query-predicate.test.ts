import { describe, expect, it } from "vitest";
import { FilterError, type Expr } from "../../src/query/ast.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { asciiLower, compareText } from "../../src/query/match.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";
import { toPredicate } from "../../src/query/predicate.ts";
import { field } from "./query-fixtures.ts";

const def = { fields: [field("title", "text"), field("constructor", "text"), field("n", "number"), field("tags", "tags"), field("at", "datetime")] };
const resolve = collectionResolver(def);
const matches = (src: string, record: Record<string, unknown>) => toPredicate(checkExpr(parseExpression(src), resolve), resolve)(record);

describe("toPredicate", () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["title = x", { title: "x" }, true],
    ["title = x", {}, false],
    ["title != x", {}, true],
    ["title = null", {}, true],
    ["n > 1", { n: null }, false],
    ["!(n > 1)", { n: null }, true],
    ["title ~ HELLO", { title: "say hello" }, true],
    // non-ASCII letters are not case-folded in memory (SQLite behaviour)
    ["title ~ 'é'", { title: "CAFÉ" }, false],
    ["title:upper = 'CAFé'", { title: "café" }, true],
    // code point order: U+FFFF sorts before U+1F600 although its UTF-16 unit is larger
    ["title < '😀'", { title: "\uffff" }, true],
    ["title:length = 3", { title: "a😀b" }, true],
    ["tags:length = 0", { tags: null }, true],
    ["tags ?= '1'", { tags: [1, "1"] }, true],
    ["tags ?= '1'", { tags: [1] }, false],
    ["tags ?~ 'x'", { tags: "x" }, false],
    ["at > '2024-01-01T00:00:00+01:00'", { at: "2023-12-31T23:30:00.000Z" }, true],
    ["at > '2024-01-01'", { at: new Date("2024-01-02T00:00:00Z") }, true],
    // only own properties count: an inherited `constructor` is not a value
    ["constructor = null", {}, true],
    ["constructor ~ 'function'", {}, false],
  ];
  it.each(cases)("%s on %j → %s", (src, record, expected) => {
    expect(matches(src, record)).toBe(expected);
  });

  it("refuses unchecked expressions", () => {
    const e: Expr = { kind: "compare", op: "eq", left: { kind: "value", value: 1 }, right: { kind: "field", name: "n" } };
    expect(() => toPredicate(e, resolve)).toThrow(FilterError);
    expect(() => toPredicate({ kind: "isNull", operand: { kind: "field", name: "zz" }, negate: false }, resolve)).toThrow("unknown field 'zz'");
  });
});

describe("match helpers", () => {
  it.each([
    ["a", "b", -1],
    ["b", "a", 1],
    ["", "a", -1],
    ["a", "a", 0],
    ["ab", "a", 1],
    ["\uffff", "😀", -1],
    ["Z", "a", -1],
  ] as const)("compareText(%j, %j) has sign %i", (a, b, sign) => {
    expect(Math.sign(compareText(a, b))).toBe(sign);
  });

  it("folds ASCII only", () => {
    expect(asciiLower("ÀBC ÉCOLE")).toBe("Àbc École");
  });
});
