/**
 * Record values: checking and coercing input per field type (→ storage values for the
 * dialect), and turning stored rows back into API-shaped records. One row mapper per
 * collection definition, cached, so reading rows allocates no per-row closures.
 */
import type { Dialect } from "../../config.ts";
import { RECORD_SYSTEM_FIELD_NAMES, SYSTEM_FIELDS } from "../../query/system-fields.ts";
import { storageKind, type CollectionDef, type FieldDef } from "../collections/types.ts";

/** API-shaped record: the system fields in records (see query/system-fields.ts) plus one key per collection field. */
export interface RecordData {
  id: string;
  owner_id: string | null;
  created: string;
  updated: string;
  version: number;
  /** the user who last wrote it (the creator until the first update) */
  updated_by: string | null;
  [field: string]: unknown;
}

/** Names of the system fields every record carries, in table order. */
export const RECORD_SYSTEM_FIELDS: readonly string[] = RECORD_SYSTEM_FIELD_NAMES;

/** A per-field problem; collected so one answer names every failing field. */
export type FieldProblems = Record<string, string>;

/** Empty string on an optional text-like field is stored as null (compat §2). */
export function emptyToNull(f: FieldDef, v: unknown): unknown {
  if (v === "" && (f.type === "text" || f.type === "textarea" || f.type === "editor" || f.type === "email" || f.type === "url")) return null;
  return v;
}

/** API value → bound parameter for the dialect. */
export function toStorage(f: FieldDef, v: unknown, dialect: Dialect): unknown {
  if (v === null || v === undefined) return null;
  const kind = storageKind(f);
  if (kind === "json") return JSON.stringify(v);
  if (kind === "bool" && dialect === "sqlite") return v ? 1 : 0;
  return v;
}

type Converter = (v: unknown) => unknown;

const identity: Converter = (v) => v;
const sqliteBool: Converter = (v) => (v === null ? null : v === 1 || v === 1n || v === true);
const parseJson: Converter = (v) => (typeof v === "string" ? JSON.parse(v) : v);
const number: Converter = (v) => (v === null ? null : typeof v === "number" ? v : Number(v));

function converter(f: FieldDef, dialect: Dialect): Converter {
  switch (storageKind(f)) {
    case "bool":
      return dialect === "sqlite" ? sqliteBool : identity;
    case "json":
      return dialect === "sqlite" ? parseJson : identity;
    case "number":
      return number;
    default:
      return identity;
  }
}

export type RowMapper = (row: Record<string, unknown>) => RecordData;

/** Converters of the system columns a record carries (the same on both dialects). */
const SYSTEM_CONVERTERS: readonly (readonly [string, string, Converter])[] = SYSTEM_FIELDS.filter((f) => f.inRecord).map((f) => [f.name, f.column, f.kind === "number" ? number : identity] as const);

const mappers = new WeakMap<CollectionDef, Partial<Record<Dialect, RowMapper>>>();

/** Row (selected with `selectColumns`) → API-shaped record. Cached per definition and dialect. */
export function rowMapper(def: CollectionDef, dialect: Dialect): RowMapper {
  let byDialect = mappers.get(def);
  if (!byDialect) mappers.set(def, (byDialect = {}));
  let m = byDialect[dialect];
  if (!m) {
    const conv = def.fields.map((f) => [f.name, converter(f, dialect)] as const);
    m = (row) => {
      const rec = {} as RecordData;
      for (const [name, column, c] of SYSTEM_CONVERTERS) {
        const v = row[column];
        rec[name] = v === null || v === undefined ? null : c(v);
      }
      for (const [name, c] of conv) {
        const v = row[name];
        rec[name] = v === null || v === undefined ? null : c(v);
      }
      return rec;
    };
    byDialect[dialect] = m;
  }
  return m;
}

/** Columns every record read selects (never account_id or the search column). */
export function selectColumns(def: CollectionDef): string[] {
  return [...RECORD_SYSTEM_FIELD_NAMES, ...def.fields.map((f) => f.name)];
}
