/**
 * The part of a collection a role set's schema shows (core/rules/role-scope.ts decides what the
 * set may ever do): which fields the record type has, which of them are non-null, which fields
 * the create and update inputs take, and which root fields exist.
 *
 * A required field is non-null only where the set can always read it: every way a record
 * reaches the caller (lists, single reads, write answers and subscription events, which show
 * what the caller could view) includes the field. Row rules still filter rows, never fields.
 */
import type { FieldDef } from "../core/collections/types.ts";
import type { FieldSet } from "../core/rules/field-access.ts";
import type { CollectionScope } from "../core/rules/role-scope.ts";
import type { CollectionNames } from "./names.ts";

export interface FieldView {
  scope: CollectionScope;
  /** fields of the record type, its `where` and `orderBy` */
  readable: FieldSet;
  /** fields that are non-null in results */
  nonNull: ReadonlySet<string>;
  /** fields of the create input (null: the set may not create) */
  create: FieldSet | null;
  /** fields of the update input (null: the set may not update) */
  update: FieldSet | null;
}

const has = (set: FieldSet, name: string) => set === "*" || set.has(name);

function union(a: FieldSet | undefined, b: FieldSet | undefined): FieldSet {
  if (a === "*" || b === "*") return "*";
  return new Set([...(a ?? []), ...(b ?? [])]);
}

/** The view of a collection with `fields` under `scope`. */
export function fieldView(fields: readonly FieldDef[], scope: CollectionScope): FieldView {
  const { list, view, create, update } = scope;
  const readable = union(list.allowed ? list.fields : undefined, view.allowed ? view.fields : undefined);
  const nonNull = new Set<string>();
  if (view.allowed) {
    for (const f of fields) if (f.required && has(view.fields, f.name) && (!list.allowed || has(list.fields, f.name))) nonNull.add(f.name);
  }
  return { scope, readable, nonNull, create: create.allowed ? create.fields : null, update: update.allowed ? update.fields : null };
}

/** True when the record type shows `field`. */
export function showsField(v: FieldView, field: string): boolean {
  return has(v.readable, field);
}

/** True when the input of `v.create`/`v.update` takes `field`. */
export function takesField(set: FieldSet | null, field: string): boolean {
  return set !== null && has(set, field);
}

/** True when the set may do anything with the collection (else it is absent from the schema). */
export function inView(v: FieldView): boolean {
  return Object.values(v.scope).some((a) => a.allowed);
}

/**
 * Removes the root fields of a collection the set may not use: the single query (and its
 * versions) without view, the list without list, writes without their action, subscriptions
 * without view (events are matched against the view rule).
 */
export function pruneRootFields(names: CollectionNames, v: FieldView, roots: { query: Record<string, unknown>; mutation: Record<string, unknown>; subscription: Record<string, unknown> }): void {
  const { list, view, create, update } = v.scope;
  const drop = (map: Record<string, unknown>, keep: boolean, keys: string[]) => {
    if (!keep) for (const k of keys) delete map[k];
  };
  drop(roots.query, view.allowed, [names.single, `${names.single}Versions`]);
  drop(roots.query, list.allowed, [names.list]);
  drop(roots.mutation, create.allowed, [names.create, names.createMany]);
  drop(roots.mutation, update.allowed, [names.update, names.updateMany, `publish${names.type}`, `unpublish${names.type}`, `schedule${names.type}`, `restore${names.type}Version`]);
  drop(roots.mutation, v.scope.delete.allowed, [names.delete, names.deleteMany]);
  drop(roots.subscription, view.allowed, [names.created, names.updated, names.deleted, names.changed]);
}
