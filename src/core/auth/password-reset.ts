/**
 * Forgotten passwords: `requestPasswordReset` mails a single-use, expiring token (always the
 * same answer, whether or not the address exists); `resetPassword` redeems it, sets the new
 * password and ends every session of the user.
 */
import type { Context } from "../context.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { sendMail } from "../mail/send.ts";
import { passwordResetMail } from "../mail/templates.ts";
import { normalizeEmail } from "./email.ts";
import { findLoginUser } from "./find-user.ts";
import { revokeUserSessions } from "./logout.ts";
import { endSessions } from "./session-epochs.ts";
import { consumeMailToken, INVALID_TOKEN, issueMailToken, peekMailToken } from "./mail-tokens.ts";
import { assertPassword, hashPassword, passwordPolicyFor } from "./passwords.ts";

export interface ForgotPasswordInput {
  email: string;
  /** account slug, code or id (SnackBase) */
  account?: string | null;
}

/**
 * Mails a reset token when the address belongs to an active user; does nothing otherwise.
 * Never throws for an unknown address (no user enumeration).
 */
export async function requestPasswordReset(ctx: Context, input: ForgotPasswordInput): Promise<void> {
  const email = normalizeEmail(input.email ?? "");
  const user = await findLoginUser(ctx, email, input.account?.trim());
  if (!user || !user.isActive) {
    audit(ctx, { eventType: "auth", eventAction: "password_reset_request", outcome: "failure", userId: null, userEmail: email || null, description: "no active user with this address" });
    return;
  }
  const { token, ttl } = await issueMailToken(ctx, user.id, "reset_password");
  await sendMail(ctx, passwordResetMail(ctx.services.config, user.email, token, ttl));
  audit(ctx, { eventType: "auth", eventAction: "password_reset_request", userId: user.id, userEmail: user.email });
}

export interface ResetPasswordInput {
  token: string;
  /** the new password (FastCMS docs and SnackBase send it as `new_password`) */
  newPassword?: string | null;
  /** the new password under the other name FastCMS upstream uses, with `passwordConfirm` */
  password?: string | null;
  passwordConfirm?: string | null;
}

/**
 * Sets a new password with a reset token. The token is checked first, then the password
 * (the user's account rule), and only then consumed — a rejected password leaves the token
 * usable. Ends all sessions and voids the user's other reset tokens.
 * Throws BadRequestError (400 `Invalid or expired token`) for an unknown, used or expired token
 * (or a deactivated user),
 * ValidationError/PasswordPolicyError (422) for a missing, mismatched or weak password, naming
 * the input by its domain name (`newPassword`, `password`, `passwordConfirm`).
 */
export async function resetPassword(ctx: Context, input: ResetPasswordInput): Promise<void> {
  const row = await peekMailToken(ctx, "reset_password", input.token);
  if (!row.user.isActive) throw new BadRequestError(INVALID_TOKEN);
  const field = input.newPassword != null ? "newPassword" : "password";
  const password = input.newPassword ?? input.password;
  if (typeof password !== "string" || password === "") throw new ValidationError("Invalid newPassword: is required", { newPassword: "is required" });
  if (input.passwordConfirm != null && input.passwordConfirm !== password) {
    throw new ValidationError("Invalid passwordConfirm: does not match password", { passwordConfirm: "does not match password" });
  }
  assertPassword(passwordPolicyFor(row.user.accountId), password, field);
  const passwordHash = await hashPassword(password);
  const now = ctx.services.now();
  const revoked = await ctx.services.prisma.$transaction(async (tx) => {
    await consumeMailToken(ctx, tx, row.id);
    await tx.authToken.updateMany({ where: { userId: row.userId, kind: "reset_password", usedAt: null }, data: { usedAt: now } });
    await tx.user.update({ where: { id: row.userId }, data: { passwordHash } });
    return revokeUserSessions(tx, row.userId);
  });
  await endSessions(ctx, row.userId);
  audit(ctx, { eventType: "auth", eventAction: "password_reset", userId: row.userId, userEmail: row.user.email, resourceType: "user", resourceId: row.userId, details: { sessions_revoked: revoked } });
}
