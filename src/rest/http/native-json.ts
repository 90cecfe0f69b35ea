/**
 * Record lists serialized by V8's JSON.stringify instead of the route's schema serializer, when
 * that gives the same bytes.
 *
 * Why: fast-json-stringify writes an `additionalProperties: true` object (a record's `data`) one
 * value at a time, each through its own JSON.stringify call, and concatenates the pieces; for a
 * page of 30 records with long text that costs about twice one native JSON.stringify of the page.
 *
 * Same bytes, checked rather than assumed: {@link conformsNatively} walks the value against the
 * response schema and accepts it only where both serializers are known to agree — every declared
 * property in the schema's order and no undeclared one (fast-json-stringify writes schema order
 * and drops undeclared keys; JSON.stringify writes insertion order and keeps them), strings that
 * are strings (fast-json-stringify coerces others; its escaping equals JSON.stringify's for
 * strings), integers that are integers, booleans, nulls where the type allows them, arrays of
 * conforming items, and free-form objects (`additionalProperties: true` without `properties`,
 * which fast-json-stringify itself hands to JSON.stringify value by value). Anything else — a
 * Date, a number for a string, a null `data` — keeps the schema serializer for that reply.
 */
import type { FastifyReply } from "fastify";

/** The subset of JSON Schema that response schemas of record lists use. */
export interface ResponseSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, ResponseSchema>>;
  readonly additionalProperties?: boolean | ResponseSchema;
  readonly items?: ResponseSchema;
  readonly required?: readonly string[];
}

/** Keywords whose meaning the check knows; a schema with any other is never taken natively. */
const KNOWN_KEYWORDS = new Set(["type", "properties", "additionalProperties", "items", "required", "description", "title"]);

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

const supported = new WeakMap<ResponseSchema, boolean>();

function allows(schema: ResponseSchema, type: string): boolean {
  let ok = supported.get(schema);
  if (ok === undefined) supported.set(schema, (ok = Object.keys(schema).every((k) => KNOWN_KEYWORDS.has(k))));
  if (!ok) return false;
  const t = schema.type;
  return typeof t === "string" ? t === type : t !== undefined && t.includes(type);
}

/** The property names of a schema in order, computed once per schema object. */
const propertyNames = new WeakMap<ResponseSchema, readonly string[]>();

function declared(schema: ResponseSchema): readonly string[] {
  let names = propertyNames.get(schema);
  if (!names) propertyNames.set(schema, (names = Object.keys(schema.properties ?? {})));
  return names;
}

/**
 * Whether `JSON.stringify(value)` equals what fast-json-stringify writes for `value` under
 * `schema` (see the module comment for what is accepted). False for any shape or type it does
 * not know to agree on, so a false answer costs speed only.
 */
export function conformsNatively(value: unknown, schema: ResponseSchema): boolean {
  if (value === null) return allows(schema, "null");
  switch (typeof value) {
    case "string":
      return allows(schema, "string");
    case "boolean":
      return allows(schema, "boolean");
    case "number":
      return (allows(schema, "integer") && Number.isInteger(value)) || (allows(schema, "number") && Number.isFinite(value));
    case "object":
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    if (!allows(schema, "array") || !schema.items) return false;
    for (const item of value) if (!conformsNatively(item, schema.items)) return false;
    return true;
  }
  if (!allows(schema, "object") || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  if (!schema.properties) return schema.additionalProperties === true;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return false;
  // own keys: each declared, in the schema's order, its value conforming (undefined is skipped by both)
  const names = declared(schema);
  const obj = value as Record<string, unknown>;
  let at = 0;
  for (const key in obj) {
    while (at < names.length && names[at] !== key) at++;
    if (at === names.length) return false;
    const v = obj[key];
    if (v !== undefined && !conformsNatively(v, schema.properties[key]!)) return false;
    at++;
  }
  // fast-json-stringify refuses an object without a required property; JSON.stringify would not
  return !schema.required || schema.required.every((k) => obj[k] !== undefined);
}

function stringify(payload: unknown): string {
  return JSON.stringify(payload);
}

/**
 * Returns `body` for the handler to answer with, and when it conforms to `schema` (the route's
 * 200 response schema) has the reply serialize it with JSON.stringify. The caller guarantees
 * `schema` is the schema the route declares for the status it answers with.
 */
export function nativeJsonWhenConforming<T>(reply: FastifyReply, schema: ResponseSchema, body: T): T {
  if (conformsNatively(body, schema)) reply.type(JSON_CONTENT_TYPE).serializer(stringify);
  return body;
}
