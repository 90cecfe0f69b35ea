/**
 * Finds U+0000 in request data. PostgreSQL cannot store it in text or jsonb (SQLite can), so the
 * request edges refuse it on both databases alike, before anything reaches a query. The walk is
 * iterative (no recursion limit to hit on deeply nested JSON) and checks object keys as well as
 * string values.
 */

const NUL = "\u0000";

/**
 * The path of the first string or object key holding U+0000 in a JSON-like value
 * (`data.tags[2]`, `data.{key}`), `""` for the value itself, or undefined when there is none.
 * `prefix` starts every path (e.g. `body`).
 */
export function findNul(value: unknown, prefix = ""): string | undefined {
  const stack: [unknown, string][] = [[value, prefix]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes(NUL)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v)) {
        const at = path ? `${path}.${key}` : key;
        if (key.includes(NUL)) return at.replaceAll(NUL, "\\u0000");
        stack.push([(v as Record<string, unknown>)[key], at]);
      }
    }
  }
  return undefined;
}
