/**
 * Coercion of filter literals to the storage kind of the field they are compared with, so that
 * `views > "10"` compares numbers and `created > 2024-01-01` compares instants.
 */
import { parseIso } from "../lib/iso-date.ts";
import { FilterError, type Scalar } from "./ast.ts";
import type { ScalarKind } from "./match.ts";

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const quote = (v: Scalar) => (typeof v === "string" ? `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'` : String(v));

/**
 * Parses an ISO-8601 date or date-time (`2024-05-01`, `2024-05-01T10:00`, `…:00.123Z`,
 * `…+02:00`; no offset means UTC) into epoch milliseconds, or `undefined` when it is not one or
 * names an impossible date (Feb 30, hour 25). Same grammar as record values (lib/iso-date.ts).
 */
export function parseIsoDate(s: string): number | undefined {
  return parseIso(s.trim())?.date.getTime();
}

/**
 * Coerces one literal for a field of storage kind `kind` (null passes through):
 * - number: numbers, numeric strings; booleans are not numbers
 * - bool: true/false, "true"/"false" (any case), 1/0, "1"/"0"
 * - datetime: ISO-8601 strings → normalised `toISOString()` (UTC, ms, `Z`)
 * - date: ISO-8601 strings → `YYYY-MM-DD` (the UTC date of a date-time)
 * - text: strings; numbers and booleans become their string form
 * Strings containing NUL are rejected everywhere (PostgreSQL text cannot hold them).
 * @throws FilterError naming the field and the value when it cannot be coerced.
 */
export function coerceLiteral(kind: ScalarKind, value: Scalar, field: string): Scalar {
  if (value === null) return null;
  if (typeof value === "string" && value.includes("\u0000")) {
    throw new FilterError(`invalid value for field '${field}': values cannot contain NUL characters`);
  }
  const fail = (what: string) => new FilterError(`invalid ${what} ${quote(value)} for field '${field}'`);
  switch (kind) {
    case "text":
      return String(value);
    case "number":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      if (typeof value === "string" && NUMERIC.test(value) && Number.isFinite(Number(value))) return Number(value);
      throw fail("number");
    case "bool": {
      if (typeof value === "boolean") return value;
      const s = String(value).toLowerCase();
      if (s === "true" || s === "1") return true;
      if (s === "false" || s === "0") return false;
      throw fail("boolean");
    }
    case "datetime":
    case "date": {
      const t = typeof value === "string" ? parseIsoDate(value) : undefined;
      if (t === undefined) throw fail(kind);
      const iso = new Date(t).toISOString();
      return kind === "date" ? iso.slice(0, 10) : iso;
    }
  }
}
