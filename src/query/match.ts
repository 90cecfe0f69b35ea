/**
 * In-memory comparison semantics shared by `toPredicate` and the constant folding in `checkExpr`.
 * They mirror the SQL that `toSql` emits:
 * - a null value never equals, orders or contains anything; `ne`, `notContains` and `notIn`
 *   are their exact negations (null-safe: a null value is "not equal" to "x");
 * - text orders by Unicode code point (SQLite BINARY, PostgreSQL `COLLATE "C"`);
 * - case-insensitive matching (`contains` unless case-sensitive, `:lower`, `:upper`) folds ASCII letters only, like
 *   SQLite's LIKE/lower(). PostgreSQL's ILIKE/lower() also fold non-ASCII letters, so for those
 *   the database's behaviour wins and may differ from this function.
 */
import type { CompareOp, Literal, Scalar } from "./ast.ts";
import type { StorageKind } from "./field-kinds.ts";

/** Storage kinds a single value can be compared as (json values are never compared). */
export type ScalarKind = Exclude<StorageKind, "json">;

type Norm = string | number | boolean | null;

/** Lower-cases ASCII letters only (SQLite `lower()` / `LIKE` folding). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Upper-cases ASCII letters only (SQLite `upper()`). */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** Number of Unicode code points (SQL `length()` on text). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Compares two strings by code point (= UTF-8 byte order), not by UTF-16 unit. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Brings a record or literal value to the comparable form of `kind`; null when absent/unusable. */
export function normalize(kind: ScalarKind, v: unknown): Norm {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "bool":
      if (typeof v === "boolean") return v;
      return v === 1 ? true : v === 0 ? false : null;
    case "number":
      if (typeof v === "number") return Number.isNaN(v) ? null : v;
      return typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null;
    case "datetime": {
      const ms = v instanceof Date ? v.getTime() : typeof v === "string" ? Date.parse(v) : NaN;
      return Number.isNaN(ms) ? null : ms;
    }
    case "date":
      if (v instanceof Date) return v.toISOString().slice(0, 10);
      return typeof v === "string" ? v : null;
    case "text":
      return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null;
  }
}

function order(a: NonNullable<Norm>, b: NonNullable<Norm>): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return compareText(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  return NaN;
}

function likeMatch(op: CompareOp, value: string, needle: string, caseSensitive: boolean): boolean {
  const v = caseSensitive ? value : asciiLower(value);
  const n = caseSensitive ? needle : asciiLower(needle);
  if (op === "startsWith") return v.startsWith(n);
  if (op === "endsWith") return v.endsWith(n);
  return v.includes(n);
}

/**
 * Whether `actual` (a record value, possibly null) satisfies `op` against the checked literal
 * `expected` (non-null scalar; a list for `in`/`notIn`, whose null items match a null value).
 * Substring operators fold ASCII case unless `caseSensitive`.
 */
export function matchValue(op: CompareOp, kind: ScalarKind, actual: unknown, expected: Literal, caseSensitive = false): boolean {
  const a = normalize(kind, actual);
  switch (op) {
    case "ne":
      return !matchValue("eq", kind, actual, expected);
    case "notContains":
      return !matchValue("contains", kind, actual, expected, caseSensitive);
    case "notIn":
      return !matchValue("in", kind, actual, expected);
    case "in": {
      const items: Scalar[] = Array.isArray(expected) ? expected : [expected];
      return items.some((item) => (item === null ? a === null : matchValue("eq", kind, actual, item)));
    }
    case "contains":
    case "startsWith":
    case "endsWith":
      return a !== null && expected !== null && likeMatch(op, String(a), String(expected), caseSensitive);
  }
  const b = normalize(kind, expected);
  if (a === null || b === null) return false;
  const d = order(a, b);
  if (Number.isNaN(d)) return false;
  switch (op) {
    case "eq":
      return d === 0;
    case "gt":
      return d > 0;
    case "gte":
      return d >= 0;
    case "lt":
      return d < 0;
    default:
      return d <= 0;
  }
}

/**
 * Field-to-field comparison: `eq`/`ne` are null-safe (two nulls are equal, SQL `IS`/`IS NOT
 * DISTINCT FROM`); ordering is false when either side is null.
 */
export function matchPair(op: CompareOp, kind: ScalarKind, left: unknown, right: unknown): boolean {
  const a = normalize(kind, left);
  const b = normalize(kind, right);
  if (op === "eq" || op === "ne") {
    const equal = a === null || b === null ? a === b : order(a, b) === 0;
    return op === "eq" ? equal : !equal;
  }
  return a !== null && b !== null && matchValue(op, kind, left, right as Scalar);
}

/**
 * How a `?`-operator compares list elements, shared by `toSql` and `toPredicate` so both agree:
 * numerically (number elements only) when the literal is a number or a list of numbers and the
 * operator is not a text match; otherwise as text (string elements only).
 */
export function anyElementTyping(op: CompareOp, v: Literal): { numeric: boolean; kind: ScalarKind; value: Literal } {
  const like = op === "contains" || op === "notContains" || op === "startsWith" || op === "endsWith";
  const numeric = !like && (typeof v === "number" || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")));
  const asText = (x: Scalar) => (x === null ? null : String(x));
  return { numeric, kind: numeric ? "number" : "text", value: numeric ? v : Array.isArray(v) ? v.map(asText) : asText(v) };
}
