/**
 * `me`: the signed-in user as stored now (not as the access token remembers it).
 */
import type { Context } from "../context.ts";

import { notSignedIn } from "./guards.ts";
import { toAuthAccount, toAuthUser, type AuthAccount, type AuthUser } from "./session.ts";

/**
 * Returns the calling user and their account.
 * Throws UnauthenticatedError (401) when nobody is signed in, for the system principal, and when
 * the token's user no longer exists or was deactivated.
 */
export async function me(ctx: Context): Promise<{ user: AuthUser; account: AuthAccount }> {
  const p = ctx.principal;
  if (p.kind !== "user") throw notSignedIn(ctx);
  const row = await ctx.services.prisma.user.findFirst({ where: { id: p.userId, accountId: p.accountId }, include: { account: true } });
  if (!row || !row.isActive) throw notSignedIn(ctx);
  return { user: toAuthUser(row), account: toAuthAccount(row.account) };
}
