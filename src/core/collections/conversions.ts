/**
 * Field type changes that move data between storage kinds. `conversionFor` decides whether a
 * change is possible at all; `acceptsValue` is the single gate for conversions that can fail
 * (every distinct existing value is checked before any DDL runs); `conversionSql` is the SQL
 * expression that performs the conversion for the values the gate accepted.
 */
import { parseIso } from "./check-value.ts";
import { storageKind, type FieldDef } from "./types.ts";

export type ConversionKind =
  | "number_to_text"
  | "bool_to_text"
  | "date_to_text"
  | "datetime_to_text"
  | "json_to_text"
  | "list_to_single"
  | "single_to_list"
  | "text_to_number"
  | "text_to_bool"
  | "text_to_date"
  | "text_to_datetime"
  | "date_to_datetime"
  | "datetime_to_date";

type Field = Pick<FieldDef, "type" | "options">;

const isChoice = (f: Field) => f.type === "select" || f.type === "reference";

/**
 * How the data of a field changes when its definition goes from `from` to `to`:
 * `"none"` when both store the same way (a metadata change), a conversion kind, or null when
 * the change is not supported.
 */
export function conversionFor(from: Field, to: Field): ConversionKind | "none" | null {
  const a = storageKind(from);
  const b = storageKind(to);
  if (a === b) return "none";
  if (isChoice(from) && isChoice(to)) {
    if (a === "json" && b === "text") return "list_to_single";
    if (a === "text" && b === "json") return "single_to_list";
  }
  if (b === "text") return `${a}_to_text` as ConversionKind;
  if (a === "text" && (b === "number" || b === "bool" || b === "date" || b === "datetime")) return `text_to_${b}`;
  if (a === "date" && b === "datetime") return "date_to_datetime";
  if (a === "datetime" && b === "date") return "datetime_to_date";
  return null;
}

/** Conversions that can fail on a value, and therefore need every existing value checked first. */
export const CHECKED_CONVERSIONS: ReadonlySet<ConversionKind> = new Set(["text_to_number", "text_to_bool", "text_to_date", "text_to_datetime", "list_to_single"]);

const NUMBER_RE = /^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$/;
const BOOL_RE = /^ *(true|false|1|0)? *$/i;

/**
 * Whether one stored value (text, or JSON text for `list_to_single`) converts. Empty and
 * blank strings convert to null. Must accept only what `conversionSql` converts on both databases.
 */
export function acceptsValue(kind: ConversionKind, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (kind === "list_to_single") {
    let v = value;
    if (typeof v === "string") {
      try {
        v = JSON.parse(v);
      } catch {
        return true; // plain text is kept as is
      }
    }
    return !Array.isArray(v) || v.length <= 1;
  }
  if (!CHECKED_CONVERSIONS.has(kind)) return true;
  const s = String(value);
  if (/^ *$/.test(s)) return true;
  switch (kind) {
    case "text_to_number":
      return NUMBER_RE.test(s) && Number.isFinite(Number(s.trim()));
    case "text_to_bool":
      return BOOL_RE.test(s);
    case "text_to_date":
    case "text_to_datetime":
      return parseIso(s.replace(/^ +| +$/g, "")) !== null; // SQL trim() strips spaces only
    default:
      return true;
  }
}

const SQLITE_ISO = `'%Y-%m-%dT%H:%M:%fZ'`;

/**
 * SQL expression converting column expression `c` (already quoted). PostgreSQL expressions
 * assume the session time zone is UTC (the migration sets it for its transaction).
 */
export function conversionSql(dialect: "sqlite" | "postgres", kind: ConversionKind, c: string): string {
  if (dialect === "sqlite") {
    switch (kind) {
      case "number_to_text":
        return `CASE WHEN ${c} = CAST(${c} AS INTEGER) AND abs(${c}) < 1e15 THEN CAST(CAST(${c} AS INTEGER) AS TEXT) ELSE CAST(${c} AS TEXT) END`;
      case "bool_to_text":
        return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
      case "date_to_text":
      case "datetime_to_text":
        return c;
      case "json_to_text":
        return `CASE WHEN json_valid(${c}) AND json_type(${c}) = 'text' THEN json_extract(${c}, '$') ELSE ${c} END`;
      case "list_to_single":
        return `CASE WHEN json_valid(${c}) AND json_type(${c}) = 'array' THEN json_extract(${c}, '$[0]') WHEN json_valid(${c}) AND json_type(${c}) = 'text' THEN json_extract(${c}, '$') ELSE ${c} END`;
      case "single_to_list":
        return `CASE WHEN ${c} IS NULL OR ${c} = '' THEN NULL ELSE json_array(${c}) END`;
      case "text_to_number":
        return `CAST(NULLIF(trim(${c}), '') AS REAL)`;
      case "text_to_bool":
        return `CASE lower(trim(${c})) WHEN 'true' THEN 1 WHEN '1' THEN 1 WHEN 'false' THEN 0 WHEN '0' THEN 0 END`;
      case "text_to_date":
        return `date(NULLIF(trim(${c}), ''))`;
      case "text_to_datetime":
        return `strftime(${SQLITE_ISO}, NULLIF(trim(${c}), ''))`;
      case "date_to_datetime":
        return `strftime(${SQLITE_ISO}, ${c})`;
      case "datetime_to_date":
        return `date(${c})`;
    }
  }
  switch (kind) {
    case "number_to_text":
      return `${c}::text`;
    case "bool_to_text":
      return `CASE WHEN ${c} THEN 'true' WHEN NOT ${c} THEN 'false' END`;
    case "date_to_text":
      return `to_char(${c}, 'YYYY-MM-DD')`;
    case "datetime_to_text":
      return `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case "json_to_text":
      return `CASE WHEN jsonb_typeof(${c}) = 'string' THEN ${c} #>> '{}' ELSE ${c}::text END`;
    case "list_to_single":
      return `CASE jsonb_typeof(${c}) WHEN 'array' THEN ${c} ->> 0 WHEN 'string' THEN ${c} #>> '{}' ELSE ${c}::text END`;
    case "single_to_list":
      return `CASE WHEN ${c} IS NULL OR ${c} = '' THEN NULL ELSE jsonb_build_array(${c}) END`;
    case "text_to_number":
      return `NULLIF(trim(${c}), '')::double precision`;
    case "text_to_bool":
      return `CASE lower(trim(${c})) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN '0' THEN false END`;
    case "text_to_date":
      return `(NULLIF(trim(${c}), '')::timestamptz AT TIME ZONE 'UTC')::date`;
    case "text_to_datetime":
      return `NULLIF(trim(${c}), '')::timestamptz`;
    case "date_to_datetime":
      return `(${c}::timestamp AT TIME ZONE 'UTC')`;
    case "datetime_to_date":
      return `(${c} AT TIME ZONE 'UTC')::date`;
  }
}
