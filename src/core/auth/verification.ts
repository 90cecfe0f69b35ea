/**
 * E-mail verification: `sendVerification` mails a single-use token, `verifyEmail` redeems it and
 * marks the user verified. Unverified users of tenant (SnackBase) accounts cannot log in, nor
 * those of the default account while the setting `verification_required` (default false) is on
 * (login.ts); sign-up then hands back no tokens (register.ts).
 */
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";

import { notSignedIn } from "./guards.ts";
import { audit } from "../audit/audit.ts";
import { sendMail } from "../mail/send.ts";
import { verificationMail } from "../mail/templates.ts";
import { normalizeEmail } from "./email.ts";
import { consumeMailToken, issueMailToken, peekMailToken } from "./mail-tokens.ts";
import { findLoginUser } from "./find-user.ts";
import { toAuthUser, type AuthUser } from "./session.ts";

/** True when the setting `verification_required` (or `auth.verification_required`) is on. */
export function verificationRequired(ctx: Context): boolean {
  const s = ctx.services.settings;
  return s.get<unknown>("verification_required", s.get<unknown>("auth.verification_required", false)) === true;
}

/**
 * True when an unverified `user` may not sign in yet: always in a tenant (SnackBase) account —
 * spec 003: "Email verification is REQUIRED before login" — and in the default account (FastCMS
 * users) only while the setting `verification_required` is on.
 */
export function verificationNeeded(ctx: Context, user: { accountId: string }): boolean {
  return user.accountId !== DEFAULT_ACCOUNT_ID || verificationRequired(ctx);
}

/** Issues a verification token for the user and mails it. */
export async function sendVerificationTo(ctx: Context, user: { id: string; email: string }): Promise<void> {
  const { token, ttl } = await issueMailToken(ctx, user.id, "verify_email");
  await sendMail(ctx, verificationMail(ctx.services.config, user.email, token, ttl));
}

export interface SendVerificationInput {
  /** the address to verify; without it, the signed-in caller's */
  email?: string | null;
  /** account slug or id (SnackBase) */
  account?: string | null;
}

/**
 * Mails a fresh verification token. With `email`: to that address when it belongs to an active,
 * unverified user, otherwise silently nothing (no user enumeration). Without it: to the caller
 * (401 when anonymous; nothing when already verified).
 */
export async function sendVerification(ctx: Context, input: SendVerificationInput): Promise<void> {
  const { prisma } = ctx.services;
  let user: { id: string; email: string; verified: boolean; isActive: boolean } | null;
  if (input.email) {
    user = await findLoginUser(ctx, normalizeEmail(input.email), input.account?.trim());
  } else {
    const p = ctx.principal;
    if (p.kind !== "user") throw notSignedIn(ctx);
    user = await prisma.user.findUnique({ where: { id: p.userId } });
  }
  if (!user || user.verified || !user.isActive) return;
  await sendVerificationTo(ctx, user);
}

/**
 * Redeems a verification token: the user becomes verified (`verified_at` = now).
 * Throws BadRequestError (400 `Invalid or expired token`) for an unknown, used or expired token.
 */
export async function verifyEmail(ctx: Context, input: { token: unknown }): Promise<AuthUser> {
  const row = await peekMailToken(ctx, "verify_email", input.token);
  const now = ctx.services.now();
  const user = await ctx.services.prisma.$transaction(async (tx) => {
    await consumeMailToken(ctx, tx, row.id);
    return tx.user.update({ where: { id: row.userId }, data: { verified: true, verifiedAt: now } });
  });
  audit(ctx, { eventType: "user", eventAction: "verify_email", userId: user.id, userEmail: user.email, resourceType: "user", resourceId: user.id });
  return toAuthUser(user);
}
