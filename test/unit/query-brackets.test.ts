/**
 * The R3 bracket filter parser (query/parse-brackets.ts): every operator, $and/$or nesting with
 * indices, list fields, and hostile input (table-driven), plus the result passing the one field
 * check of a real collection definition.
 */
import { describe, expect, it } from "vitest";
import { FilterError, type Expr } from "../../src/query/ast.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { MAX_BRACKET_CONDITIONS, parseBrackets } from "../../src/query/parse-brackets.ts";
import { ITEMS } from "./query-fixtures.ts";

const LISTS = new Set(["tags", "categories"]);
const NAMES = new Map([
  ["status", "status"],
  ["publishedAt", "due"],
  ["slug", "title"],
  ["data.price", "price"],
  ["data.title", "title"],
  ["data.tags", "tags"],
  ["data.featured", "published"],
]);
const field = (name: string) => {
  const n = NAMES.get(name);
  return n ? { name: n, list: LISTS.has(n) } : undefined;
};
const parse = (query: string) => parseBrackets(new URLSearchParams(query), { field });
const f = (name: string) => ({ kind: "field", name }) as const;
const cmp = (name: string, op: string, value: unknown, any?: boolean): Expr => ({ kind: "compare", op, left: f(name), right: { kind: "value", value }, ...(any ? { any } : {}) }) as Expr;

describe("parseBrackets: operators", () => {
  const cases: [string, Expr | undefined][] = [
    ["", undefined],
    ["type=post&limit=10", undefined],
    ["filters[status][$eq]=published", cmp("status", "eq", "published")],
    ["filters[status]=published", cmp("status", "eq", "published")],
    ["filters[status][$ne]=draft", cmp("status", "ne", "draft")],
    ["filters[data.price][$gt]=100", cmp("price", "gt", "100")],
    ["filters[data.price][$gte]=50", cmp("price", "gte", "50")],
    ["filters[publishedAt][$lt]=2026-01-01", cmp("due", "lt", "2026-01-01")],
    ["filters[publishedAt][$lte]=2026-06-30", cmp("due", "lte", "2026-06-30")],
    ["filters[status][$in]=draft,published", cmp("status", "in", ["draft", "published"])],
    ["filters[status][$notIn]=internal", cmp("status", "notIn", ["internal"])],
    ["filters[data.title][$contains]=hello", cmp("title", "contains", "hello")],
    ["filters[slug][$startsWith]=blog-", cmp("title", "startsWith", "blog-")],
    ["filters[publishedAt][$null]=true", { kind: "isNull", operand: f("due"), negate: false }],
    ["filters[publishedAt][$null]=false", { kind: "isNull", operand: f("due"), negate: true }],
    ["filters[publishedAt][$notNull]=true", { kind: "isNull", operand: f("due"), negate: true }],
    ["filters[publishedAt][$notNull]=FALSE", { kind: "isNull", operand: f("due"), negate: false }],
    ["filters[data.tags][$contains]=nextjs", cmp("tags", "contains", "nextjs", true)],
    ["filters[data.tags][$eq]=cms", cmp("tags", "eq", "cms", true)],
    ["filters[data.tags][$ne]=cms", { kind: "not", expr: cmp("tags", "eq", "cms", true) }],
    ["filters[data.tags][$notIn]=a,b", { kind: "not", expr: cmp("tags", "in", ["a", "b"], true) }],
    ["filters[data.price][$gt]=1&filters[data.price][$lt]=9", { kind: "and", items: [cmp("price", "gt", "1"), cmp("price", "lt", "9")] }],
    ["filters[status][$eq]=published&filters[data.price][$gt]=1", { kind: "and", items: [cmp("status", "eq", "published"), cmp("price", "gt", "1")] }],
    ["filters[$and][0][status][$eq]=published&filters[$and][1][data.featured][$eq]=true", { kind: "and", items: [cmp("status", "eq", "published"), cmp("published", "eq", "true")] }],
    ["filters[$or][0][status][$eq]=draft&filters[$or][1][status][$eq]=published", { kind: "or", items: [cmp("status", "eq", "draft"), cmp("status", "eq", "published")] }],
    // members ordered by index, not by position in the query string
    ["filters[$or][1][status][$eq]=b&filters[$or][0][status][$eq]=a", { kind: "or", items: [cmp("status", "eq", "a"), cmp("status", "eq", "b")] }],
    [
      "filters[$or][0][$and][0][status][$eq]=published&filters[$or][0][$and][1][data.price][$gt]=5&filters[$or][1][data.title][$contains]=x",
      { kind: "or", items: [{ kind: "and", items: [cmp("status", "eq", "published"), cmp("price", "gt", "5")] }, cmp("title", "contains", "x")] },
    ],
  ];
  it.each(cases)("%s", (query, expected) => {
    expect(parse(query)).toEqual(expected);
  });

  it("passes the collection field check (values coerced, unknown fields refused there too)", () => {
    const checked = checkExpr(parse("filters[data.price][$gt]=100&filters[publishedAt][$lt]=2026-01-01")!, collectionResolver(ITEMS));
    expect(checked).toEqual({ kind: "and", items: [cmp("price", "gt", 100), cmp("due", "lt", "2026-01-01T00:00:00.000Z")] });
    expect(() => checkExpr(parse("filters[data.price][$gt]=cheap")!, collectionResolver(ITEMS))).toThrow(/invalid number 'cheap' for field 'price'/);
  });
});

