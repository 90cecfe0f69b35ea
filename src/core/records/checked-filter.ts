/**
 * A list's filter once checked, and its compiled WHERE, remembered per collection definition.
 *
 * Why: a client repeats the same list (the same filter text, the same caller), and checking the
 * filter against the collection, compiling it to SQL with Kysely and writing the SQL text cost a
 * tenth of a contains page's CPU time, though for one definition the result never changes. The
 * entry is found by the expression itself — the parsed filter with the caller's access rule
 * ANDed in, written out as a key — so two callers whose access rules differ (another owner,
 * another role) never share an entry, and a change of rules, permissions or datetime macros
 * (resolved by the parser to literal times) changes the key. A new definition (any schema change)
 * is a new object, so nothing cached here outlives the schema it was checked against.
 *
 * Only what depends on nothing else is kept: the checked expression, and per dialect and
 * substring-index plan (contains-index.ts) the compiled WHERE. The caller's access check on the
 * fields it filters by (`assertReadableQuery`), the page, the account and the total are still
 * decided per request. Expressions holding a sub-select, and very long ones (built by code, not
 * parsed), are not cached.
 */
import type { Statement } from "../../db/sql-db.ts";
import type { Expr, Literal, Operand } from "../../query/ast.ts";
import type { CollectionDef } from "../collections/types.ts";

/** Filters remembered per definition before the least recently used is dropped. */
export const MAX_CHECKED_FILTERS = 500;
/** Compiled forms kept per filter (one per dialect and substring-index plan). */
const MAX_COMPILED = 8;
/**
 * Longer keys are not cached: past the longest filter text a client may send, they come from
 * code (an `in` over the ids of a page's references) and are seldom asked twice.
 */
const MAX_KEY_LENGTH = 4096;

export interface CheckedFilter {
  /** the filter with the access rule ANDed in, checked against the definition */
  readonly expr: Expr;
  /** compiled WHERE by {@link compiledWhere}'s key */
  readonly compiled: Map<string, Statement>;
}

const cache = new WeakMap<CollectionDef, Map<string, CheckedFilter>>();

/**
 * The checked form of `expr` for `def`: the remembered one, else `check()`'s (remembered when it
 * returns; a filter that fails its check throws every time).
 */
export function checkedFilter(def: CollectionDef, expr: Expr, check: () => Expr): CheckedFilter {
  const key = exprKey(expr);
  if (key === undefined || key.length > MAX_KEY_LENGTH) return { expr: check(), compiled: new Map() };
  let byKey = cache.get(def);
  if (!byKey) cache.set(def, (byKey = new Map()));
  let entry = byKey.get(key);
  if (entry) {
    byKey.delete(key);
    byKey.set(key, entry); // most recently used last
    return entry;
  }
  entry = { expr: check(), compiled: new Map() };
  if (byKey.size >= MAX_CHECKED_FILTERS) byKey.delete(byKey.keys().next().value!);
  byKey.set(key, entry);
  return entry;
}

/** The compiled WHERE of a checked filter for `key` (dialect and index plan): remembered, else `compile()`'s. */
export function compiledWhere(filter: CheckedFilter, key: string, compile: () => Statement): Statement {
  let stmt = filter.compiled.get(key);
  if (stmt === undefined) {
    const { sql, parameters } = compile();
    stmt = { sql, parameters };
    if (filter.compiled.size >= MAX_COMPILED) filter.compiled.delete(filter.compiled.keys().next().value!);
    filter.compiled.set(key, stmt);
  }
  return stmt;
}

/**
 * A string naming the expression exactly (kinds, operators, fields, literal types and values), or
 * undefined when it holds a sub-select. Unlike JSON, it keeps `Infinity`, `NaN` and `-0` apart
 * from `null` and `0`.
 * @example exprKey({ kind: "compare", op: "contains", left: { kind: "field", name: "title" }, right: { kind: "value", value: "lorem" } })
 * // 'c(contains,,,f("title",),"lorem")'
 */
export function exprKey(e: Expr): string | undefined {
  switch (e.kind) {
    case "const":
      return e.value ? "T" : "F";
    case "and":
    case "or": {
      let out = e.kind === "and" ? "&(" : "|(";
      for (const item of e.items) {
        const k = exprKey(item);
        if (k === undefined) return undefined;
        out += `${k};`;
      }
      return `${out})`;
    }
    case "not": {
      const k = exprKey(e.expr);
      return k === undefined ? undefined : `!(${k})`;
    }
    case "compare": {
      const left = operandKey(e.left);
      const right = operandKey(e.right);
      if (left === undefined || right === undefined) return undefined;
      return `c(${e.op},${e.any ? 1 : ""},${e.caseSensitive === undefined ? "" : e.caseSensitive ? 1 : 0},${left},${right})`;
    }
    case "isNull": {
      const operand = operandKey(e.operand);
      return operand === undefined ? undefined : `n(${e.negate ? 1 : 0},${operand})`;
    }
    default:
      return undefined;
  }
}

function operandKey(o: Operand): string | undefined {
  switch (o.kind) {
    case "field":
      return `f(${JSON.stringify(o.name)},${o.modifier ?? ""})`;
    case "ctx":
      return `x(${JSON.stringify(o.path)})`;
    default:
      return literalKey(o.value);
  }
}

/** A literal's key; undefined for a value of no literal type (nothing is cached then). */
function literalKey(v: Literal): string | undefined {
  if (Array.isArray(v)) {
    let out = "[";
    for (const item of v) {
      const k = literalKey(item);
      if (k === undefined) return undefined;
      out += `${k},`;
    }
    return `${out}]`;
  }
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "boolean":
      return v ? "true" : "false";
    default:
      return v === null ? "null" : undefined;
  }
}
