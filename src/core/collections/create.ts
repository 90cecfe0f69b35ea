/**
 * `createCollection`: validates the body, creates the table (indexes, search objects), the
 * catalogue row and the outbox event in one transaction; the registry learns about it after commit.
 */
import { v7 as uuidv7 } from "uuid";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { commitChange, insertCollectionRow, loadCatalog, lockCatalog, writeCollectionEvent } from "./catalog.ts";
import { createCollectionObjects } from "./migrate.ts";
import { normalizeCollectionInput } from "./normalize.ts";
import type { CollectionDef } from "./types.ts";

/** Ids a caller may give a new collection (a schema snapshot keeps the source's ids). */
const COLLECTION_ID_RE = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Creates a collection from a FastCMS or SnackBase body. `opts.id` keeps a given id (schema
 * snapshots: a collection renamed later in the source is then found by its id).
 * @throws UnauthenticatedError 401, ForbiddenError 403 (superadmins only),
 *   ValidationError 422 (every invalid path named, a malformed id), ConflictError 409 (name or id taken).
 * @example createCollection(ctx, { name: "posts", schema: [{ name: "title", type: "text", validation: { required: true } }] })
 */
export async function createCollection(ctx: Context, input: unknown, opts: { id?: string } = {}): Promise<CollectionDef> {
  requireSuperadmin(ctx);
  const { db } = ctx.services;
  const created = await db.transaction(async (tx) => {
    await lockCatalog(tx);
    const catalog = await loadCatalog(tx);
    const n = normalizeCollectionInput(input, { dialect: db.dialect, collections: catalog });
    const taken = catalog.find((c) => c.name.toLowerCase() === n.name.toLowerCase());
    if (taken) throw new ConflictError(`Collection '${taken.name}' already exists`, { name: `collection '${taken.name}' already exists` });
    if (opts.id !== undefined && !COLLECTION_ID_RE.test(opts.id)) throw new ValidationError(`Invalid collection id '${opts.id.slice(0, 100)}'`, { id: "must be 1-64 letters, digits or '-'" });
    const sameId = opts.id === undefined ? undefined : catalog.find((c) => c.id === opts.id);
    if (sameId) throw new ConflictError(`Collection id '${opts.id}' is taken by '${sameId.name}'`, { id: "already exists" });
    const now = ctx.services.now().toISOString();
    const def: CollectionDef = { id: opts.id ?? uuidv7(), ...n, system: false, created: now, updated: now };
    ctx.services.collections.checkNames([...catalog, def]);
    await createCollectionObjects(tx, def);
    await insertCollectionRow(tx, def);
    const event = await writeCollectionEvent(tx, "collection.create", def, now);
    commitChange(tx, ctx.services, { put: [{ def }], events: [event] });
    return def;
  });
  void audit(ctx, {
    eventType: "collection",
    eventAction: "create",
    resourceType: "collection",
    resourceId: created.id,
    description: `Collection '${created.name}' created`,
    details: { name: created.name },
  });
  return created;
}
