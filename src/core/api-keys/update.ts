/**
 * `updateApiKey`: rename, change scopes, (de)activate or re-date a key.
 */
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { invalidateApiKeys } from "./authenticate.ts";
import { parseScopes } from "./scopes.ts";
import { checkExpiry, checkName, keyManager, toApiKeyView, type ApiKeyView } from "./types.ts";

export interface UpdateApiKeyInput {
  name?: string;
  scopes?: unknown;
  active?: boolean;
  expires_at?: string | null;
}

/**
 * Applies the given fields; the change takes effect at once on this instance. Throws 401/403
 * (see keyManager), NotFoundError (404) for a key that is not the caller's (superadmins: any),
 * ValidationError (422) for a bad name, scope or expiry.
 */
export async function updateApiKey(ctx: Context, id: string, input: UpdateApiKeyInput): Promise<ApiKeyView> {
  const { userId, superadmin } = keyManager(ctx);
  const data: { name?: string; scopes?: string; active?: boolean; expiresAt?: Date | null } = {};
  if (input.name !== undefined) data.name = checkName(input.name);
  if (input.scopes !== undefined) data.scopes = JSON.stringify(parseScopes(input.scopes));
  if (input.active !== undefined) data.active = input.active;
  if (input.expires_at !== undefined) data.expiresAt = checkExpiry(ctx, input.expires_at);
  const { prisma } = ctx.services;
  const where = { id, ...(superadmin ? {} : { userId }) };
  const { count } = await prisma.apiKey.updateMany({ where, data });
  if (count === 0) throw new NotFoundError(`API key '${id}' not found`);
  invalidateApiKeys(ctx.services, { keyId: id });
  const row = await prisma.apiKey.findUniqueOrThrow({ where: { id } });
  const action = input.active === false ? "revoke" : "update";
  audit(ctx, { eventType: "api_key", eventAction: action, resourceType: "api_key", resourceId: id, details: { fields: Object.keys(data) } });
  return toApiKeyView(row);
}
