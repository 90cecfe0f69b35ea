/**
 * Lookups and maps that treat client-supplied names as plain data. A plain object literal
 * answers `table["constructor"]` with `Object` and `table["toString"]` with a function, and
 * `obj["__proto__"] = v` replaces its prototype; with names that come from requests (ids,
 * field names, setting keys, filter words) either one turns into a 500 or a wrong answer.
 */

/**
 * The value `table` holds under its own key `key`, or undefined — never an inherited member.
 * @example own({ people: "person" }, "constructor") // undefined
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * An empty object without a prototype, for building a JSON object whose keys come from clients:
 * every key (`__proto__` included) becomes an own property and no lookup finds an inherited one.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
