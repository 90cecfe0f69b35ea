/**
 * The field types and how each is stored and compared: what the query layer needs to know about a
 * collection's fields. The core's collection definitions (core/collections/types.ts) re-export
 * these; query code reads them from here so that it never imports the core.
 */

export const FIELD_TYPES = ["text", "textarea", "editor", "email", "url", "number", "bool", "date", "datetime", "select", "json", "tags", "reference", "file", "geopoint"] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

/** How a field's value is stored and compared. */
export type StorageKind =
  | "text" // TEXT on both
  | "number" // REAL / double precision
  | "bool" // INTEGER 0/1 / boolean
  | "date" // TEXT 'YYYY-MM-DD' / date
  | "datetime" // TEXT ISO-8601 UTC with ms / timestamptz
  | "json"; // TEXT (JSON) / jsonb

/** The part of a field definition its storage depends on. */
export interface FieldShape {
  type: FieldType;
  options: { multiple?: boolean | undefined };
}

/** The storage kind of a field type (select/reference/file depend on their options). */
export function storageKind(field: FieldShape): StorageKind {
  switch (field.type) {
    case "number":
      return "number";
    case "bool":
      return "bool";
    case "date":
      return "date";
    case "datetime":
      return "datetime";
    case "json":
    case "tags":
    case "file":
    case "geopoint":
      return "json";
    case "select":
    case "reference":
      return field.options.multiple ? "json" : "text";
    default:
      return "text";
  }
}

/**
 * Whether a field's own b-tree index holds its text in code-point order (`COLLATE "C"` on
 * PostgreSQL, where it serves sorts, ranges and — compiled with the same collation — equality):
 * an indexed text field that is neither unique (that index is in the default collation) nor a
 * single reference (ids, looked up in the default collation).
 */
export function hasCodePointIndex(field: FieldShape & { index?: boolean; unique?: boolean }): boolean {
  return !!field.index && !field.unique && storageKind(field) === "text" && field.type !== "reference";
}

/** True for field types stored as a JSON array (tags, file, multi-select, multi-reference). */
export function isListField(field: FieldShape): boolean {
  if (field.type === "tags" || field.type === "file") return true;
  return (field.type === "select" || field.type === "reference") && !!field.options.multiple;
}
