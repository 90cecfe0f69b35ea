/**
 * What a role set may ever do (core/rules/role-scope.ts), table-driven: rules fold three-valued
 * (role-only parts decided, record and request parts may hold), role permissions give their
 * fields, and the select enum names of select-enums.ts stay deterministic.
 */
import { describe, expect, it } from "vitest";
import type { CollectionDef, FieldDef } from "../../src/core/collections/types.ts";
import type { CachedRole } from "../../src/core/rules/role-cache.ts";
import { collectionScope, type RoleSet } from "../../src/core/rules/role-scope.ts";
import { enumValueName, enumValueNames } from "../../src/graphql/select-enums.ts";

const field = (name: string, type: FieldDef["type"] = "text"): FieldDef => ({ id: name, name, type, required: false, unique: false, index: false, options: {} });

function def(listRule: string | null, options: Record<string, unknown> = {}): CollectionDef {
  const now = new Date().toISOString();
  return {
    id: "c1",
    name: "notes",
    type: "base",
    fields: [field("title"), field("secret")],
    options,
    listRule,
    viewRule: listRule,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    viewQuery: null,
    system: false,
    created: now,
    updated: now,
  };
}

const role = (name: string, permissions: CachedRole["permissions"] = []): CachedRole => ({ id: name.length, name, description: null, permissions });
const editor = role("editor");
const reader = role("reader", [{ id: 1, collection: "notes", operation: "read", rule: "true", fields: ["title"] }]);
const ANON: RoleSet = { kind: "anonymous" };
const as = (r: CachedRole): RoleSet => ({ kind: "role", role: r });
const now = () => new Date("2026-01-01T12:00:00Z");

describe("collectionScope: list allowed for the role set?", () => {
  const cases: [string, string | null, RoleSet, boolean][] = [
    ["signed-in rule, anonymous", '@request.auth.id != ""', ANON, false],
    ["signed-in rule, a role", '@request.auth.id != ""', as(editor), true],
    ["has_role, that role", '@has_role("editor")', as(editor), true],
    ["has_role, another role", '@has_role("editor")', as(reader), false],
    ["not has_role, that role", '!(@has_role("editor"))', as(editor), false],
    ["owner rule, anonymous (rows decide)", "owner_id = @request.auth.id", ANON, true],
    ["header rule (the request decides)", '@request.headers.x_key = "abc"', as(reader), true],
    ["role part false, record part open", '@has_role("editor") && title = "x"', as(reader), false],
    ["role part false OR record part", '@has_role("editor") || title = "x"', as(reader), true],
    ["empty rule: everyone", "", ANON, true],
    ["rule that does not fit: denied", 'nosuchfield = "x"', as(editor), false],
    ["null rule, role with a read permission", null, as(reader), true],
    ["null rule, role without", null, as(editor), false],
    ["null rule, anonymous", null, ANON, false],
  ];
  for (const [name, rule, set, allowed] of cases) {
    it(name, () => expect(collectionScope(def(rule), set, now).list.allowed).toBe(allowed));
  }

  it("takes the fields from the permission or the collection's field options", () => {
    expect(collectionScope(def(null), as(reader), now).view).toEqual({ allowed: true, fields: new Set(["title"]) });
    expect(collectionScope(def("", { list_fields: ["secret"] }), ANON, now).list).toEqual({ allowed: true, fields: new Set(["secret"]) });
    expect(collectionScope(def(null), { kind: "all" }, now).delete).toEqual({ allowed: true, fields: "*" });
    expect(collectionScope(def(""), ANON, now).create.allowed).toBe(false);
  });
});

describe("select enum value names", () => {
  it("maps values to UPPER_SNAKE names, prefixing digits", () => {
    expect(["in-progress", "inReview", "2fa", "draft", "a b--c", "ünï", "true"].map(enumValueName)).toEqual(["IN_PROGRESS", "IN_REVIEW", "_2FA", "DRAFT", "A_B_C", "N", "TRUE"]);
  });
  it("numbers collisions in declared order", () => {
    expect([...enumValueNames(["in-progress", "in progress", "IN_PROGRESS", "done"]).values()]).toEqual(["IN_PROGRESS", "IN_PROGRESS_2", "IN_PROGRESS_3", "DONE"]);
  });
});
