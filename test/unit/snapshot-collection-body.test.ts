/**
 * A snapshot collection turned back into a collection body normalises to the same definition, for
 * every field type and option: what `cairn schema apply` creates is what `schema snapshot` read.
 * And the plan pairs fields by id (a rename), then by name, and calls only drops destructive.
 */
import { describe, expect, it } from "vitest";
import { normalizeCollectionInput } from "../../src/core/collections/normalize.ts";
import type { CollectionDef } from "../../src/core/collections/types.ts";
import { collectionBody } from "../../src/core/snapshots/collection-body.ts";
import { planSnapshot } from "../../src/core/snapshots/plan.ts";
import { snapshotCollection, type SchemaState } from "../../src/core/snapshots/state.ts";

const others = [{ id: "c-authors", name: "authors" }];
const source = normalizeCollectionInput(
  {
    name: "things",
    options: { drafts: true, actions: { archive: { label: "Archive", effects: [{ set: { flag: false } }] } } },
    list_rule: "",
    schema: [
      { name: "title", type: "text", validation: { required: true, unique: true, min_length: 2, max_length: 80, pattern: "^[A-Z]" }, label: "Title", hint: "Capitalised" },
      { name: "notes", type: "textarea", trigram: true },
      { name: "body", type: "editor", hidden: true },
      { name: "mail", type: "email", index: true },
      { name: "site", type: "url", trigram: false },
      { name: "score", type: "number", validation: { min: 0, max: 10, integer: true }, default: 5 },
      { name: "flag", type: "bool", default: true },
      { name: "day", type: "date" },
      { name: "at", type: "datetime" },
      { name: "state", type: "select", select: { values: ["a", "b"] } },
      { name: "labels", type: "select", select: { values: ["x", "y"], multiple: true } },
      { name: "meta", type: "json" },
      { name: "tags", type: "tags" },
      { name: "author", type: "reference", relation: { collection: "authors", cascade_delete: "cascade" } },
      { name: "authors", type: "reference", relation: { collection: "authors", multiple: true }, index: false },
      { name: "files", type: "file", file: { max_files: 3, max_size: 1000, mime_types: ["image/png"] } },
    ],
  },
  { dialect: "sqlite", collections: others },
);
const def: CollectionDef = { ...source, id: "c-things", system: false, created: "2026-01-01T00:00:00.000Z", updated: "2026-01-01T00:00:00.000Z" };

describe("snapshot collection body", () => {
  it("normalises back to the same definition, field ids included", () => {
    const again = normalizeCollectionInput(collectionBody(snapshotCollection(def)), { dialect: "sqlite", collections: others });
    expect(again).toEqual(source);
  });

  it("plans nothing for the same definition, a rename for a new name with the same id, and a destructive drop", () => {
    const state: SchemaState = {
      snapshot: { format: "cairn-schema-snapshot", version: 1, collections: [snapshotCollection(def)], roles: [], webhooks: [] },
      defs: new Map([["things", def]]),
      roleIds: new Map(),
    };
    const same = planSnapshot(state, state.snapshot);
    expect(same.steps).toEqual([]);
    const next = structuredClone(state.snapshot);
    next.collections[0]!.fields[0]!.name = "heading";
    next.collections[0]!.fields = next.collections[0]!.fields.filter((f) => f.name !== "meta");
    const plan = planSnapshot(state, next);
    expect(plan.steps.map((s) => [s.action, s.kind, s.target, s.destructive])).toEqual([
      ["rename", "field", "things.title", false],
      ["drop", "field", "things.meta", true],
    ]);
  });
});
