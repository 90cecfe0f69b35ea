/**
 * Record values: checking and coercing input per field type (→ storage values for the
 * dialect), and turning stored rows back into API-shaped records. One row mapper per
 * collection definition, cached, so reading rows allocates no per-row closures.
 */
import type { Dialect } from "../../config.ts";
import { storageKind, type CollectionDef, type FieldDef } from "../collections/types.ts";

/** API-shaped record: system fields plus one key per collection field. */
export interface RecordData {
  id: string;
  owner_id: string | null;
  created: string;
  updated: string;
  version: number;
  [field: string]: unknown;
}

export const SYSTEM_FIELDS = ["id", "owner_id", "created", "updated", "version"] as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A per-field problem; collected so one answer names every failing field. */
export type FieldProblems = Record<string, string>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseDateTime(v: unknown): string | undefined {
  if (typeof v !== "string" || v.length > 64) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim())) return undefined;
  const s = v.trim().replace(" ", "T");
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
  const d = new Date(DATE.test(s) ? `${s}T00:00:00Z` : hasZone ? s : `${s}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const compiledPatterns = new Map<string, RegExp>();
function pattern(src: string): RegExp {
  let re = compiledPatterns.get(src);
  if (!re) {
    re = new RegExp(`^(?:${src})`, "u");
    compiledPatterns.set(src, re);
  }
  return re;
}

function checkText(f: FieldDef, v: unknown): string | undefined {
  if (typeof v !== "string") return "Must be a string";
  const o = f.options;
  const len = [...v].length;
  if (o.minLength !== undefined && len < o.minLength) return `Must be at least ${o.minLength} characters`;
  if (o.maxLength !== undefined && len > o.maxLength) return `Must be at most ${o.maxLength} characters`;
  if (o.pattern && !pattern(o.pattern).test(v)) return `Must match the pattern ${o.pattern}`;
  if (f.type === "email" && !EMAIL.test(v)) return "Must be a valid email address";
  if (f.type === "url") {
    if (!/^https?:\/\//i.test(v)) return "Must be a URL starting with http:// or https://";
    try {
      new URL(v);
    } catch {
      return "Must be a valid URL";
    }
  }
  return undefined;
}

function checkStringList(v: unknown, what: string, max?: number): string | undefined {
  if (!Array.isArray(v)) return `Must be a list of ${what}`;
  if (v.some((x) => typeof x !== "string" || x.length === 0)) return `Must be a list of non-empty ${what}`;
  if (max !== undefined && v.length > max) return `At most ${max} ${what} allowed`;
  return undefined;
}

/**
 * Checks one present, non-null input value against its field and returns the API-shaped
 * (normalised) value, or a problem message.
 */
export function checkValue(f: FieldDef, v: unknown): { value: unknown } | { problem: string } {
  const o = f.options;
  switch (f.type) {
    case "text":
    case "textarea":
    case "editor":
    case "email":
    case "url": {
      const p = checkText(f, v);
      return p ? { problem: p } : { value: v };
    }
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) return { problem: "Must be a number" };
      if (o.integer && !Number.isInteger(v)) return { problem: "Must be an integer" };
      if (o.min !== undefined && v < o.min) return { problem: `Must be at least ${o.min}` };
      if (o.max !== undefined && v > o.max) return { problem: `Must be at most ${o.max}` };
      return { value: v };
    }
    case "bool":
      return typeof v === "boolean" ? { value: v } : { problem: "Must be true or false" };
    case "date": {
      const iso = parseDateTime(v);
      return iso ? { value: iso.slice(0, 10) } : { problem: "Must be a date (YYYY-MM-DD)" };
    }
    case "datetime": {
      const iso = parseDateTime(v);
      return iso ? { value: iso } : { problem: "Must be an ISO 8601 date-time" };
    }
    case "select": {
      const allowed = o.values ?? [];
      if (o.multiple) {
        const p = checkStringList(v, "values");
        if (p) return { problem: p };
        const bad = (v as string[]).find((x) => !allowed.includes(x));
        return bad !== undefined ? { problem: `'${bad}' is not one of: ${allowed.join(", ")}` } : { value: [...new Set(v as string[])] };
      }
      if (typeof v !== "string" || !allowed.includes(v)) return { problem: `Must be one of: ${allowed.join(", ")}` };
      return { value: v };
    }
    case "json":
      return { value: v };
    case "tags": {
      const p = checkStringList(v, "strings");
      if (p) return { problem: p };
      if ((v as string[]).some((t) => t.length > 200)) return { problem: "Tags must be at most 200 characters" };
      return { value: [...new Set(v as string[])] };
    }
    case "reference": {
      if (o.multiple) {
        const p = checkStringList(v, "record ids");
        return p ? { problem: p } : { value: [...new Set(v as string[])] };
      }
      return typeof v === "string" && v.length > 0 ? { value: v } : { problem: "Must be a record id" };
    }
    case "file": {
      const list = typeof v === "string" ? [v] : v;
      const p = checkStringList(list, "file ids", o.maxFiles);
      return p ? { problem: p } : { value: list };
    }
    case "geopoint": {
      if (!isPlainObject(v)) return { problem: "Must be an object {lat, lng}" };
      const { lat, lng, alt } = v;
      if (typeof lat !== "number" || lat < -90 || lat > 90) return { problem: "lat must be a number between -90 and 90" };
      if (typeof lng !== "number" || lng < -180 || lng > 180) return { problem: "lng must be a number between -180 and 180" };
      if (alt !== undefined && typeof alt !== "number") return { problem: "alt must be a number" };
      const extra = Object.keys(v).find((k) => !["lat", "lng", "alt"].includes(k));
      if (extra) return { problem: `Unknown key '${extra}' (expected lat, lng, alt)` };
      return { value: alt === undefined ? { lat, lng } : { lat, lng, alt } };
    }
  }
}

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

const mappers = new WeakMap<CollectionDef, Partial<Record<Dialect, RowMapper>>>();

/** Row (selected with `selectColumns`) → API-shaped record. Cached per definition and dialect. */
export function rowMapper(def: CollectionDef, dialect: Dialect): RowMapper {
  let byDialect = mappers.get(def);
  if (!byDialect) mappers.set(def, (byDialect = {}));
  let m = byDialect[dialect];
  if (!m) {
    const conv = def.fields.map((f) => [f.name, converter(f, dialect)] as const);
    m = (row) => {
      const rec: RecordData = {
        id: row.id as string,
        owner_id: (row.owner_id as string | null) ?? null,
        created: row.created as string,
        updated: row.updated as string,
        version: Number(row.version),
      };
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
  return [...SYSTEM_FIELDS, ...def.fields.map((f) => f.name)];
}
