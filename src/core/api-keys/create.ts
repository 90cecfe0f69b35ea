/**
 * `createApiKey`: a new key for the caller. The secret exists in clear only in the answer.
 */
import { v7 as uuidv7 } from "uuid";
import type { Context } from "../context.ts";
import { audit } from "../audit/audit.ts";
import { parseScopes } from "./scopes.ts";
import { generateApiKey } from "./secret.ts";
import { checkExpiry, checkName, keyManager, toApiKeyView, type ApiKeyView } from "./types.ts";

export interface CreateApiKeyInput {
  name: string;
  /** list, comma string or "*"; default ["read"] */
  scopes?: unknown;
  /** ISO 8601 in the future, or null/absent for no expiry */
  expires_at?: string | null;
}

/**
 * Creates a key owned by the caller and returns it with the full secret `key`.
 * Throws UnauthenticatedError (401) when anonymous, ForbiddenError (403) for an API-key caller
 * without the admin scope, ValidationError (422) for a bad name, scope or expiry.
 */
export async function createApiKey(ctx: Context, input: CreateApiKeyInput): Promise<ApiKeyView & { key: string }> {
  const { userId } = keyManager(ctx);
  const name = checkName(input.name);
  const scopes = parseScopes(input.scopes);
  const expiresAt = checkExpiry(ctx, input.expires_at);
  const { key, prefix, hash } = generateApiKey();
  const p = ctx.principal;
  const row = await ctx.services.prisma.apiKey.create({
    data: { id: uuidv7(), userId, accountId: p.accountId, name, keyPrefix: prefix, keyHash: hash, scopes: JSON.stringify(scopes), expiresAt, created: ctx.services.now() },
  });
  audit(ctx, { eventType: "api_key", eventAction: "create", resourceType: "api_key", resourceId: row.id, details: { name, scopes, expires_at: expiresAt?.toISOString() ?? null } });
  return { ...toApiKeyView(row), key };
}
