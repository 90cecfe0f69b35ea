/**
 * Collection body normalisation: both dialects' spellings, every validation error named by path,
 * field id assignment across updates.
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.ts";
import { normalizeCollectionInput, type NormalizeEnv } from "../../src/core/collections/normalize.ts";
import type { CollectionDef } from "../../src/core/collections/types.ts";

const env: NormalizeEnv = { dialect: "sqlite", collections: [{ id: "c1", name: "authors" }] };

function errorsOf(input: unknown, e: NormalizeEnv = env): Record<string, string> {
  try {
    normalizeCollectionInput(input, e);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields;
  }
  throw new Error("expected a ValidationError");
}

describe("normalizeCollectionInput: accepted spellings", () => {
  it("reads the FastCMS shape", () => {
    const n = normalizeCollectionInput(
      {
        name: "posts",
        schema: [
          { name: "title", type: "text", validation: { required: true, unique: true, min_length: 1, max_length: 10, pattern: "[a-z]", min: null, max: null } },
          { name: "views", type: "number", validation: { min: 0, max: 10 } },
          { name: "status", type: "select", select: { values: ["a", "b"], max_select: 2 } },
          { name: "author", type: "relation", relation: { collection: "authors", cascade_delete: "cascade" } },
          { name: "files", type: "file", file: { max_files: 3, max_size: 10, mime_types: ["image/png"] } },
          { name: "body", type: "editor", label: "Body", hint: "html", hidden: true },
        ],
        list_rule: "",
        view_rule: null,
      },
      env,
    );
    expect(n).toMatchObject({ name: "posts", type: "base", options: {}, listRule: "", viewRule: null, viewQuery: null });
    const [title, views, status, author, files, body] = n.fields;
    expect(title).toMatchObject({ name: "title", type: "text", required: true, unique: true, index: false, options: { minLength: 1, maxLength: 10, pattern: "[a-z]" } });
    expect(views!.options).toEqual({ min: 0, max: 10 });
    expect(status!.options).toEqual({ values: ["a", "b"], multiple: true });
    expect(author!.options).toEqual({ collection: "authors", cascadeDelete: "cascade" });
    expect(files!.options).toEqual({ maxFiles: 3, maxSize: 10, mimeTypes: ["image/png"] });
    expect(body).toMatchObject({ type: "editor", label: "Body", hint: "html", hidden: true });
    for (const f of n.fields) expect(f.id).toMatch(/^[a-z0-9]{10}$/);
  });

  it("reads the SnackBase shape and aliases", () => {
    const n = normalizeCollectionInput(
      {
        name: "Notes",
        fields: [
          { name: "done", type: "BOOLEAN", default: false, required: true },
          { name: "owner", type: "reference", collection: "AUTHORS", on_delete: "restrict", unique: true },
          { name: "body", type: "richText" },
          { name: "count", type: "number", options: { integer: true, min: 1 }, index: true },
          { name: "tags", type: "tags", default: ["x"] },
          { name: "where_at", type: "geopoint" },
          { name: "on", type: "date", default: "2024-02-29" },
        ],
      },
      env,
    );
    expect(n.fields.map((f) => f.type)).toEqual(["bool", "reference", "editor", "number", "tags", "geopoint", "date"]);
    expect(n.fields[0]).toMatchObject({ required: true, default: false });
    expect(n.fields[1]).toMatchObject({ unique: true, options: { collection: "authors", cascadeDelete: "restrict" } });
    expect(n.fields[3]).toMatchObject({ index: true, options: { integer: true, min: 1 } });
    expect(n.fields[4]!.default).toEqual(["x"]);
  });

  it("allows a self-reference and an empty schema", () => {
    expect(normalizeCollectionInput({ name: "nodes", schema: [{ name: "parent", type: "relation", relation: { collection: "nodes" } }] }, env).fields[0]!.options.collection).toBe("nodes");
    expect(normalizeCollectionInput({ name: "empty" }, env).fields).toEqual([]);
  });

  it("indexes single references unless a field opts out", () => {
    const fields = normalizeCollectionInput(
      {
        name: "posts",
        schema: [
          { name: "author", type: "reference", relation: { collection: "authors" } },
          { name: "editor", type: "reference", relation: { collection: "authors" }, index: false },
          { name: "tags", type: "reference", relation: { collection: "authors", multiple: true } },
          { name: "owner", type: "reference", relation: { collection: "authors" }, unique: true },
          { name: "title", type: "text" },
        ],
      },
      env,
    ).fields;
    expect(fields.map((f) => [f.name, f.index])).toEqual([
      ["author", true],
      ["editor", false],
      ["tags", false],
      ["owner", false],
      ["title", false],
    ]);
  });
});

describe("normalizeCollectionInput: errors name every failing path", () => {
  const cases: [string, unknown, Record<string, RegExp>][] = [
    ["missing name", { schema: [] }, { name: /required/ }],
    ["bad name", { name: "1abc" }, { name: /start with a letter/ }],
    ["long name", { name: "a".repeat(101) }, { name: /100/ }],
    ["reserved name", { name: "Users" }, { name: /reserved/ }],
    ["underscore name", { name: "_x" }, { name: /reserved/ }],
    ["bad type", { name: "x", type: "table" }, { type: /base, auth, view/ }],
    ["view without query", { name: "x", type: "view" }, { view_query: /required/ }],
    ["query on base", { name: "x", view_query: "select 1" }, { view_query: /only allowed/ }],
    ["two statements", { name: "x", type: "view", view_query: "select 1; drop table y" }, { view_query: /single/ }],
    ["schema not a list", { name: "x", schema: {} }, { schema: /list/ }],
    ["options not an object", { name: "x", options: [] }, { options: /object/ }],
    ["rule not a string", { name: "x", list_rule: 5 }, { list_rule: /string/ }],
    [
      "field problems",
      {
        name: "x",
        schema: [
          { name: "ok", type: "text" },
          { name: "select", type: "text" },
          { name: "Ok", type: "text" },
          { name: "n", type: "nope" },
          { name: "n2", type: "number", validation: { min: 5, max: 1 } },
          { name: "t", type: "text", validation: { pattern: "(" } },
          { name: "s", type: "select" },
          { name: "r", type: "relation", relation: { collection: "ghosts" } },
          { name: "r2", type: "reference" },
          { name: "d", type: "number", default: "x" },
          { name: "e", type: "email", default: "nope" },
          "x",
          { name: "q", type: "text", validation: { required: "yes" } },
          { name: "l", type: "text", validation: { min_length: -1 } },
          { name: "j", type: "json", unique: true },
          { name: "c", type: "relation", relation: { collection: "authors", cascade_delete: "explode" } },
          { name: "sel", type: "select", validation: { values: ["a", "a"] } },
          { name: "ver", type: "text" },
          { name: "rank", type: "text" },
          { name: "iv", type: "text", id: "has_underscore" },
        ],
      },
      {
        "schema[1].name": /reserved/,
        "schema[2].name": /duplicate/,
        "schema[3].type": /unknown field type 'nope'; valid types: text, textarea/,
        "schema[4].validation.min": /greater than max/,
        "schema[5].validation.pattern": /regular expression/,
        "schema[6].select.values": /values/,
        "schema[7].relation.collection": /'ghosts' does not exist/,
        "schema[8].relation.collection": /target collection/,
        "schema[9].default": /number/,
        "schema[10].default": /email/,
        "schema[11]": /object/,
        "schema[12].validation.required": /true or false/,
        "schema[13].validation.min_length": /at least 0/,
        "schema[14].unique": /not supported/,
        "schema[15].relation.cascade_delete": /restrict/,
        "schema[16].validation.values": /duplicates/,
        "schema[18].name": /reserved/,
        "schema[19].id": /field id/,
      },
    ],
  ];
  it.each(cases)("%s", (_label, input, expected) => {
    const errors = errorsOf(input);
    for (const [path, re] of Object.entries(expected)) expect(errors[path], `${path} in ${JSON.stringify(errors)}`).toMatch(re);
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort());
  });

  it("limits identifier length on PostgreSQL", () => {
    const errors = errorsOf({ name: "a".repeat(64), schema: [{ name: "b".repeat(64), type: "text" }] }, { ...env, dialect: "postgres" });
    expect(Object.keys(errors).sort()).toEqual(["name", "schema[0].name"]);
  });
});

describe("normalizeCollectionInput: updates", () => {
  const current: CollectionDef = {
    id: "c2",
    name: "posts",
    type: "base",
    fields: [
      { id: "aaaa", name: "title", type: "text", required: true, unique: false, index: false, options: {} },
      { id: "bbbb", name: "body", type: "text", required: false, unique: false, index: false, options: {} },
      { id: "cccc", name: "parent", type: "reference", required: false, unique: false, index: false, options: { collection: "posts" } },
    ],
    options: { a: 1 },
    listRule: '@request.auth.id != ""',
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    viewQuery: null,
    system: false,
    created: "2026-01-01T00:00:00.000Z",
    updated: "2026-01-01T00:00:00.000Z",
  };
  const uenv: NormalizeEnv = { ...env, collections: [...env.collections, { id: "c2", name: "posts" }], current };

  it("keeps absent keys and matches fields by id, previous_name, then name", () => {
    const n = normalizeCollectionInput(
      {
        schema: [
          { id: "bbbb", name: "content", type: "editor" },
          { name: "headline", previous_name: "title", type: "text" },
          { name: "parent", type: "relation", relation: { collection: "posts" } },
          { name: "extra", type: "number" },
        ],
      },
      uenv,
    );
    expect(n.name).toBe("posts");
    expect(n.listRule).toBe('@request.auth.id != ""');
    expect(n.options).toEqual({ a: 1 });
    expect(n.fields.map((f) => f.id).slice(0, 3)).toEqual(["bbbb", "aaaa", "cccc"]);
    expect(n.fields[3]!.id).not.toMatch(/^(aaaa|bbbb|cccc)$/);
  });

  it("retargets self-references on rename and refuses a type change of the collection", () => {
    const n = normalizeCollectionInput({ name: "articles" }, uenv);
    expect(n.fields[2]!.options.collection).toBe("articles");
    expect(errorsOf({ type: "auth" }, uenv).type).toMatch(/cannot change/);
  });
});
