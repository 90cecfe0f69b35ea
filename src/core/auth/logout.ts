/**
 * Ending sessions. A session is a refresh-token family; ending it deletes the family's rows, so
 * a token presented afterwards is simply unknown (401) — unlike a rotated token, whose reuse
 * is treated as theft (refresh.ts). Access tokens of one ended session expire on their own
 * (CAIRN_ACCESS_TOKEN_TTL); ending every session (logout-all) also refuses the user's access
 * tokens at once (session-epochs.ts).
 */
import type { Context } from "../context.ts";
import type { Prisma } from "../../db/prisma.ts";

import { notSignedIn } from "./guards.ts";
import { audit } from "../audit/audit.ts";
import { hashRefreshToken } from "./session.ts";
import { endSessions } from "./session-epochs.ts";

type RefreshStore = Pick<Prisma, "refreshToken">;

/** Deletes every refresh token of a user (optionally sparing one session); returns how many. */
export async function revokeUserSessions(store: RefreshStore, userId: string, exceptFamilyId?: string): Promise<number> {
  const { count } = await store.refreshToken.deleteMany({ where: { userId, ...(exceptFamilyId ? { NOT: { familyId: exceptFamilyId } } : {}) } });
  return count;
}

export interface LogoutInput {
  /** the session to end; without it, the session of the caller's access token */
  refreshToken?: string | null;
}

/**
 * Ends one session: the family of the given refresh token, or of the caller's access token.
 * A refresh token is proof enough on its own (works after the access token expired); when a
 * user is signed in it must be theirs. Unknown tokens end nothing (no error: the session is
 * over either way). Throws UnauthenticatedError (401) with neither a token nor a signed-in user.
 */
export async function logout(ctx: Context, input: LogoutInput): Promise<void> {
  const { prisma } = ctx.services;
  const p = ctx.principal;
  let familyId: string | undefined;
  let userId: string | undefined;
  if (input.refreshToken) {
    const row = await prisma.refreshToken.findUnique({ where: { tokenHash: hashRefreshToken(input.refreshToken) }, select: { familyId: true, userId: true } });
    if (row && (p.kind !== "user" || p.userId === row.userId)) ({ familyId, userId } = row);
  } else {
    if (p.kind !== "user") throw notSignedIn(ctx);
    familyId = p.sessionId;
    userId = p.userId;
  }
  if (!familyId || !userId) return;
  const { count } = await prisma.refreshToken.deleteMany({ where: { familyId, userId } });
  audit(ctx, { eventType: "auth", eventAction: "logout", userId, resourceType: "refresh_token_family", resourceId: familyId, details: { revoked: count } });
}

/** Ends every session of the caller, access tokens included. Throws UnauthenticatedError (401) when nobody is signed in. */
export async function logoutAll(ctx: Context): Promise<number> {
  const p = ctx.principal;
  if (p.kind !== "user") throw notSignedIn(ctx);
  const count = await revokeUserSessions(ctx.services.prisma, p.userId);
  await endSessions(ctx, p.userId);
  audit(ctx, { eventType: "auth", eventAction: "logout", description: "logged out everywhere", details: { revoked: count, all: true } });
  return count;
}
