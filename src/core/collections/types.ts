/**
 * Collection and field definitions as the core sees them, after input normalisation.
 * Every adapter (REST dialects, GraphQL) and the query compiler work from these.
 */
import { SYSTEM_FIELDS } from "../../query/system-fields.ts";

export { FIELD_TYPES, isListField, storageKind, type FieldType, type StorageKind } from "../../query/field-kinds.ts";
import type { FieldType } from "../../query/field-kinds.ts";

export interface FieldOptions {
  /** number */
  min?: number;
  max?: number;
  integer?: boolean;
  /** text-like */
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** select: allowed values; multiple → value is a list */
  values?: string[];
  multiple?: boolean;
  /** reference */
  collection?: string;
  cascadeDelete?: "restrict" | "cascade" | "set_null" | "no_action";
  /** file */
  maxFiles?: number;
  maxSize?: number;
  mimeTypes?: string[];
  /**
   * searchable text kinds: keep a trigram index for `contains` (`~`, `$contains`, `__icontains`…).
   * Absent: on for text/email/url, off for the long kinds (textarea, editor), whose index would
   * cost several times a create (see README "Filters that use an index").
   */
  trigram?: boolean;
}

export interface FieldDef {
  /** stable id: lets an update rename a field (same id, new name) without losing its data */
  id: string;
  name: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  /** ask for a (non-unique) index on this column */
  index: boolean;
  /** default value applied on create when the field is absent */
  default?: unknown;
  options: FieldOptions;
  /** free-form presentation data kept for clients (label, hint, hidden…) */
  label?: string | null;
  hint?: string | null;
  hidden?: boolean;
}

export interface CollectionRules {
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
}

export interface CollectionDef extends CollectionRules {
  id: string;
  name: string;
  type: "base" | "auth" | "view";
  fields: FieldDef[];
  options: Record<string, unknown>;
  viewQuery: string | null;
  system: boolean;
  created: string;
  updated: string;
}

/** System columns every collection table has, in table order (from the system-field table). */
export const SYSTEM_COLUMNS: readonly string[] = SYSTEM_FIELDS.map((f) => f.column);

/** Field types that take part in full-text search. */
export const SEARCHABLE_TYPES: ReadonlySet<FieldType> = new Set(["text", "textarea", "editor", "email", "url"]);

/** Searchable types with a trigram index unless the field opts out (`trigram: false`). */
export const TRIGRAM_DEFAULT_TYPES: ReadonlySet<FieldType> = new Set(["text", "email", "url"]);

/** Whether a field keeps a trigram index (on an engine that has one). */
export const hasTrigramIndex = (f: Pick<FieldDef, "type" | "options">): boolean => SEARCHABLE_TYPES.has(f.type) && (f.options.trigram ?? TRIGRAM_DEFAULT_TYPES.has(f.type));

/** Name of the SQLite FTS5 table (external content over the collection table's rowid). */
export const ftsTable = (collection: string) => `_fts_${collection}`;
/** Name of the PostgreSQL generated tsvector column (GIN-indexed). */
export const SEARCH_COLUMN = "_search";
