/**
 * The GraphQL `where` input as a filter-AST parser: the parsed expression, and what it matches
 * once checked against a collection (through the same predicate compiler the core uses).
 */
import { describe, expect, it } from "vitest";
import { FilterError } from "../../src/query/ast.ts";
import { checkExpr } from "../../src/query/check.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { toPredicate } from "../../src/query/predicate.ts";
import { whereToExpr, type WhereInput } from "../../src/graphql/where.ts";

const f = (name: string, type: string, options: object = {}) => ({ id: name, name, type, required: false, unique: false, index: false, options }) as any;
const posts = { fields: [f("title", "text"), f("views", "number"), f("published", "bool"), f("tags", "tags"), f("due", "datetime"), f("author", "reference", { collection: "authors" })] };
const resolve = collectionResolver(posts);

const rows = [
  {
    id: "a",
    owner_id: "u1",
    title: "Hello world",
    views: 5,
    published: true,
    tags: ["x", "y"],
    due: "2026-01-01T00:00:00.000Z",
    author: "p1",
    created: "2026-01-01T00:00:00.000Z",
    updated: "2026-01-01T00:00:00.000Z",
    version: 1,
  },
  { id: "b", owner_id: "u2", title: "Second", views: 50, published: false, tags: [], due: null, author: null, created: "2026-02-01T00:00:00.000Z", updated: "2026-02-01T00:00:00.000Z", version: 3 },
  {
    id: "c",
    owner_id: null,
    title: null,
    views: null,
    published: null,
    tags: null,
    due: "2027-01-01T00:00:00.000Z",
    author: "p2",
    created: "2026-03-01T00:00:00.000Z",
    updated: "2026-03-01T00:00:00.000Z",
    version: 1,
  },
];
const matching = (where: WhereInput) => {
  const p = toPredicate(checkExpr(whereToExpr(where), resolve), resolve);
  return rows.filter(p).map((r) => r.id);
};

describe("whereToExpr", () => {
  it("builds the AST: fields ANDed, operators per field", () => {
    expect(whereToExpr({ views: { gt: 10 }, title: { contains: "x" } })).toEqual({
      kind: "and",
      items: [
        { kind: "compare", op: "gt", left: { kind: "field", name: "views" }, right: { kind: "value", value: 10 } },
        { kind: "compare", op: "contains", left: { kind: "field", name: "title" }, right: { kind: "value", value: "x" } },
      ],
    });
    expect(whereToExpr(undefined)).toEqual({ kind: "const", value: true });
    expect(whereToExpr({ ownerId: { eq: "u1" } })).toMatchObject({ left: { name: "owner_id" } });
    expect(whereToExpr({ tags: { has: "x" } })).toMatchObject({ op: "eq", any: true });
    expect(whereToExpr({ title: { isNull: false } })).toMatchObject({ kind: "isNull", negate: true });
  });

  it.each<[string, WhereInput, string[]]>([
    ["eq", { title: { eq: "Second" } }, ["b"]],
    ["ne (null differs from a value, as in the core)", { title: { ne: "Second" } }, ["a", "c"]],
    ["eq null", { title: { eq: null } }, ["c"]],
    ["in", { views: { in: [5, 50] } }, ["a", "b"]],
    ["notIn (null is not in the list)", { views: { notIn: [5] } }, ["b", "c"]],
    ["contains (case-insensitive)", { title: { contains: "WORLD" } }, ["a"]],
    ["startsWith", { title: { startsWith: "Sec" } }, ["b"]],
    ["endsWith", { title: { endsWith: "world" } }, ["a"]],
    ["gt/lte range", { views: { gt: 1, lte: 50 } }, ["a", "b"]],
    ["gte/lt range", { views: { gte: 5, lt: 50 } }, ["a"]],
    ["isNull", { views: { isNull: true } }, ["c"]],
    ["bool eq", { published: { eq: false } }, ["b"]],
    ["datetime gt", { due: { gt: "2026-06-01T00:00:00Z" } }, ["c"]],
    ["system fields", { version: { gte: 2 }, created: { lt: "2026-03-01T00:00:00Z" } }, ["b"]],
    ["id in", { id: { in: ["a", "c"] } }, ["a", "c"]],
    ["reference id", { author: { eq: "p2" } }, ["c"]],
    ["list has", { tags: { has: "y" } }, ["a"]],
    ["list hasSome", { tags: { hasSome: ["q", "x"] } }, ["a"]],
    ["AND", { AND: [{ views: { gt: 1 } }, { published: { eq: true } }] }, ["a"]],
    ["OR", { OR: [{ views: { gt: 10 } }, { title: { isNull: true } }] }, ["b", "c"]],
    ["NOT", { NOT: { views: { eq: 5 } } }, ["b", "c"]],
    ["empty OR matches nothing", { OR: [] }, []],
    ["empty AND matches everything", { AND: [] }, ["a", "b", "c"]],
    ["nested", { OR: [{ AND: [{ views: { gt: 1 } }, { NOT: { published: { eq: true } } }] }, { ownerId: { eq: "u1" } }] }, ["a", "b"]],
  ])("%s", (_name, where, ids) => {
    expect(matching(where)).toEqual(ids);
  });

  it("rejects null list operands and absurd nesting", () => {
    expect(() => whereToExpr({ views: { in: null } })).toThrow(FilterError);
    expect(() => whereToExpr({ views: { gt: null } })).toThrow(/views.gt must not be null/);
    let deep: WhereInput = { views: { eq: 1 } };
    for (let i = 0; i < 40; i++) deep = { NOT: deep };
    expect(() => whereToExpr(deep)).toThrow(/nested too deeply/);
  });

  it("leaves unknown fields to the core check, which names them", () => {
    expect(() => checkExpr(whereToExpr({ nope: { eq: 1 } }), resolve)).toThrow(/unknown field 'nope'/);
  });
});
