/**
 * `getCollection`: one definition from the registry.
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import type { CollectionDef } from "./types.ts";

/**
 * A collection by id or name (case-insensitive).
 * @throws 401/403 (superadmins only), NotFoundError 404.
 */
export async function getCollection(ctx: Context, idOrName: string): Promise<CollectionDef> {
  requireSuperadmin(ctx);
  const def = ctx.services.collections.find(idOrName);
  if (!def) throw new NotFoundError(`Collection '${idOrName}' not found`);
  return def;
}
