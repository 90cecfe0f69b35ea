/**
 * `deleteCollection`: drops the table (and FTS objects), the catalogue row, writes the outbox
 * event — one transaction. Refused while another collection references this one.
 */
import { dropCollectionVersions } from "../content/version-store.ts";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { commitChange, deleteCollectionRow, findIn, loadCatalog, lockCatalog, writeCollectionEvent } from "./catalog.ts";
import { dropCollectionObjects } from "./migrate.ts";
import type { CollectionDef } from "./types.ts";
import { dropCollectionFileRefs } from "../files/refs.ts";

/**
 * Deletes a collection (by id or name) and all its records.
 * @throws 401/403, NotFoundError 404, ConflictError 409 when a reference field of another
 *   collection points at it (change or drop that field first).
 */
export async function deleteCollection(ctx: Context, idOrName: string): Promise<CollectionDef> {
  requireSuperadmin(ctx);
  const deleted = await ctx.services.db.transaction(async (tx) => {
    await lockCatalog(tx);
    const catalog = await loadCatalog(tx);
    const def = findIn(catalog, idOrName);
    if (!def) throw new NotFoundError(`Collection '${idOrName}' not found`);
    const lower = def.name.toLowerCase();
    const refs = catalog.flatMap((c) => (c.id === def.id ? [] : c.fields.filter((f) => f.type === "reference" && f.options.collection?.toLowerCase() === lower).map((f) => `${c.name}.${f.name}`)));
    if (refs.length) throw new ConflictError(`Collection '${def.name}' is referenced by ${refs.join(", ")}`, { references: refs });
    await dropCollectionFileRefs(ctx, tx, def.id);
    await dropCollectionVersions(tx, def.id);
    await dropCollectionObjects(tx, def);
    await deleteCollectionRow(tx, def.id);
    const event = await writeCollectionEvent(tx, "collection.delete", def, ctx.services.now().toISOString());
    commitChange(tx, ctx.services, { remove: def.name, events: [event] });
    return def;
  });
  void audit(ctx, {
    eventType: "collection",
    eventAction: "delete",
    resourceType: "collection",
    resourceId: deleted.id,
    description: `Collection '${deleted.name}' deleted`,
    details: { name: deleted.name },
  });
  return deleted;
}
