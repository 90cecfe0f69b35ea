/**
 * The `_collections` catalogue and the collection events in the `_events` outbox, written
 * inside the caller's transaction. The registry and the event bus learn about a change only
 * after commit (`commitChange`).
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { DEFAULT_ACCOUNT_ID, type Services } from "../context.ts";
import type { CairnEvent } from "../events/bus.ts";
import { writeOutbox } from "../events/outbox.ts";
import { rowToCollection } from "./registry.ts";
import type { CollectionDef } from "./types.ts";

/** Serialises collection changes across connections and instances (PostgreSQL; SQLite transactions already are). */
export async function lockCatalog(tx: SqlDb): Promise<void> {
  if (tx.dialect === "postgres") await tx.query(sql`SELECT pg_advisory_xact_lock(${CATALOG_LOCK_KEY})`.compile(tx.qb));
}
/** Arbitrary constant identifying the catalogue lock ("cairn" in ASCII). */
const CATALOG_LOCK_KEY = 0x636169726e;

/** Every definition, read through the transaction (so it sees the latest committed state). */
export async function loadCatalog(tx: SqlDb): Promise<CollectionDef[]> {
  const rows = await tx.query(tx.qb.selectFrom("_collections").selectAll().orderBy("created").orderBy("name"));
  return rows.map(rowToCollection);
}

/** Finds a definition by id, or by name (case-insensitive). */
export function findIn(defs: readonly CollectionDef[], idOrName: string): CollectionDef | undefined {
  const lower = idOrName.toLowerCase();
  return defs.find((d) => d.id === idOrName) ?? defs.find((d) => d.name.toLowerCase() === lower);
}

function toRow(def: CollectionDef) {
  return {
    id: def.id,
    name: def.name,
    type: def.type,
    fields: JSON.stringify(def.fields),
    options: JSON.stringify(def.options),
    list_rule: def.listRule,
    view_rule: def.viewRule,
    create_rule: def.createRule,
    update_rule: def.updateRule,
    delete_rule: def.deleteRule,
    view_query: def.viewQuery,
    system: def.system,
    created: def.created,
    updated: def.updated,
  };
}

export async function insertCollectionRow(tx: SqlDb, def: CollectionDef): Promise<void> {
  await tx.execute(tx.qb.insertInto("_collections").values(toRow(def)));
}

export async function updateCollectionRow(tx: SqlDb, def: CollectionDef): Promise<void> {
  const { id, created: _created, ...rest } = toRow(def);
  await tx.execute(tx.qb.updateTable("_collections").set(rest).where("id", "=", id));
}

export async function deleteCollectionRow(tx: SqlDb, id: string): Promise<void> {
  await tx.execute(tx.qb.deleteFrom("_collections").where("id", "=", id));
}

/** Writes a collection event to the outbox; returns it (with its sequence number) for publishing after commit. */
export async function writeCollectionEvent(tx: SqlDb, type: "collection.create" | "collection.update" | "collection.delete", def: CollectionDef, created: string): Promise<CairnEvent> {
  const payload = { ...def } as unknown as Record<string, unknown>;
  const event: CairnEvent = { type, accountId: DEFAULT_ACCOUNT_ID, collection: def.name, recordId: null, payload, created };
  await writeOutbox(tx, [event]);
  return event;
}

/**
 * After commit: updates the registry (put/remove) and publishes the events. Registry first, so
 * an event listener that looks the collection up sees the new definition.
 */
export function commitChange(tx: SqlDb, services: Services, change: { put?: { def: CollectionDef; previousName?: string }[]; remove?: string; events: CairnEvent[] }): void {
  tx.afterCommit(() => {
    for (const p of change.put ?? []) services.collections.put(p.def, p.previousName);
    if (change.remove) services.collections.remove(change.remove);
    for (const e of change.events) services.events.publish(e);
  });
}
