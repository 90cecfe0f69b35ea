/**
 * What a caller may know about a collection's fields, for registries (Fullfinity
 * `get_registry`): the fields they may read, with type, constraints and default, and the
 * reverse relations (single reference fields of other collections pointing here, in
 * collections the caller may list).
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { grantFor, recordAccess } from "../rules/access.ts";
import { fieldAccess, isReadable } from "../rules/field-access.ts";
import { displayField } from "./display-name.ts";

export interface ReverseRelation {
  /** the collection holding the reference */
  collection: string;
  /** its reference field */
  field: string;
}

export interface ModelFields {
  name: string;
  fields: FieldDef[];
  reverse: ReverseRelation[];
  /** the display field's name, or null */
  displayField: string | null;
  /** the collection's free-form options (display_field, monetary_fields, actions, …) */
  options: Record<string, unknown>;
}

/** Whether the caller may list some records of `def` (asked without auditing a denial). */
const canList = (ctx: Context, def: CollectionDef): boolean => {
  const { expr } = grantFor(ctx, def, "list");
  return !(expr.kind === "const" && !expr.value);
};

/**
 * The fields of `collection` the caller may read, and its reverse relations.
 * @throws NotFoundError (404) for an unknown collection; 401/403 when the caller may not list it.
 */
export function modelFields(ctx: Context, collection: string): ModelFields {
  const def = ctx.services.collections.require(collection);
  recordAccess(ctx, def, "list");
  const { readable } = fieldAccess(ctx, def, "list");
  const reverse: ReverseRelation[] = [];
  for (const other of ctx.services.collections.list()) {
    for (const f of other.fields) {
      if (f.type === "reference" && !f.options.multiple && f.options.collection?.toLowerCase() === def.name.toLowerCase() && canList(ctx, other))
        reverse.push({ collection: other.name, field: f.name });
    }
  }
  return { name: def.name, fields: def.fields.filter((f) => isReadable(readable, f.name)), reverse, displayField: displayField(def)?.name ?? null, options: def.options };
}