describe("parseBrackets: hostile and malformed input", () => {
  const bad: [string, RegExp][] = [
    ["filters[nope][$eq]=1", /unknown field 'nope'/],
    ["filters[data.nope][$eq]=1", /unknown field 'data.nope'/],
    ["filters[__proto__][$eq]=1", /unknown field '__proto__'/],
    ["filters[status][$regex]=x", /unknown operator '\$regex'/],
    ["filters[status][$constructor]=x", /unknown operator/],
    ["filters[status][]=x", /empty operator .*single quotes/],
    ["filters[][$eq]=x", /empty field name/],
    ["filters[status][$null]=maybe", /\$null takes true or false/],
    ["filters[status][$eq][x]=1", /too many brackets/],
    ["filters[status", /malformed filter key/],
    ["filters[status]x[$eq]=1", /malformed filter key/],
    ["filters=1", /malformed filter key/],
    ["filters[$and]=1", /\$and needs indexed members/],
    ["filters[$and][x][status][$eq]=1", /numbered from 0/],
    ["filters[$or][-1][status][$eq]=1", /numbered from 0/],
    ["filters[$or][1000][status][$eq]=1", /numbered from 0/],
    ["filters[$or][0]=1", /needs a condition/],
    ["filters[$not][0][status][$eq]=1", /unknown logical operator '\$not'/],
    ["filters[status][$eq]=a&filters[status][$eq]=b", /given twice/],
    ["filters[status]=a&filters[status][$eq]=b", /conflicts/],
    [`filters[status][$eq]=${"x".repeat(5000)}`, /too long/],
    [`filters${"[$and][0]".repeat(12)}[status][$eq]=1`, /nested too deeply/],
    [`filters[${"s".repeat(600)}][$eq]=1`, /too long/],
    ["filters[status][$eq]=a%00b", /NUL/],
    [Array.from({ length: MAX_BRACKET_CONDITIONS + 1 }, (_, i) => `filters[$or][${i}][status][$eq]=${i}`).join("&"), /too many filter conditions/],
  ];
  it.each(bad)("%s", (query, message) => {
    let err: unknown;
    try {
      parse(query);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterError);
    expect((err as Error).message).toMatch(message);
  });

  it("survives random bracket soup without anything but FilterError", () => {
    const atoms = ["filters", "[", "]", "$and", "$or", "0", "1", "status", "$eq", "$in", "data.price", "=", "&", "%5B", "$null", "true", "__proto__"];
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let i = 0; i < 2000; i++) {
      const q = Array.from({ length: 1 + rnd(14) }, () => atoms[rnd(atoms.length)]).join("");
      try {
        parse(q);
      } catch (e) {
        expect(e, q).toBeInstanceOf(FilterError);
      }
    }
  });
});
