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

type Check = (value: unknown) => boolean;

/** One check per schema object, built on first use (see {@link compile}). */
const checks = new WeakMap<ResponseSchema, Check>();

function checkOf(schema: ResponseSchema): Check {
  let check = checks.get(schema);
  if (!check) checks.set(schema, (check = compile(schema)));
  return check;
}

const never: Check = () => false;

/**
 * The check of one schema, its keywords read once: a page of 30 records is about 250 values, and
 * reading the schema again for each of them cost a tenth of a contains list's CPU outside SQL.
 * Nested schemas get their checks on first use, so a schema that contains itself is fine.
 */
function compile(schema: ResponseSchema): Check {
  if (!Object.keys(schema).every((k) => KNOWN_KEYWORDS.has(k))) return never;
  const t = schema.type;
  const types = new Set<string>(typeof t === "string" ? [t] : (t ?? []));
  const nullable = types.has("null");
  const string = types.has("string");
  const boolean = types.has("boolean");
  const integer = types.has("integer");
  const number = types.has("number");
  const array = types.has("array") && schema.items !== undefined;
  const object = types.has("object") && (schema.properties ? schema.additionalProperties === undefined || schema.additionalProperties === false : schema.additionalProperties === true);
  const names = Object.keys(schema.properties ?? {});
  const propertyChecks: (Check | undefined)[] = new Array(names.length);
  const required = schema.required ?? [];
  let itemCheck: Check | undefined;

  const conformsObject = (obj: Record<string, unknown>): boolean => {
    if (typeof obj.toJSON === "function") return false;
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) return false;
    if (!schema.properties) return true;
    // own keys: each declared, in the schema's order, its value conforming (undefined is skipped by both)
    let at = 0;
    for (const key in obj) {
      while (at < names.length && names[at] !== key) at++;
      if (at === names.length) return false;
      const v = obj[key];
      if (v !== undefined && !(propertyChecks[at] ??= checkOf(schema.properties[key]!))(v)) return false;
      at++;
    }
    // fast-json-stringify refuses an object without a required property; JSON.stringify would not
    for (const k of required) if (obj[k] === undefined) return false;
    return true;
  };

  return (value) => {
    if (value === null) return nullable;
    switch (typeof value) {
      case "string":
        return string;
      case "boolean":
        return boolean;
      case "number":
        return (integer && Number.isInteger(value)) || (number && Number.isFinite(value));
      case "object":
        if (Array.isArray(value)) {
          if (!array) return false;
          const check = (itemCheck ??= checkOf(schema.items!));
          for (const item of value) if (!check(item)) return false;
          return true;
        }
        return object && conformsObject(value as Record<string, unknown>);
      default:
        return false;
    }
  };
}

/**
 * Whether `JSON.stringify(value)` equals what fast-json-stringify writes for `value` under
 * `schema` (see the module comment for what is accepted). False for any shape or type it does
 * not know to agree on, so a false answer costs speed only.
 */
export function conformsNatively(value: unknown, schema: ResponseSchema): boolean {
  return checkOf(schema)(value);
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
