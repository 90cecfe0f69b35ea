/** Shared fixtures for the query unit tests: a collection covering every storage kind. */
import type { CollectionDef, FieldDef, FieldOptions, FieldType } from "../../src/core/collections/types.ts";

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return { id: `fld_${name}`, name, type, options, required: false, unique: false, index: false };
}

/** Fields of the test collection `items` (one per storage kind, lists, and awkward names). */
export const ITEM_FIELDS: FieldDef[] = [
  field("title", "text"),
  field("body", "editor"),
  field("views", "number"),
  field("price", "number"),
  field("published", "bool"),
  field("birthday", "date"),
  field("due", "datetime"),
  field("status", "select", { values: ["draft", "published", "archived"] }),
  field("categories", "select", { values: ["a", "b", "c"], multiple: true }),
  field("tags", "tags"),
  field("attachments", "file"),
  field("author", "reference", { collection: "users" }),
  field("meta", "json"),
  field("place", "geopoint"),
  // a list field named like json_each's own columns
  field("value", "tags"),
  // a user field may not shadow a system column
  field("account_id", "text"),
];

export const ITEMS: Pick<CollectionDef, "fields"> = { fields: ITEM_FIELDS };
