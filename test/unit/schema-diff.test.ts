/**
 * `diffSchemas`: graphql-js's breaking/dangerous classification over SDL texts, breaking first,
 * and a clear error naming the file and position for SDL that does not build.
 */
import { describe, expect, it } from "vitest";
import { diffSchemas, formatSchemaChanges, SchemaSourceError } from "../../src/graphql/schema-diff.ts";

const BASE = `type Query { post(id: ID!): Post count: Float version: String }
type Post { id: ID! title: String views: Float status: Status }
enum Status { DRAFT PUBLISHED }`;

describe("diffSchemas", () => {
  it.each([
    ["identical", BASE, []],
    ["a removed field", BASE.replace(" views: Float", ""), [["breaking", "FIELD_REMOVED", "Post.views was removed."]]],
    ["a renamed field", BASE.replace("title: String", "headline: String"), [["breaking", "FIELD_REMOVED", "Post.title was removed."]]],
    ["a changed type", BASE.replace("views: Float", "views: String"), [["breaking", "FIELD_CHANGED_KIND", "Post.views changed type from Float to String."]]],
    ["a new required argument", BASE.replace("post(id: ID!)", "post(id: ID!, lang: String!)"), [["breaking", "REQUIRED_ARG_ADDED", "A required arg lang on Query.post was added."]]],
    ["a new enum value", BASE.replace("PUBLISHED }", "PUBLISHED ARCHIVED }"), [["dangerous", "VALUE_ADDED_TO_ENUM", "ARCHIVED was added to enum type Status."]]],
    ["an added field (safe)", BASE.replace("views: Float", "views: Float likes: Int"), []],
  ])("%s", (_name, next, expected) => {
    expect(diffSchemas(BASE, next).map((c) => [c.level, c.type, c.description])).toEqual(expected);
  });

  it("lists breaking changes before dangerous ones and counts them", () => {
    const next = BASE.replace(" views: Float", "").replace("PUBLISHED }", "PUBLISHED ARCHIVED }");
    const text = formatSchemaChanges(diffSchemas(BASE, next));
    expect(text.split("\n")[0]).toMatch(/^BREAKING\s+FIELD_REMOVED\s+Post\.views was removed\.$/);
    expect(text.split("\n")[1]).toMatch(/^DANGEROUS\s+VALUE_ADDED_TO_ENUM/);
    expect(text).toContain("1 breaking, 1 dangerous.");
    expect(formatSchemaChanges([])).toBe("No breaking or dangerous changes.\n");
  });

  it("names the file and position of SDL that does not build", () => {
    expect(() => diffSchemas("type Query {", BASE, { old: "old.graphql", new: "new.graphql" })).toThrow(SchemaSourceError);
    expect(() => diffSchemas("type Query {", BASE, { old: "old.graphql", new: "new.graphql" })).toThrow(/^old\.graphql: not a valid GraphQL schema \(line 1, column 13\)/);
    expect(() => diffSchemas(BASE, "type Query { a: Missing }", { old: "a", new: "b.graphql" })).toThrow(/^b\.graphql: not a valid GraphQL schema: Unknown type "Missing"/);
  });
});
