/**
 * Brings the local collection registry up to date with the catalogue after another instance
 * changed it (a relayed collection event): re-reads `_collections` and applies the difference
 * with `put`/`remove`, so registry listeners (the GraphQL schema rebuild) fire as they do for
 * local changes.
 */
import { rowToCollection } from "./registry.ts";
import type { CollectionDef } from "./types.ts";
import type { Services } from "../context.ts";

const same = (a: CollectionDef, b: CollectionDef) => JSON.stringify(a) === JSON.stringify(b);

/** Applies the catalogue's current state to the registry; returns the number of changes. */
export async function syncRegistry(services: Pick<Services, "db" | "collections">): Promise<number> {
  const { db, collections } = services;
  const rows = await db.query(db.qb.selectFrom("_collections").selectAll());
  const fresh = rows.map(rowToCollection);
  const current = new Map(collections.list().map((d) => [d.id, d]));
  const changed = fresh.filter((d) => !current.has(d.id) || !same(current.get(d.id)!, d));
  const removed = [...current.values()].filter((d) => !fresh.some((f) => f.id === d.id));
  // Another instance ran DDL: cached statements may describe the old tables.
  if (changed.length || removed.length) db.resetStatements();
  for (const d of removed) collections.remove(d.name);
  for (const d of changed) {
    const old = current.get(d.id);
    collections.put(d, old && old.name !== d.name ? old.name : undefined);
  }
  return changed.length + removed.length;
}
