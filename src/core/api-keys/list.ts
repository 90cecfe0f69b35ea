/**
 * Reading API keys: the caller's own (superadmins may open anyone's by id).
 */
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { keyManager, toApiKeyView, type ApiKeyView } from "./types.ts";

/** The caller's keys, newest first. Throws 401 when anonymous, 403 for a non-admin-scope key. */
export async function listApiKeys(ctx: Context): Promise<ApiKeyView[]> {
  const { userId } = keyManager(ctx);
  const rows = await ctx.services.prisma.apiKey.findMany({ where: { userId }, orderBy: [{ created: "desc" }, { id: "desc" }] });
  return rows.map(toApiKeyView);
}

/** One key of the caller (any key for a superadmin). Throws NotFoundError (404) otherwise. */
export async function getApiKey(ctx: Context, id: string): Promise<ApiKeyView> {
  const { userId, superadmin } = keyManager(ctx);
  const row = await ctx.services.prisma.apiKey.findFirst({ where: { id, ...(superadmin ? {} : { userId }) } });
  if (!row) throw new NotFoundError(`API key '${id}' not found`);
  return toApiKeyView(row);
}
