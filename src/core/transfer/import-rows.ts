/**
 * One imported row → the checked values of a record: cells matched to fields by column name,
 * converted per field type (convert.ts), validated like any create (records/input.ts). Columns
 * `id`, `created`, `updated`, `version`, `owner_id` and unknown columns are ignored (`id` is the
 * key in an upsert by id), empty cells are skipped, a row with no values is dropped.
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import { ValidationError } from "../errors.ts";
import { fieldsByName, prepareInput, type PreparedInput } from "../records/input.ts";
import type { RecordData } from "../records/values.ts";
import { convertCell } from "./convert.ts";
import type { SourceRow } from "./sources.ts";

/** A problem with one row (`field` null when it is not about one field). */
export interface RowError {
  row: number;
  field: string | null;
  error: string;
}

/** A row's converted cells, before validation. */
export interface ConvertedRow {
  row: number;
  /** field → API value (what the row sent; rules read it as `@request.data`) */
  data: Record<string, unknown>;
  /** the upsert key's value, when the row has one */
  key: string | null;
}

export type RowOutcome = { ok: ConvertedRow } | { errors: RowError[] } | { empty: true };

const IGNORED = new Set(["id", "created", "updated", "version", "owner_id", "account_id", "expand"]);
const MAX_ID_LENGTH = 100;

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");

/**
 * Converts a row's cells. `keyField` is the upsert key (`id` or a unique field), or null for
 * plain inserts.
 */
export function convertRow(def: CollectionDef, src: SourceRow, keyField: string | null): RowOutcome {
  const byName = fieldsByName(def);
  const data: Record<string, unknown> = Object.create(null);
  const errors: RowError[] = [];
  let key: string | null = null;
  for (const [column, cell] of src.cells) {
    if (isEmpty(cell)) continue;
    if (column === "id" && keyField === "id") {
      const id = typeof cell === "number" ? String(cell) : cell;
      if (typeof id !== "string" || id.length > MAX_ID_LENGTH || id.includes("\u0000")) errors.push({ row: src.row, field: "id", error: `must be a string of at most ${MAX_ID_LENGTH} characters` });
      else key = id.trim();
      continue;
    }
    if (IGNORED.has(column)) continue;
    const field: FieldDef | undefined = byName.get(column);
    if (!field) continue;
    const converted = convertCell(field, cell);
    if ("problem" in converted) errors.push({ row: src.row, field: column, error: converted.problem });
    else data[column] = converted.value;
  }
  if (errors.length) return { errors };
  if (Object.keys(data).length === 0) return { empty: true };
  if (keyField !== null && keyField !== "id" && data[keyField] !== undefined && data[keyField] !== null) key = String(data[keyField]);
  return { ok: { row: src.row, data: { ...data }, key } };
}

/** Validates a converted row as a create, or as a patch of `current`: the values, or the row's errors. */
export function validateRow(def: CollectionDef, row: ConvertedRow, current?: RecordData): PreparedInput | RowError[] {
  try {
    return prepareInput(def, row.data, current ? "patch" : "create", current);
  } catch (e) {
    if (e instanceof ValidationError) return Object.entries(e.fields).map(([field, error]) => ({ row: row.row, field, error }));
    throw e;
  }
}
