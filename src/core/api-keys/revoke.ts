/**
 * Revoking API keys: delete one, or deactivate all of the caller's. Either takes effect at once
 * on this instance.
 */
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { invalidateApiKeys } from "./authenticate.ts";
import { keyManager } from "./types.ts";

/** Deletes a key of the caller (any key for a superadmin). Throws NotFoundError (404) otherwise. */
export async function deleteApiKey(ctx: Context, id: string): Promise<void> {
  const { userId, superadmin } = keyManager(ctx);
  const { count } = await ctx.services.prisma.apiKey.deleteMany({ where: { id, ...(superadmin ? {} : { userId }) } });
  if (count === 0) throw new NotFoundError(`API key '${id}' not found`);
  invalidateApiKeys(ctx.services, { keyId: id });
  audit(ctx, { eventType: "api_key", eventAction: "revoke", resourceType: "api_key", resourceId: id, description: "deleted" });
}

/** Deactivates every active key of the caller; returns how many. */
export async function revokeAllApiKeys(ctx: Context): Promise<number> {
  const { userId } = keyManager(ctx);
  const { count } = await ctx.services.prisma.apiKey.updateMany({ where: { userId, active: true }, data: { active: false } });
  invalidateApiKeys(ctx.services, { userId });
  audit(ctx, { eventType: "api_key", eventAction: "revoke", resourceType: "api_key", description: "revoked all keys", details: { revoked: count } });
  return count;
}
