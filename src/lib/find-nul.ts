/**
 * Finds U+0000 in request data. PostgreSQL cannot store it in text or jsonb (SQLite can), so the
 * request edges refuse it on both databases alike, before anything reaches a query. The walk is
 * iterative (no recursion limit to hit on deeply nested JSON) and checks object keys as well as
 * string values.
 *
 * Every REST request and GraphQL operation is walked, and almost none holds U+0000: the walk
 * keeps only the values still to visit and builds no path; the path is worked out by a second
 * walk once a NUL was found (a bulk create of 100 records made thousands of path strings here).
 */

const NUL = "\u0000";

/** Whether a string value or object key anywhere in `value` holds U+0000. */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.includes(NUL)) return true;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v)) {
        if (key.includes(NUL)) return true;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/**
 * The path of the first string or object key holding U+0000 in a JSON-like value
 * (`data.tags[2]`, `data.{key}`), `""` for the value itself, or undefined when there is none.
 * `prefix` starts every path (e.g. `body`).
 */
export function findNul(value: unknown, prefix = ""): string | undefined {
  if (!holdsNul(value)) return undefined;
  // depth first in document order: the entries of an array or object go on the stack last first
  const stack: { v: unknown; path: string; badKey?: boolean }[] = [{ v: value, path: prefix }];
  while (stack.length) {
    const { v, path, badKey } = stack.pop()!;
    if (badKey) return path.replaceAll(NUL, "\\u0000");
    if (typeof v === "string") {
      if (v.includes(NUL)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ v: (v as Record<string, unknown>)[key], path: path ? `${path}.${key}` : key, badKey: key.includes(NUL) });
      }
    }
  }
  return undefined;
}
