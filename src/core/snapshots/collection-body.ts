/**
 * A snapshot collection → the body the collection operations take (the FastCMS spelling that
 * `normalizeCollectionInput` reads), so an applied snapshot goes through the same validation,
 * planning and DDL as a definition sent over the API. Field ids travel in the body: a field is
 * created with its snapshot id and matched by it later, so a rename stays a rename.
 */
import type { FieldDef } from "../collections/types.ts";
import { isWorkflowField } from "../content/options.ts";
import type { SnapshotCollection } from "./types.ts";

type Body = Record<string, unknown>;

/** One field definition in the body spelling. */
export function fieldBody(f: FieldDef): Body {
  const o = f.options ?? {};
  const validation: Body = { required: f.required, unique: f.unique };
  const out: Body = { id: f.id, name: f.name, type: f.type, index: f.index, validation };
  if (o.min !== undefined) validation.min = o.min;
  if (o.max !== undefined) validation.max = o.max;
  if (o.integer) validation.integer = true;
  if (o.minLength !== undefined) validation.min_length = o.minLength;
  if (o.maxLength !== undefined) validation.max_length = o.maxLength;
  if (o.pattern !== undefined) validation.pattern = o.pattern;
  if (o.trigram !== undefined) out.trigram = o.trigram;
  if (f.type === "select") out.select = { values: o.values ?? [], multiple: o.multiple === true };
  if (f.type === "reference") out.relation = { collection: o.collection, cascade_delete: o.cascadeDelete ?? "set_null", multiple: o.multiple === true };
  if (f.type === "file") out.file = { max_files: o.maxFiles, max_size: o.maxSize, mime_types: o.mimeTypes };
  if (f.default !== undefined) out.default = f.default;
  if (f.label !== undefined && f.label !== null) out.label = f.label;
  if (f.hint !== undefined && f.hint !== null) out.hint = f.hint;
  if (f.hidden) out.hidden = true;
  return out;
}

/**
 * The create/update body for `c`, with `fields` in place of the snapshot's own list when given
 * (the applier leaves out references to collections that do not exist yet). Fields of the content
 * workflow are left out: the options bring them back, with their fixed ids.
 */
export function collectionBody(c: SnapshotCollection, fields: readonly FieldDef[] = c.fields): Body {
  return {
    name: c.name,
    type: c.type,
    options: c.options,
    list_rule: c.rules.list,
    view_rule: c.rules.view,
    create_rule: c.rules.create,
    update_rule: c.rules.update,
    delete_rule: c.rules.delete,
    view_query: c.viewQuery,
    schema: fields.filter((f) => !isWorkflowField(f)).map(fieldBody),
  };
}
