/**
 * Nesting depth of parsed JSON, measured without recursion: JSON.parse accepts any depth, but
 * JSON.stringify, structuredClone and every recursive walk overflow the stack a few thousand
 * levels down, so callers check the depth before anything else walks the value.
 */

/**
 * True when `value` nests arrays/objects more than `max` levels deep (a scalar is depth 0,
 * `[1]` and `{"a":1}` are depth 1). Stops as soon as the limit is passed.
 * @example deeperThan([[1]], 1) // true
 */
export function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== "object") return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}
