/**
 * Changing users (superadmin): e-mail, role and active flag; password; verification;
 * deactivation. Taking access away (deactivation, role change, new password) applies at once:
 * refresh tokens are deleted, the user's cached API keys dropped and their access tokens refused
 * on every instance (auth/session-epochs.ts).
 */
import type { Context } from "../context.ts";
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import { emailProblem, normalizeEmail } from "../auth/email.ts";
import { revokeUserSessions } from "../auth/logout.ts";
import { endSessions } from "../auth/session-epochs.ts";
import { assertPassword, hashPassword } from "../auth/passwords.ts";
import { isUniqueViolation } from "../auth/register.ts";
import { invalidateApiKeys } from "../api-keys/authenticate.ts";
import { getUser } from "./list.ts";
import { resolveRole, roleColumn, type UserView } from "./view.ts";

export interface UpdateUserInput {
  email?: string;
  /** number, numeric string or role name */
  roleId?: unknown;
  isActive?: boolean;
  name?: string | null;
}

function callerId(ctx: Context): string | undefined {
  return ctx.principal.kind === "user" ? ctx.principal.userId : undefined;
}

async function existing(ctx: Context, id: string) {
  const row = await ctx.services.prisma.user.findUnique({ where: { id }, select: { id: true, accountId: true, email: true } });
  if (!row) throw new NotFoundError(`User '${id}' not found`);
  return row;
}

async function cutAccess(ctx: Context, userId: string): Promise<number> {
  const revoked = await revokeUserSessions(ctx.services.prisma, userId);
  invalidateApiKeys(ctx.services, { userId });
  await endSessions(ctx, userId);
  return revoked;
}

/**
 * Applies the given fields. Throws 401/403 unless a superadmin calls, NotFoundError (404) for an
 * unknown user or role, ValidationError (422) for a bad e-mail or role value (`roleId`), ConflictError (409)
 * for an e-mail taken in the account, BadRequestError (400) when superadmins deactivate
 * themselves.
 */
export async function updateUser(ctx: Context, id: string, input: UpdateUserInput): Promise<UserView> {
  requireSuperadmin(ctx);
  const user = await existing(ctx, id);
  const data: { email?: string; role?: string; roleId?: number; isActive?: boolean; name?: string | null } = {};
  if (input.email !== undefined) {
    const email = normalizeEmail(input.email);
    const problem = emailProblem(email);
    if (problem) throw new ValidationError(`Invalid email: ${problem}`, { email: problem });
    data.email = email;
  }
  if (input.roleId !== undefined) {
    const role = await resolveRole(ctx, input.roleId);
    Object.assign(data, { roleId: role.id, role: roleColumn(role.id) });
  }
  if (input.isActive !== undefined) {
    if (input.isActive === false && callerId(ctx) === id) throw new BadRequestError("You cannot deactivate your own account");
    data.isActive = input.isActive;
  }
  if (input.name !== undefined) data.name = input.name?.trim() || null;
  try {
    await ctx.services.prisma.user.update({ where: { id }, data });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`Email '${data.email}' is already registered in this account`, { email: "already registered" });
    throw e;
  }
  if (data.isActive === false) await cutAccess(ctx, id);
  else if (data.roleId !== undefined) {
    // rights come with the token: tokens issued under the old role end (refresh gets the new one)
    invalidateApiKeys(ctx.services, { userId: id });
    await endSessions(ctx, id);
  }
  audit(ctx, {
    eventType: "admin",
    eventAction: data.roleId !== undefined ? "role_change" : "update",
    resourceType: "user",
    resourceId: id,
    details: { fields: Object.keys(data), ...(data.roleId !== undefined ? { role_id: data.roleId } : {}), target_email: user.email },
  });
  return getUser(ctx, id);
}

/**
 * Sets a user's password (SnackBase rule; PasswordPolicyError 400 naming each broken rule) and
 * ends the user's sessions; errors name the input `newPassword`. Throws 401/403 unless a
 * superadmin calls, NotFoundError (404).
 */
export async function setUserPassword(ctx: Context, id: string, password: string): Promise<void> {
  requireSuperadmin(ctx);
  await existing(ctx, id);
  if (typeof password !== "string" || !password) throw new BadRequestError("Invalid newPassword: is required", { newPassword: "is required" });
  assertPassword("strong", password, "newPassword", 400);
  const passwordHash = await hashPassword(password);
  await ctx.services.prisma.user.update({ where: { id }, data: { passwordHash } });
  const revoked = await revokeUserSessions(ctx.services.prisma, id);
  await endSessions(ctx, id);
  audit(ctx, { eventType: "admin", eventAction: "password_reset", resourceType: "user", resourceId: id, details: { sessions_revoked: revoked } });
}

/** Marks a user's e-mail verified (now, unless it already was). Throws 401/403, NotFoundError (404). */
export async function verifyUser(ctx: Context, id: string): Promise<UserView> {
  requireSuperadmin(ctx);
  await existing(ctx, id);
  await ctx.services.prisma.user.updateMany({ where: { id, verified: false }, data: { verified: true, verifiedAt: ctx.services.now() } });
  audit(ctx, { eventType: "admin", eventAction: "verify_email", resourceType: "user", resourceId: id });
  return getUser(ctx, id);
}

/**
 * Deactivates a user (`is_active = false`): login answers 401 from then on, refresh tokens are
 * deleted and API keys stop working. Throws 401/403, NotFoundError (404), BadRequestError (400)
 * when superadmins deactivate themselves.
 */
export async function deactivateUser(ctx: Context, id: string): Promise<void> {
  requireSuperadmin(ctx);
  const user = await existing(ctx, id);
  if (callerId(ctx) === id) throw new BadRequestError("You cannot deactivate your own account");
  await ctx.services.prisma.user.update({ where: { id }, data: { isActive: false } });
  const revoked = await cutAccess(ctx, id);
  audit(ctx, { eventType: "admin", eventAction: "delete", resourceType: "user", resourceId: id, description: "user deactivated", details: { target_email: user.email, sessions_revoked: revoked } });
}
