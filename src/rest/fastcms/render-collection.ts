/**
 * Renders a core collection definition as REST clients get it: FastCMS's CollectionResponse with
 * the SnackBase keys added (compat/snackbase.md §9), so one answer on the shared
 * `/api/v1/collections` paths satisfies both dialects. The core's definitions stay camelCase. Field options are
 * rendered back in FastCMS spelling (`validation`, `relation`, `select`, `file`) and, flat, in
 * SnackBase spelling (`required`, `unique`, `default`, `collection`, `on_delete`, `options`).
 */
import type { CollectionDef, FieldDef } from "../../core/collections/types.ts";

/** Field type names as FastCMS spells them (`reference` is FastCMS's `relation`). */
export const CLIENT_TYPE_NAMES: Partial<Record<FieldDef["type"], string>> = { reference: "relation" };

export interface ClientField {
  id: string;
  name: string;
  type: string;
  required: boolean;
  unique: boolean;
  index: boolean;
  default: unknown;
  validation: {
    required: boolean;
    unique: boolean;
    min: number | null;
    max: number | null;
    min_length: number | null;
    max_length: number | null;
    pattern: string | null;
    values: string[] | null;
    integer?: boolean;
  };
  relation: { collection: string; cascade_delete: string; multiple: boolean; type: string } | null;
  select: { values: string[]; max_select: number } | null;
  file: { max_files: number; max_size: number; mime_types: string[] } | null;
  options: Record<string, unknown>;
  collection?: string;
  on_delete?: string;
  label: string | null;
  hint: string | null;
  hidden: boolean;
  system: boolean;
}

export interface ClientCollection {
  id: string;
  name: string;
  type: CollectionDef["type"];
  schema: ClientField[];
  options: Record<string, unknown>;
  list_rule: string | null;
  view_rule: string | null;
  create_rule: string | null;
  update_rule: string | null;
  delete_rule: string | null;
  view_query: string | null;
  system: boolean;
  created: string;
  updated: string;
  table_name: string;
  created_at: string;
  updated_at: string;
  fields_count: number;
}

const DEFAULT_MAX_FILE_SIZE = 5_242_880;

function snakeOptions(f: FieldDef): Record<string, unknown> {
  const o = f.options;
  const out: Record<string, unknown> = {
    min: o.min,
    max: o.max,
    integer: o.integer,
    min_length: o.minLength,
    max_length: o.maxLength,
    pattern: o.pattern,
    values: o.values,
    multiple: o.multiple,
    collection: o.collection,
    cascade_delete: o.cascadeDelete,
    max_files: o.maxFiles,
    max_size: o.maxSize,
    mime_types: o.mimeTypes,
    trigram: o.trigram,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** One field in client shape. */
export function renderField(f: FieldDef): ClientField {
  const o = f.options;
  const out: ClientField = {
    id: f.id,
    name: f.name,
    type: CLIENT_TYPE_NAMES[f.type] ?? f.type,
    required: f.required,
    unique: f.unique,
    index: f.index || f.unique,
    default: f.default ?? null,
    validation: {
      required: f.required,
      unique: f.unique,
      min: o.min ?? null,
      max: o.max ?? null,
      min_length: o.minLength ?? null,
      max_length: o.maxLength ?? null,
      pattern: o.pattern ?? null,
      values: o.values ?? null,
    },
    relation: null,
    select: null,
    file: null,
    options: snakeOptions(f),
    label: f.label ?? null,
    hint: f.hint ?? null,
    hidden: f.hidden ?? false,
    system: false,
  };
  if (o.integer) out.validation.integer = true;
  if (f.type === "reference") {
    const cascade = o.cascadeDelete ?? "set_null";
    out.relation = { collection: o.collection ?? "", cascade_delete: cascade, multiple: !!o.multiple, type: o.multiple ? "many-to-many" : "many-to-one" };
    out.collection = o.collection;
    out.on_delete = cascade;
  }
  if (f.type === "select") out.select = { values: o.values ?? [], max_select: o.multiple ? Math.max(2, o.values?.length ?? 2) : 1 };
  if (f.type === "file") out.file = { max_files: o.maxFiles ?? 1, max_size: o.maxSize ?? DEFAULT_MAX_FILE_SIZE, mime_types: o.mimeTypes ?? [] };
  return out;
}

/** A collection definition in client shape (FastCMS keys plus SnackBase's). */
export function renderCollection(def: CollectionDef): ClientCollection {
  return {
    id: def.id,
    name: def.name,
    type: def.type,
    schema: def.fields.map(renderField),
    options: def.options,
    list_rule: def.listRule,
    view_rule: def.viewRule,
    create_rule: def.createRule,
    update_rule: def.updateRule,
    delete_rule: def.deleteRule,
    view_query: def.viewQuery,
    system: def.system,
    created: def.created,
    updated: def.updated,
    table_name: def.name,
    created_at: def.created,
    updated_at: def.updated,
    fields_count: def.fields.length,
  };
}
