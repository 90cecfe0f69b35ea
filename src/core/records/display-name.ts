/**
 * Display names: each collection names the field its records are known by — the collection
 * option `display_field`, else a field called `name`, else `title`, else its first text field —
 * and a record's display name is that field's value (its id when the field is empty or the
 * collection has no text field). Used by Fullfinity's `display_name` and `name_search`.
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import type { RecordData } from "./values.ts";

const cache = new WeakMap<CollectionDef, FieldDef | null>();

/** The field a collection's records are displayed by, or null when it has no text field. */
export function displayField(def: CollectionDef): FieldDef | null {
  const hit = cache.get(def);
  if (hit !== undefined) return hit;
  const textual = (f: FieldDef | undefined) => (f && (f.type === "text" || f.type === "email" || f.type === "url" || f.type === "textarea") ? f : undefined);
  const option = def.options.display_field;
  const byName = (n: unknown) => textual(def.fields.find((f) => f.name === n));
  const field = byName(option) ?? byName("name") ?? byName("title") ?? def.fields.find((f) => f.type === "text") ?? null;
  cache.set(def, field);
  return field;
}

/** The display name of a record (see the module comment). */
export function displayName(def: CollectionDef, rec: RecordData): string {
  const f = displayField(def);
  const v = f ? rec[f.name] : null;
  return typeof v === "string" && v !== "" ? v : rec.id;
}
