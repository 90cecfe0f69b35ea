/**
 * Per-collection parts of the OpenAPI document: for every collection, named schemas for its
 * fields, record, create and update bodies, sort keys and list query, and concrete paths for the
 * REST dialects that address a collection in the path (FastCMS `/api/v1/collections/<name>/records…`,
 * SnackBase `/api/v1/records/<name>…`, Fullfinity `/api/query/<model>` and friends). Each concrete
 * operation is the generic route's operation (its parameters, errors and summary stay in step with
 * the route) with the collection parameter taken out and the bodies typed.
 */
import type { CollectionDef, FieldDef } from "../../core/collections/types.ts";
import { isListField } from "../../query/field-kinds.ts";

type Json = Record<string, any>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ "application/json": { schema } });

/** `blog_posts` → `BlogPosts` (schema names allow letters, digits, `.`, `-`, `_`). */
export function schemaName(collection: string): string {
  return collection.replace(/(^|_)([a-zA-Z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
}

/** JSON Schema (OpenAPI 3.0) of one value of `f`. */
export function fieldValueSchema(f: FieldDef): Json {
  const o = f.options ?? {};
  const one = (): Json => {
    switch (f.type) {
      case "text":
      case "textarea":
        return { type: "string", ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}), ...(o.minLength !== undefined ? { minLength: o.minLength } : {}) };
      case "email":
        return { type: "string", format: "email" };
      case "url":
        return { type: "string", format: "uri" };
      case "number":
        return { type: o.integer ? "integer" : "number", ...(o.min !== undefined ? { minimum: o.min } : {}), ...(o.max !== undefined ? { maximum: o.max } : {}) };
      case "bool":
        return { type: "boolean" };
      case "date":
        return { type: "string", format: "date" };
      case "datetime":
        return { type: "string", format: "date-time" };
      case "select":
        return { type: "string", enum: o.values ?? [] };
      case "reference":
        return { type: "string", description: `id of a ${o.collection ?? ""} record` };
      case "file":
      case "tags":
        return { type: "string" };
      default:
        return { description: f.type === "editor" ? "HTML text or a JSON document" : "any JSON value" };
    }
  };
  const schema = isListField(f) ? { type: "array", items: one() } : one();
  return { ...schema, ...(f.label ? { title: f.label } : {}), ...(f.hint ? { description: f.hint } : {}) };
}

const SYSTEM_SORT_KEYS = ["id", "created", "updated"];

/** Named schemas of one collection (dialect-neutral, plus each dialect's record envelope). */
export function collectionSchemas(def: CollectionDef): Record<string, Json> {
  const n = schemaName(def.name);
  const props = Object.fromEntries(def.fields.map((f) => [f.name, fieldValueSchema(f)]));
  const nullable = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, { ...s, nullable: true }]));
  const required = def.fields.filter((f) => f.required && f.default === undefined).map((f) => f.name);
  const keys = [...SYSTEM_SORT_KEYS, ...def.fields.filter((f) => !isListField(f) && f.type !== "json").map((f) => f.name)];
  const key = `(${keys.join("|")})`;
  const system = { id: { type: "string" }, created: { type: "string", format: "date-time" }, updated: { type: "string", format: "date-time" } };
  return {
    [`${n}Fields`]: { type: "object", description: `The fields of a ${def.name} record (a field the caller may not read is absent).`, properties: nullable },
    [`${n}Create`]: {
      type: "object",
      description: `Field values for a new ${def.name} record.`,
      // a required field takes a value, not null
      properties: Object.fromEntries(Object.entries(nullable).map(([k, v]) => [k, required.includes(k) ? props[k] : v])),
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    },
    [`${n}Update`]: { type: "object", description: `Field values to change in a ${def.name} record (absent fields keep their value).`, properties: nullable, additionalProperties: false },
    [`${n}Sort`]: { type: "string", description: `comma list of ${keys.join(", ")}; \`-\` for descending`, pattern: `^[-+]?${key}(,[-+]?${key})*$` },
    [`${n}Record`]: {
      type: "object",
      required: ["id", "data", "created", "updated", "version"],
      properties: {
        ...system,
        version: { type: "integer" },
        owner_id: { type: "string", nullable: true },
        data: ref(`${n}Fields`),
        expand: { type: "object", additionalProperties: true, nullable: true },
      },
    },
    [`${n}List`]: {
      type: "object",
      required: ["items"],
      properties: {
        items: { type: "array", items: ref(`${n}Record`) },
        total: { type: "integer" },
        page: { type: "integer" },
        per_page: { type: "integer" },
        total_pages: { type: "integer" },
        next_cursor: { type: "string", nullable: true },
        prev_cursor: { type: "string", nullable: true },
      },
    },
    [`${n}SnackbaseRecord`]: {
      allOf: [
        ref(`${n}Fields`),
        {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string" }, account_id: { type: "string" }, created_at: { type: "string" }, updated_at: { type: "string" }, created_by: { type: "string", nullable: true } },
        },
      ],
    },
    [`${n}SnackbaseList`]: {
      type: "object",
      required: ["items"],
      properties: { items: { type: "array", items: ref(`${n}SnackbaseRecord`) }, total: { type: "integer" }, skip: { type: "integer" }, limit: { type: "integer" } },
    },
  };
}

