/**
 * `changePassword`: the signed-in user replaces their password, proving the current one.
 * Other sessions end at once, their access tokens included; the one making the change survives.
 */
import type { Context } from "../context.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { notSignedIn } from "./guards.ts";
import { audit } from "../audit/audit.ts";
import { revokeUserSessions } from "./logout.ts";
import { endSessions } from "./session-epochs.ts";
import { assertPassword, hashPassword, passwordPolicyFor, verifyPassword } from "./passwords.ts";

export interface ChangePasswordInput {
  oldPassword: string;
  newPassword: string;
  /** optional; must equal newPassword when sent */
  newPasswordConfirm?: string | null;
}

/**
 * Throws UnauthenticatedError (401) when nobody is signed in, BadRequestError (400
 * `Current password is incorrect`), ValidationError (422) when the confirmation differs or the
 * new password breaks the account's rule (FastCMS rule in the default account, SnackBase's in
 * tenant accounts — PasswordPolicyError, 422). Error details name inputs by their domain names
 * (`oldPassword`, `newPassword`, `newPasswordConfirm`).
 */
export async function changePassword(ctx: Context, input: ChangePasswordInput): Promise<void> {
  const p = ctx.principal;
  if (p.kind !== "user") throw notSignedIn(ctx);
  const { prisma } = ctx.services;
  const user = await prisma.user.findUnique({ where: { id: p.userId } });
  if (!user || !user.isActive) throw notSignedIn(ctx);
  if (input.newPasswordConfirm != null && input.newPasswordConfirm !== input.newPassword) {
    throw new ValidationError("Invalid newPasswordConfirm: does not match newPassword", { newPasswordConfirm: "does not match newPassword" });
  }
  assertPassword(passwordPolicyFor(user.accountId), input.newPassword, "newPassword");
  if (!(await verifyPassword(input.oldPassword, user.passwordHash))) {
    audit(ctx, { eventType: "user", eventAction: "password_change", severity: "warning", outcome: "failure", errorMessage: "current password incorrect" });
    throw new BadRequestError("Current password is incorrect", { oldPassword: "is incorrect" });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const revoked = await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    return revokeUserSessions(tx, user.id, p.sessionId);
  });
  await endSessions(ctx, user.id, p.sessionId);
  audit(ctx, { eventType: "user", eventAction: "password_change", resourceType: "user", resourceId: user.id, details: { sessions_revoked: revoked } });
}
