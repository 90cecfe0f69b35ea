/**
 * `updateCollection`: applies a PATCH/PUT body. The new definition is planned against the
 * current one (plan.ts) and executed with the catalogue row and the outbox event in one
 * transaction: any failure rolls everything back, the old table and data stay intact.
 */
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { CairnEvent } from "../events/bus.ts";
import { commitChange, findIn, loadCatalog, lockCatalog, updateCollectionRow, writeCollectionEvent } from "./catalog.ts";
import { applySchemaChange } from "./migrate.ts";
import { normalizeCollectionInput } from "./normalize.ts";
import { planSchemaChange } from "./plan.ts";
import { announceRebuild } from "./rebuild-notice.ts";
import { carryRenames } from "./renames.ts";
import type { CollectionDef } from "./types.ts";

/**
 * Updates a collection (by id or name). Keys absent from the body keep their value; `schema`
 * (or `fields`) replaces the field list: fields are matched to existing ones by `id`, then
 * `previous_name`, then name — matched fields keep their data (renamed, converted if the type
 * changed), unmatched old fields are dropped. Renaming the collection renames its table and
 * updates reference fields of other collections that point at it.
 * @throws 401/403, NotFoundError 404, ValidationError 422 (invalid body, incompatible type
 *   change, existing value that does not convert, duplicates for a new unique field),
 *   ConflictError 409 (new name taken).
 */
export async function updateCollection(ctx: Context, idOrName: string, input: unknown): Promise<CollectionDef> {
  requireSuperadmin(ctx);
  const { db } = ctx.services;
  let previousName = "";
  // while the table is rebuilt, requests for it answer 503 (registry.require) instead of waiting
  const rebuild = { release: () => {} };
  const transaction = db.transaction(async (tx) => {
    await lockCatalog(tx);
    const catalog = await loadCatalog(tx);
    const current = findIn(catalog, idOrName);
    if (!current) throw new NotFoundError(`Collection '${idOrName}' not found`);
    const n = normalizeCollectionInput(input, { dialect: db.dialect, collections: catalog, current });
    previousName = current.name;
    const renamed = n.name !== current.name;
    if (renamed) {
      const taken = catalog.find((c) => c.id !== current.id && c.name.toLowerCase() === n.name.toLowerCase());
      if (taken) throw new ConflictError(`Collection '${taken.name}' already exists`, { name: `collection '${taken.name}' already exists` });
    }
    const now = ctx.services.now().toISOString();
    const next: CollectionDef = { ...current, ...n, updated: now };
    next.options = carryRenames(current, next, ctx.services.now(), ctx.services.config.renameGraceDays);
    ctx.services.collections.checkNames([...catalog.filter((c) => c.id !== current.id), next]);
    const plan = planSchemaChange(db.dialect, current, next, { trigram: db.trigram });
    if (plan.structural) rebuild.release = await announceRebuild(ctx.services, [current.name, next.name]);
    await applySchemaChange(tx, plan);
    await updateCollectionRow(tx, next);
    const events: CairnEvent[] = [await writeCollectionEvent(tx, "collection.update", next, now)];
    const puts: { def: CollectionDef; previousName?: string }[] = [{ def: next, previousName: renamed ? current.name : undefined }];
    if (renamed) {
      for (const other of catalog) {
        if (other.id === current.id) continue;
        const moved = retarget(other, current.name, next.name, now);
        if (!moved) continue;
        await updateCollectionRow(tx, moved);
        events.push(await writeCollectionEvent(tx, "collection.update", moved, now));
        puts.push({ def: moved });
      }
    }
    commitChange(tx, ctx.services, { put: puts, events });
    return next;
  });
  const updated = await transaction.finally(() => rebuild.release());
  const renamed = previousName !== updated.name ? { previous_name: previousName } : {};
  void audit(ctx, {
    eventType: "collection",
    eventAction: "update",
    resourceType: "collection",
    resourceId: updated.id,
    description: `Collection '${updated.name}' updated`,
    details: { name: updated.name, ...renamed },
  });
  return updated;
}

/** `def` with its reference fields pointing at `from` retargeted to `to`, or null if none do. */
function retarget(def: CollectionDef, from: string, to: string, now: string): CollectionDef | null {
  const lower = from.toLowerCase();
  let changed = false;
  const fields = def.fields.map((f) => {
    if (f.type !== "reference" || f.options.collection?.toLowerCase() !== lower) return f;
    changed = true;
    return { ...f, options: { ...f.options, collection: to } };
  });
  return changed ? { ...def, fields, updated: now } : null;
}
