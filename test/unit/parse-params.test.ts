/**
 * The SnackBase `?field=value` parser (query/parse-params.ts): typed equality filters in the
 * one AST, the list's own parameters skipped, system-field aliases, and hostile input (unknown
 * names, prototype keys, wrong types, JSON fields, oversized and repeated values) refused with
 * a FilterError naming the problem. Every accepted input is also passed through `checkExpr`,
 * the check the core list applies.
 */
import { describe, expect, it } from "vitest";
import { FilterError } from "../../src/query/ast.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import type { FieldShape } from "../../src/query/field-kinds.ts";
import { MAX_PARAM_FILTERS, MAX_PARAM_VALUE_LENGTH, MAX_PARAM_VALUES, parseParams } from "../../src/query/parse-params.ts";

const def: { fields: (FieldShape & { name: string })[] } = {
  fields: [
    { name: "title", type: "text" as const, options: {} },
    { name: "views", type: "number" as const, options: {} },
    { name: "published", type: "bool" as const, options: {} },
    { name: "born", type: "date" as const, options: {} },
    { name: "at", type: "datetime" as const, options: {} },
    { name: "tags", type: "tags" as const, options: {} },
    { name: "meta", type: "json" as const, options: {} },
    { name: "author", type: "reference" as const, options: {} },
  ],
};
const resolve = collectionResolver(def);
const LIST = new Set(["skip", "limit", "sort", "fields"]);
const eq = (name: string, value: unknown, extra: Record<string, unknown> = {}) => ({ kind: "compare", op: "eq", left: { kind: "field", name }, right: { kind: "value", value }, ...extra });

describe("parseParams: accepted", () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ["no filter parameters", { skip: "0", limit: "5", sort: "-title", fields: "title" }, undefined],
    ["text", { title: "Hello" }, eq("title", "Hello")],
    ["text that looks like a number stays text", { title: "10" }, eq("title", "10")],
    ["empty text", { title: "" }, eq("title", "")],
    ["number", { views: "10" }, eq("views", 10)],
    ["negative decimal", { views: "-1.5" }, eq("views", -1.5)],
    ["boolean true", { published: "true" }, eq("published", true)],
    ["boolean FALSE", { published: "FALSE" }, eq("published", false)],
    ["date", { born: "2024-05-01" }, eq("born", "2024-05-01")],
    ["datetime with offset", { at: "2024-05-01T12:00:00+02:00" }, eq("at", "2024-05-01T10:00:00.000Z")],
    ["list field: some element", { tags: "red" }, eq("tags", "red", { any: true })],
    ["reference id", { author: "abc" }, eq("author", "abc")],
    ["alias created_by", { created_by: "u1" }, eq("owner_id", "u1")],
    ["alias created_at", { created_at: "2024-01-01T00:00:00Z" }, eq("created", "2024-01-01T00:00:00.000Z")],
    ["system id", { id: "r1" }, eq("id", "r1")],
    ["repeated → in", { views: ["1", "2", "2"] }, { kind: "compare", op: "in", left: { kind: "field", name: "views" }, right: { kind: "value", value: [1, 2] } }],
    ["repeated on a list field → or of any", { tags: ["a", "b"] }, { kind: "or", items: [eq("tags", "a", { any: true }), eq("tags", "b", { any: true })] }],
    ["two filters → and", { title: "x", published: "1" }, { kind: "and", items: [eq("title", "x"), eq("published", true)] }],
  ])("%s", (_name, params, expected) => {
    const expr = parseParams(params, resolve, LIST);
    expect(expr).toEqual(expected);
    if (expr) expect(() => checkExpr(expr, resolve)).not.toThrow();
  });
});

describe("parseParams: hostile input → FilterError naming the problem", () => {
  const proto = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["unknown field", { nope: "1" }, /unknown field 'nope'/],
    ["account_id is not filterable", { account_id: "AB1234" }, /unknown field 'account_id'/],
    ["deleted_by is not a column", { deleted_by: "u" }, /unknown field 'deleted_by'/],
    ["__proto__", proto, /unknown field '__proto__'/],
    ["constructor", { constructor: "x" }, /unknown field 'constructor'/],
    ["a dotted path", { "author.name": "x" }, /unknown field 'author.name'/],
    ["an operator suffix", { "views[gt]": "1" }, /unknown field 'views\[gt\]'/],
    ["a huge name", { ["a".repeat(5000)]: "1" }, /unknown field 'a{100}'$/],
    ["number from text", { views: "abc" }, /invalid number 'abc' for field 'views'/],
    ["number from empty", { views: "" }, /empty value for field 'views'/],
    ["boolean from yes", { published: "yes" }, /invalid boolean 'yes' for field 'published'/],
    ["impossible date", { born: "2024-02-30" }, /invalid date/],
    ["datetime from text", { at: "yesterday" }, /invalid datetime/],
    ["json field", { meta: "{}" }, /cannot be filtered by value \(json\)/],
    ["NUL in a value", { title: "a\u0000b" }, /NUL/],
    ["too long value", { title: "x".repeat(MAX_PARAM_VALUE_LENGTH + 1) }, /too long/],
    ["too many values", { views: Array.from({ length: MAX_PARAM_VALUES + 1 }, (_, i) => String(i)) }, /between 1 and/],
    ["no values", { views: [] }, /between 1 and/],
    ["an object value", { title: { a: 1 } }, /must be text/],
    ["too many filters", Object.fromEntries(Array.from({ length: MAX_PARAM_FILTERS + 1 }, (_, i) => [`f${i}`, "1"])), /too many filter parameters/],
  ])("%s", (_name, params, message) => {
    let err: unknown;
    try {
      parseParams(params, resolve, LIST);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterError);
    expect((err as Error).message).toMatch(message);
  });
});
