/**
 * Pure value checks for one field: does a JSON value satisfy the field's type and options?
 * Used for field defaults at definition time and by schema changes (is an existing value
 * convertible?). Messages are safe to show to clients.
 */
import type { FieldDef } from "./types.ts";

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Parsed ISO-8601 instant (UTC) and whether it carried a time part. */
export interface ParsedIso {
  date: Date;
  hasTime: boolean;
}

/**
 * Strict ISO-8601 parser: `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or
 * `±HH:MM`. A time without zone is UTC (never local time). Returns null for anything else,
 * including impossible calendar dates (`2024-02-30`).
 */
export function parseIso(value: string): ParsedIso | null {
  const m = ISO_RE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // year 0 is valid ISO but not a PostgreSQL date; both databases must accept what we accept
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const instant = new Date(Date.UTC(2000, month - 1, day, Number(h), Number(mi), Number(s), ms));
  instant.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0-99 to 1900-1999
  let t = instant.getTime();
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
    if (zh > 15 || zm > 59) return null;
    t -= sign * (zh * 60 + zm) * 60_000;
  }
  return { date: new Date(t), hasTime: m[4] !== undefined };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Compiles a field pattern with Cairn's semantics: anchored at the start (like Python's re.match). */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})`);
}

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
      if (typeof value === "string") return checkString(field, value);
      return isPlainObject(value) || Array.isArray(value) ? null : "must be a string or a JSON document";
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
      return checkList(field, value, (x) => (typeof x === "string" ? null : "must be a list of strings"));
    case "file":
      return checkList(field, value, (x) => (typeof x === "string" || isPlainObject(x) ? null : "must be a list of file ids"));
    case "geopoint": {
      if (!isPlainObject(value)) return "must be an object {lat, lng}";
      const { lat, lng, alt } = value;
      if (typeof lat !== "number" || lat < -90 || lat > 90) return "lat must be a number between -90 and 90";
      if (typeof lng !== "number" || lng < -180 || lng > 180) return "lng must be a number between -180 and 180";
      if (alt !== undefined && alt !== null && typeof alt !== "number") return "alt must be a number";
      return null;
    }
    case "json":
      return null;
  }
}
