/**
 * Core records → Fullfinity shapes: a record is a flat object `{id, <fields>, created, updated,
 * display_name}` reduced to the asked `fields`; related records are inlined in place of the
 * reference (`contact: {…}`) or under the reverse relation's name (`lines: […]`).
 */
import type { CollectionDef } from "../../core/collections/types.ts";
import type { Context } from "../../core/context.ts";
import type { AggregateGroup } from "../../core/records/aggregate.ts";
import { displayName } from "../../core/records/display-name.ts";
import type { Expansion } from "../../core/records/expand.ts";
import type { RecordData } from "../../core/records/values.ts";

export type Flat = Record<string, unknown>;

/** A record as Fullfinity shows it, reduced to `fields` (id always) when given. */
export function renderRecord(def: CollectionDef, rec: RecordData, fields?: readonly string[]): Flat {
  const out: Flat = Object.create(null) as Flat;
  out.id = rec.id;
  if (fields) {
    for (const f of fields)
      if (f === "display_name") out.display_name = displayName(def, rec);
      else if (Object.hasOwn(rec, f)) out[f] = rec[f];
    return out;
  }
  for (const f of def.fields) out[f.name] = rec[f.name];
  out.created = rec.created;
  out.updated = rec.updated;
  out.version = rec.version;
  out.display_name = displayName(def, rec);
  return out;
}

/** The record with each expanded relation inlined (see the module comment), nested. */
export function renderExpanded(ctx: Context, def: CollectionDef, rec: RecordData, expansion: Expansion | undefined, fields?: readonly string[]): Flat {
  const out = renderRecord(def, rec, fields);
  if (!expansion) return out;
  for (const [name, value] of expansion) {
    const ref = def.fields.find((f) => f.name === name);
    const target = ctx.services.collections.require(ref?.options.collection ?? name.slice(0, name.indexOf("_via_")));
    const key = ref ? name : target.name;
    out[key] = value === null ? null : Array.isArray(value) ? value.map((e) => renderExpanded(ctx, target, e.record, e.expand)) : renderExpanded(ctx, target, value.record, value.expand);
  }
  return out;
}

/** One group of a `group_by` query: the group fields, `count`, then the aggregate keys. */
export function renderGroup(g: AggregateGroup): Flat {
  return Object.assign(Object.create(null) as Flat, g.key, { count: g.count }, g.values);
}

/** What create answers (spec 002): `{id, name, display_name}`. */
export function renderCreated(def: CollectionDef, rec: RecordData): Flat {
  const name = displayName(def, rec);
  return { id: rec.id, name, display_name: name };
}