/** Named list parameters of one collection: its sort keys and its filter (over the same fields). */
export function collectionParameters(def: CollectionDef): Record<string, Json> {
  const n = schemaName(def.name);
  const fields = def.fields.map((f) => f.name).join(", ");
  return {
    [`${n}Sort`]: { in: "query", name: "sort", required: false, schema: ref(`${n}Sort`) },
    [`${n}Filter`]: {
      in: "query",
      name: "filter",
      required: false,
      schema: { type: "string", maxLength: 4096 },
      description: `filter expression over id, created, updated, ${fields}, e.g. \`${def.fields[0]?.name ?? "id"} != ""\``,
    },
  };
}

/** A copy of `op` for one collection: the path parameter `param` removed, bodies replaced. */
function concrete(op: Json | undefined, param: string, n: string, id: string, bodies: { request?: string; response?: string; status?: string }): Json | undefined {
  if (!op) return undefined;
  const parameters = (op.parameters ?? [])
    .filter((p: Json) => !(p.in === "path" && p.name === param))
    .map((p: Json) => (p.in === "query" && (p.name === "sort" || p.name === "filter") ? { $ref: `#/components/parameters/${n}${p.name === "sort" ? "Sort" : "Filter"}` } : p));
  const out: Json = { ...op, operationId: id, parameters, tags: [...(op.tags ?? []), "typed records"] };
  if (bodies.request) out.requestBody = { required: true, content: json(bodies.request.startsWith("{") ? JSON.parse(bodies.request) : ref(bodies.request)) };
  if (bodies.response) {
    const status = bodies.status ?? "200";
    out.responses = { ...op.responses, [status]: { description: op.responses?.[status]?.description ?? "Success", content: json(ref(bodies.response)) } };
  }
  return out;
}

/** Concrete, typed paths of one collection, made from the generic operations in `paths`. */
export function collectionPaths(def: CollectionDef, paths: Json): Json {
  const n = schemaName(def.name);
  const c = encodeURIComponent(def.name);
  const op = (path: string, method: string) => paths[path]?.[method] as Json | undefined;
  const writable = def.type !== "view";
  const id = (verb: string) => `${verb}${n}`;
  const wrap = (inner: string) => JSON.stringify({ type: "object", required: ["data"], properties: { data: ref(inner) } });
  const out: Json = {
    [`/api/v1/collections/${c}/records`]: {
      get: concrete(op("/api/v1/collections/{collection}/records", "get"), "collection", n, id("list"), { response: `${n}List` }),
      post: writable
        ? concrete(op("/api/v1/collections/{collection}/records", "post"), "collection", n, id("create"), { request: wrap(`${n}Create`), response: `${n}Record`, status: "201" })
        : undefined,
    },
    [`/api/v1/collections/${c}/records/{id}`]: {
      get: concrete(op("/api/v1/collections/{collection}/records/{id}", "get"), "collection", n, id("get"), { response: `${n}Record` }),
      patch: writable ? concrete(op("/api/v1/collections/{collection}/records/{id}", "patch"), "collection", n, id("update"), { request: wrap(`${n}Update`), response: `${n}Record` }) : undefined,
      delete: writable ? concrete(op("/api/v1/collections/{collection}/records/{id}", "delete"), "collection", n, id("delete"), {}) : undefined,
    },
    [`/api/v1/records/${c}`]: {
      get: concrete(op("/api/v1/records/{collection}", "get"), "collection", n, id("snackbaseList"), { response: `${n}SnackbaseList` }),
      post: writable
        ? concrete(op("/api/v1/records/{collection}", "post"), "collection", n, id("snackbaseCreate"), { request: `${n}Create`, response: `${n}SnackbaseRecord`, status: "201" })
        : undefined,
    },
    [`/api/v1/records/${c}/{id}`]: {
      get: concrete(op("/api/v1/records/{collection}/{id}", "get"), "collection", n, id("snackbaseGet"), { response: `${n}SnackbaseRecord` }),
      patch: writable ? concrete(op("/api/v1/records/{collection}/{id}", "patch"), "collection", n, id("snackbaseUpdate"), { request: `${n}Update`, response: `${n}SnackbaseRecord` }) : undefined,
      delete: writable ? concrete(op("/api/v1/records/{collection}/{id}", "delete"), "collection", n, id("snackbaseDelete"), {}) : undefined,
    },
    [`/api/create/${c}`]: { post: writable ? concrete(op("/api/create/{model}", "post"), "model", n, id("fullfinityCreate"), { request: `${n}Create` }) : undefined },
    [`/api/query/${c}`]: { post: concrete(op("/api/query/{model}", "post"), "model", n, id("fullfinityQuery"), {}) },
  };
  for (const item of Object.values(out)) for (const m of Object.keys(item)) if (item[m] === undefined) delete item[m];
  for (const p of Object.keys(out)) if (Object.keys(out[p]).length === 0) delete out[p];
  return out;
}
