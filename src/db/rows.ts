/**
 * Rows from arrays of values. Both drivers read rows as arrays (better-sqlite3's raw mode, pg's
 * `rowMode: "array"`) and name the values here, with one generated function per column list.
 */
import type { Row } from "./sql-db.ts";

/** Column lists with a builder at most; past it the map starts again. */
const MAX_BUILDERS = 1000;

/** Builds one row object from its array of values. */
export type RowOf = (values: unknown[]) => Row;

/** Row builders by column list, shared by the statements that return the same columns. */
const rowBuilders = new Map<string, RowOf>();

/**
 * A function that builds a row object from an array of values: one object literal with the
 * column names as keys, so each builder's stores stay monomorphic (a loop assigning
 * `row[name] = value` for every statement's columns is one megamorphic store site). Keys are
 * JSON string literals; `__proto__` is written as a computed key so it stays a plain property.
 */
export function rowBuilder(columns: readonly string[]): RowOf {
  const id = columns.join("\0");
  let build = rowBuilders.get(id);
  if (!build) {
    if (rowBuilders.size >= MAX_BUILDERS) rowBuilders.clear();
    const entries = columns.map((name, i) => `${name === "__proto__" ? `["__proto__"]` : JSON.stringify(name)}: v[${i}]`);
    build = new Function("v", `return { ${entries.join(", ")} };`) as RowOf;
    rowBuilders.set(id, build);
  }
  return build;
}

/** Rows from arrays of values, named by the builder `builder` gives (asked only when there are rows). */
export function rowsOf<T>(values: unknown[][], builder: () => RowOf): T[] {
  if (!values.length) return [];
  const build = builder();
  const rows = new Array<T>(values.length);
  for (let r = 0; r < values.length; r++) rows[r] = build(values[r]!) as T;
  return rows;
}
