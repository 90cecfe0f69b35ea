/**
 * `takeSnapshot`: the schema of this database as a snapshot document (see types.ts). The same
 * database always gives the same document (no timestamps), so snapshots diff well in version control.
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { readSchemaState } from "./state.ts";
import type { Snapshot } from "./types.ts";

/**
 * Collections, roles with permissions and the caller's account's webhooks (without secrets).
 * @throws 401/403 unless superadmin.
 */
export async function takeSnapshot(ctx: Context): Promise<Snapshot> {
  requireSuperadmin(ctx);
  return (await readSchemaState(ctx.services.db, ctx.principal.accountId)).snapshot;
}
