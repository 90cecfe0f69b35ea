/**
 * The GraphQL side of renames with a grace period (core/collections/renames.ts): while it runs,
 * an old field name stays on the record type and in the collection's inputs (`where`, `orderBy`,
 * create and update) as a copy of the new field marked `@deprecated(reason: "renamed to …")`, and
 * an old collection name keeps its types and root fields (`post`, `posts`, `createPost`, …, the
 * root fields deprecated) beside the new ones. The old names resolve through the core, which
 * accepts them as aliases (the registry for collections, the field resolver and record input for
 * fields), so filters, sorts, mutations and REST all agree. When the period ends the schema is
 * rebuilt without them (see {@link scheduleRenameExpiry}).
 */
import { GraphQLNonNull, type GraphQLFieldConfigMap } from "graphql";
import { activeRenames, fieldAliases, nextRenameExpiry } from "../core/collections/renames.ts";
import type { CollectionDef } from "../core/collections/types.ts";
import { collectionNames, type CollectionNames } from "./names.ts";

type AnyFieldConfig = { type: any; deprecationReason?: string | null | undefined };

/**
 * Adds each running field rename's old name to `fields` as a deprecated copy of the new one. In
 * inputs (`input`), both names become optional: a client sends one of them, and the core still
 * refuses a required field left empty.
 */
export function withFieldAliases<T extends AnyFieldConfig>(def: CollectionDef, fields: Record<string, T>, input = false): Record<string, T> {
  if (!def.options.renamed) return fields;
  for (const [from, to] of fieldAliases(def)) {
    const field = fields[to];
    if (!field || fields[from]) continue;
    if (input && field.type instanceof GraphQLNonNull) fields[to] = { ...field, type: field.type.ofType };
    fields[from] = { ...fields[to]!, deprecationReason: `renamed to ${to}` };
  }
  return fields;
}

/** A collection as its old name presents it (the core resolves the old name to the collection). */
export interface CollectionAlias {
  def: CollectionDef;
  /** names of the current collection, for the deprecation reasons */
  current: CollectionNames;
}

/** A definition under each old name of a renamed collection whose grace period runs. */
export function collectionAliases(defs: readonly CollectionDef[]): CollectionAlias[] {
  const taken = new Set(defs.map((d) => d.name.toLowerCase()));
  const out: CollectionAlias[] = [];
  for (const def of defs) {
    if (!def.options.renamed) continue;
    for (const r of activeRenames(def)) {
      if (r.kind !== "collection" || taken.has(r.from.toLowerCase())) continue;
      taken.add(r.from.toLowerCase());
      out.push({ def: { ...def, name: r.from }, current: collectionNames(def.name) });
    }
  }
  return out;
}

/** Marks an old collection name's root fields deprecated, naming the field that replaces each. */
export function deprecateAliasRootFields(alias: CollectionAlias, roots: GraphQLFieldConfigMap<unknown, any>[]): void {
  const old = collectionNames(alias.def.name) as unknown as Record<string, string>;
  const current = alias.current as unknown as Record<string, string>;
  for (const key of Object.keys(old)) {
    for (const fields of roots) {
      const field = fields[old[key]!];
      if (field && old[key] !== current[key]) field.deprecationReason = `renamed to ${current[key]}`;
    }
  }
}

/**
 * Rebuilds the schema when the next grace period ends, so its old names leave the schema then;
 * re-arms after each such rebuild and whenever `onChange` calls (a registry change).
 * Returns a stop function.
 */
export function scheduleRenameExpiry(defs: () => readonly CollectionDef[], rebuild: () => void, onChange: (fn: () => void) => () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  // when the last rebuild started: a grace period that ended since then may still be in the schema
  let builtAt = Date.now();
  const arm = () => {
    clearTimeout(timer);
    const next = nextRenameExpiry(defs(), builtAt);
    if (next === undefined) return;
    // timers take at most ~24.8 days: re-arm on the way to a later end
    timer = setTimeout(
      () => {
        builtAt = Date.now();
        rebuild();
        arm();
      },
      Math.min(Math.max(next - Date.now() + 10, 0), 2 ** 31 - 1),
    );
    timer.unref();
  };
  const off = onChange(arm);
  arm();
  return () => {
    off();
    clearTimeout(timer);
  };
}
