/**
 * The checked-filter cache (core/records/checked-filter.ts): its key names an expression exactly,
 * so two filters share an entry only when they are the same filter with the same access rule.
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { checkedFilter, compiledWhere, exprKey, MAX_CHECKED_FILTERS } from "../../src/core/records/checked-filter.ts";
import type { CollectionDef } from "../../src/core/collections/types.ts";
import { and, type Expr, type Literal } from "../../src/query/ast.ts";
import { parseExpression } from "../../src/query/parse-expression.ts";

const cmp = (value: Literal, op: "eq" | "contains" = "eq", name = "title"): Expr => ({ kind: "compare", op, left: { kind: "field", name }, right: { kind: "value", value } });
const def = () => ({ name: "posts", fields: [] }) as unknown as CollectionDef;

describe("exprKey", () => {
  it("tells apart literal types and the values JSON would merge", () => {
    const keys = [1, "1", true, "true", null, "null", 0, -0, Infinity, -Infinity, NaN, [1, 2], "[1,2]", ["1", "2"]].map((v) => exprKey(cmp(v)));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("tells apart operators, fields, modifiers, any, case sensitivity, negation and context paths", () => {
    const keys = [
      cmp("a"),
      cmp("a", "contains"),
      cmp("a", "eq", "body"),
      { kind: "compare", op: "eq", left: { kind: "field", name: "title", modifier: "lower" }, right: { kind: "value", value: "a" } },
      { kind: "compare", op: "eq", left: { kind: "field", name: "title" }, right: { kind: "value", value: "a" }, any: true },
      { kind: "compare", op: "eq", left: { kind: "field", name: "title" }, right: { kind: "value", value: "a" }, caseSensitive: true },
      { kind: "compare", op: "eq", left: { kind: "field", name: "title" }, right: { kind: "ctx", path: "request.auth.id" } },
      { kind: "isNull", operand: { kind: "field", name: "title" }, negate: false },
      { kind: "isNull", operand: { kind: "field", name: "title" }, negate: true },
      { kind: "not", expr: cmp("a") },
      and(cmp("a"), cmp("b")),
      { kind: "or", items: [cmp("a"), cmp("b")] },
      and(cmp("a,b")),
      { kind: "const", value: true },
      { kind: "const", value: false },
    ].map((e) => exprKey(e as Expr));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("is the same for the same filter parsed twice, and absent for a sub-select", () => {
    expect(exprKey(parseExpression('title~"lorem" && views>5'))).toBe(exprKey(parseExpression('title ~ "lorem"&&views > 5')));
    expect(exprKey(and(cmp("a"), { kind: "inSelect", operand: { kind: "field", name: "id" }, select: sql`select 1`, reads: ["others"] }))).toBeUndefined();
  });
});

describe("checkedFilter", () => {
  it("checks a filter once per definition, never caches a failed check, and keeps a bounded number", () => {
    const d = def();
    let checks = 0;
    const check = (e: Expr) => () => {
      checks++;
      return e;
    };
    const first = checkedFilter(d, cmp("a"), check(cmp("a")));
    expect(checkedFilter(d, cmp("a"), check(cmp("a")))).toBe(first);
    expect(checks).toBe(1);
    // another definition (a schema change) checks again
    expect(checkedFilter(def(), cmp("a"), check(cmp("a")))).not.toBe(first);
    expect(checks).toBe(2);
    const failing = () => {
      checks++;
      throw new Error("unknown field");
    };
    expect(() => checkedFilter(d, cmp("b"), failing)).toThrow("unknown field");
    expect(() => checkedFilter(d, cmp("b"), failing)).toThrow("unknown field");
    expect(checks).toBe(4);
    for (let i = 0; i < MAX_CHECKED_FILTERS; i++) checkedFilter(d, cmp(`x${i}`), check(cmp(`x${i}`)));
    // the least recently used is gone
    expect(checkedFilter(d, cmp("a"), check(cmp("a")))).not.toBe(first);
  });

  it("compiles once per key", () => {
    const f = checkedFilter(def(), cmp("a"), () => cmp("a"));
    let compiles = 0;
    const compile = () => ({ sql: `c${++compiles}`, parameters: [] });
    expect(compiledWhere(f, "sqlite", compile).sql).toBe("c1");
    expect(compiledWhere(f, "sqlite", compile).sql).toBe("c1");
    expect(compiledWhere(f, 'sqlite\0["title\\u0000a"]', compile).sql).toBe("c2");
  });
});
