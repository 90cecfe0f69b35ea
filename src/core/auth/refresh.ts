/**
 * `refresh`: trades a refresh token for a new access token and a new refresh token in the same
 * family (rotation). The presented token is revoked in the same transaction that stores its
 * successor. Presenting a token that was already revoked means it leaked (or was replayed):
 * the whole family is revoked, so the thief and the victim both have to sign in again.
 */
import type { Context } from "../context.ts";
import { UnauthenticatedError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { hashRefreshToken, signAccessFor, storeRefreshToken, type TokenPair } from "./session.ts";

export interface RefreshInput {
  refreshToken: string;
}

export const INVALID_REFRESH_TOKEN = "Invalid or expired refresh token";

async function revokeFamily(ctx: Context, row: { familyId: string; userId: string; user: { email: string } }, now: Date): Promise<void> {
  const { familyId } = row;
  const { count } = await ctx.services.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  ctx.log.warn({ familyId, revoked: count }, "refresh token reused; token family revoked");
  audit(ctx, {
    eventType: "security",
    eventAction: "token_reuse",
    severity: "critical",
    outcome: "failure",
    userId: row.userId,
    userEmail: row.user.email,
    resourceType: "refresh_token_family",
    resourceId: familyId,
    description: "a rotated refresh token was presented again; the session was revoked",
    details: { revoked: count },
  });
}

/**
 * Rotates a refresh token. Throws UnauthenticatedError (401) when the token is unknown, expired,
 * belongs to a deactivated user, or was already used/revoked (then the whole family is revoked
 * as well and a critical `token_reuse` audit entry is written).
 */
export async function refresh(ctx: Context, input: RefreshInput): Promise<TokenPair> {
  const { services } = ctx;
  const { prisma } = services;
  const now = services.now();
  const row = input.refreshToken ? await prisma.refreshToken.findUnique({ where: { tokenHash: hashRefreshToken(input.refreshToken) }, include: { user: true } }) : null;
  if (!row) throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
  if (row.revokedAt) {
    await revokeFamily(ctx, row, now);
    throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
  }
  if (row.expiresAt.getTime() <= now.getTime()) throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
  if (!row.user.isActive) throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);

  const next = await prisma.$transaction(async (tx) => {
    // Conditional revoke: of two concurrent uses of one token, exactly one wins.
    const { count } = await tx.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return null;
    return storeRefreshToken(services, tx, row.userId, row.familyId);
  });
  if (!next) {
    await revokeFamily(ctx, row, now);
    throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
  }
  const accessToken = await signAccessFor(services, row.user, row.familyId);
  audit(ctx, { eventType: "auth", eventAction: "token_refresh", userId: row.userId, userEmail: row.user.email, resourceType: "refresh_token_family", resourceId: row.familyId });
  return { accessToken, refreshToken: next, expiresIn: services.tokens.accessTtlSeconds };
}
