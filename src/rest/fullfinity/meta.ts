/**
 * Fullfinity `name_search` (records by display name, prefix matches first) and `get_registry`
 * (field definitions in Fullfinity's vocabulary: Char, Text, Integer, Float, Monetary, Boolean,
 * Date, Datetime, Selection, ManyToOne, ManyToMany, OneToMany, Json, Binary).
 */
import type { FastifyInstance } from "fastify";
import type { FieldDef } from "../../core/collections/types.ts";
import { READ } from "../../core/policy/operation.ts";
import { modelFields, type ModelFields } from "../../core/records/model-fields.ts";
import { nameSearch } from "../../core/records/name-search.ts";
import { parseQFilter } from "./parse.ts";
import { modelParams, named } from "./records.ts";

const tags = ["fullfinity"];
/** Char fields without a max length are shown with this one (Fullfinity's default). */
const DEFAULT_CHAR_LENGTH = 255;

type Entry = Record<string, unknown>;

function fieldType(f: FieldDef, monetary: ReadonlySet<string>): Entry {
  switch (f.type) {
    case "text":
    case "email":
    case "url":
      return { type: "Char", max_length: f.options.maxLength ?? DEFAULT_CHAR_LENGTH };
    case "textarea":
      return { type: "Text" };
    case "editor":
      return { type: "Html" };
    case "number":
      return monetary.has(f.name) ? { type: "Monetary" } : { type: f.options.integer ? "Integer" : "Float" };
    case "bool":
      return { type: "Boolean" };
    case "date":
      return { type: "Date" };
    case "datetime":
      return { type: "Datetime" };
    case "select":
      return { type: f.options.multiple ? "MultiSelection" : "Selection", options: (f.options.values ?? []).map((v) => [v, v]) };
    case "reference":
      return { type: f.options.multiple ? "ManyToMany" : "ManyToOne", related_model: f.options.collection };
    case "file":
      return { type: "Binary", multiple: (f.options.maxFiles ?? 1) > 1 };
    default:
      return { type: "Json" };
  }
}

/** A model's fields → the registry body (system fields first, reverse relations last). */
export function renderRegistry(m: ModelFields): Record<string, Entry> {
  const monetary = new Set(Array.isArray(m.options.monetary_fields) ? (m.options.monetary_fields as unknown[]).filter((x): x is string => typeof x === "string") : []);
  const out: Record<string, Entry> = Object.create(null) as Record<string, Entry>;
  out.id = { type: "Char", required: true, readonly: true };
  for (const f of m.fields) {
    const e: Entry = { ...fieldType(f, monetary), required: f.required };
    if (f.default !== undefined) e.default = f.default;
    if (f.unique) e.unique = true;
    if (f.label) e.string = f.label;
    if (f.hint) e.help = f.hint;
    out[f.name] = e;
  }
  out.created = { type: "Datetime", required: true, readonly: true };
  out.updated = { type: "Datetime", required: true, readonly: true };
  out.display_name = { type: "Char", readonly: true, computed: true, ...(m.displayField ? { depends: [m.displayField] } : {}) };
  for (const r of m.reverse) out[`${r.collection}_via_${r.field}`] = { type: "OneToMany", related_model: r.collection, related_field: r.field, required: false, readonly: true };
  return out;
}

export function registerFullfinityMeta(api: FastifyInstance): void {
  api.post<{ Params: { model: string }; Body: { term?: string; limit?: number; filter?: unknown } | null }>(
    "/api/name_search/:model",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Records by display name: prefix matches first, then other matches",
        params: modelParams,
        body: { type: ["object", "null"], properties: { term: { type: "string", maxLength: 500 }, limit: { type: "integer" }, filter: { type: ["string", "null"], maxLength: 4096 } } },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const found = await named(() => nameSearch(req.ctx, req.params.model, { term: b.term ?? "", limit: b.limit, filter: parseQFilter(b.filter, "filter") }));
      return { data: found.map((m) => ({ id: m.id, display_name: m.displayName })) };
    },
  );

  api.get<{ Params: { model: string } }>(
    "/api/get_registry/:model",
    { config: { operation: READ }, schema: { tags, summary: "Field definitions of a model in Fullfinity's vocabulary", params: modelParams } },
    async (req) => renderRegistry(modelFields(req.ctx, req.params.model)),
  );
}
