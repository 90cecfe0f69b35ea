/**
 * Pure value checks for one field: does a JSON value satisfy the field's type and options?
 * Used for field defaults at definition time and by schema changes (is an existing value
 * convertible?). Messages are safe to show to clients.
 */
import { parseIso } from "../../lib/iso-date.ts";
import { deeperThan } from "../../lib/json-depth.ts";
import type { FieldDef } from "./types.ts";

export { parseIso, type ParsedIso } from "../../lib/iso-date.ts";

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Compiles a field pattern with Cairn's semantics: anchored at the start (like Python's re.match). */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})`);
}

const MAX_TAG_LENGTH = 200;

/** Deepest nesting of arrays and objects a `json` field value may have (README "Field types"). */
export const MAX_JSON_DEPTH = 64;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function checkString(field: FieldDef, v: string): string | null {
  const o = field.options;
  if (o.minLength !== undefined && [...v].length < o.minLength) return `must be at least ${o.minLength} characters`;
  if (o.maxLength !== undefined && [...v].length > o.maxLength) return `must be at most ${o.maxLength} characters`;
  if (o.pattern !== undefined && !compilePattern(o.pattern).test(v)) return `must match the pattern ${o.pattern}`;
  return null;
}

function checkList(field: FieldDef, v: unknown, item: (x: unknown) => string | null): string | null {
  if (!Array.isArray(v)) return "must be a list";
  for (const x of v) {
    const err = item(x);
    if (err) return err;
  }
  if (field.type === "file" && field.options.maxFiles !== undefined && v.length > field.options.maxFiles) return `must have at most ${field.options.maxFiles} files`;
  return null;
}

/**
 * Checks one value against a field definition. `null`/`undefined` always pass (required-ness is
 * the records layer's concern). Returns an error message, or null when the value is valid.
 */
export function checkFieldValue(field: FieldDef, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const o = field.options;
  switch (field.type) {
    case "text":
    case "textarea":
      return typeof value === "string" ? checkString(field, value) : "must be a string";
    case "editor":
      // rich text is stored as text (HTML, or a JSON document serialised by the client)
      return typeof value === "string" ? checkString(field, value) : "must be a string";
    case "email":
      if (typeof value !== "string") return "must be a string";
      return EMAIL_RE.test(value) ? checkString(field, value) : "must be a valid email address";
    case "url":
      if (typeof value !== "string") return "must be a string";
      if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) return "must be a URL starting with http:// or https://";
      return checkString(field, value);
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return "must be a number";
      if (o.integer && !Number.isInteger(value)) return "must be an integer";
      if (o.min !== undefined && value < o.min) return `must be at least ${o.min}`;
      if (o.max !== undefined && value > o.max) return `must be at most ${o.max}`;
      return null;
    case "bool":
      return typeof value === "boolean" ? null : "must be true or false";
    case "date":
    case "datetime":
      return typeof value === "string" && parseIso(value) ? null : `must be an ISO 8601 ${field.type} string`;
    case "select": {
      const allowed = o.values ?? [];
      const one = (x: unknown) => (typeof x === "string" && allowed.includes(x) ? null : `must be one of: ${allowed.join(", ")}`);
      return o.multiple ? checkList(field, value, one) : one(value);
    }
    case "reference": {
      const one = (x: unknown) => (typeof x === "string" && x.length > 0 ? null : "must be a record id");
      return o.multiple ? checkList(field, value, one) : one(value);
    }
    case "tags":
      return checkList(field, value, (x) =>
        typeof x === "string" && x.length > 0 && x.length <= MAX_TAG_LENGTH ? null : `must be a list of non-empty strings of at most ${MAX_TAG_LENGTH} characters`,
      );
    case "file":
      return checkList(field, value, (x) => (typeof x === "string" && x.length > 0 ? null : "must be a list of file ids"));
    case "geopoint": {
      if (!isPlainObject(value)) return "must be an object {lat, lng}";
      const { lat, lng, alt } = value;
      if (typeof lat !== "number" || lat < -90 || lat > 90) return "lat must be a number between -90 and 90";
      if (typeof lng !== "number" || lng < -180 || lng > 180) return "lng must be a number between -180 and 180";
      if (alt !== undefined && alt !== null && typeof alt !== "number") return "alt must be a number";
      const extra = Object.keys(value).find((k) => k !== "lat" && k !== "lng" && k !== "alt");
      return extra === undefined ? null : `unknown key '${extra}' (expected lat, lng, alt)`;
    }
    case "json":
      return deeperThan(value, MAX_JSON_DEPTH) ? `must not be nested more than ${MAX_JSON_DEPTH} levels deep` : null;
  }
}

/** PostgreSQL cannot store U+0000 in text or jsonb; refuse it on both databases alike. */
function containsNul(v: unknown, depth = 0): boolean {
  if (typeof v === "string") return v.includes("\u0000");
  if (depth > 64 || v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) return v.some((x) => containsNul(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.includes("\u0000") || containsNul(x, depth + 1));
}

const unique = (v: unknown) => [...new Set(v as unknown[])];

/** A file field's input as ids: one id, a list of ids, or the `{id, …}` objects reads return. */
function fileIdList(value: unknown): unknown {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return value;
  return value.map((x) => (typeof x === "object" && x !== null && !Array.isArray(x) && typeof (x as { id?: unknown }).id === "string" ? (x as { id: string }).id : x));
}

/**
 * Checks a present, non-null value like `checkFieldValue` and returns it in its canonical form:
 * datetimes as UTC ISO with ms, dates as `YYYY-MM-DD`, list values without duplicates, a single
 * file id as a one-element list. Records store exactly what this returns.
 */
export function normalizeFieldValue(field: FieldDef, value: unknown): { value: unknown } | { problem: string } {
  const v = field.type === "file" ? fileIdList(value) : value;
  if (containsNul(v)) return { problem: "must not contain NUL (\\u0000) characters" };
  const problem = checkFieldValue(field, v);
  if (problem) return { problem };
  switch (field.type) {
    case "datetime":
      return { value: parseIso(v as string)!.date.toISOString() };
    case "date":
      return {
        value: parseIso(v as string)!
          .date.toISOString()
          .slice(0, 10),
      };
    case "tags":
    case "file":
      return { value: unique(v) };
    case "select":
    case "reference":
      return { value: field.options.multiple ? unique(v) : v };
    default:
      return { value: v };
  }
}
