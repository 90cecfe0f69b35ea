/**
 * `login`: e-mail + password → session. Unknown addresses and wrong passwords get the same
 * 401 message after the same amount of hashing work, so neither reveals which accounts exist.
 * Only after the password matched does the answer say more: a deactivated user gets
 * `Account is disabled`, an unverified one `Email not verified` when it is a tenant (SnackBase)
 * account's user or the setting `verification_required` is on (verification.ts). Every failure goes through `recordLoginFailure`.
 */
import type { Context } from "../context.ts";
import { UnauthenticatedError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { normalizeEmail } from "./email.ts";
import { findLoginUser } from "./find-user.ts";
import { verifyDummyPassword, verifyPassword } from "./passwords.ts";
import { issueSession, toAuthAccount, type AuthSession } from "./session.ts";
import { throttleLogin } from "../ratelimit/lockout.ts";
import { verificationNeeded } from "./verification.ts";

export interface LoginInput {
  email: string;
  password: string;
  /** account slug, code or id (SnackBase); without it: the default account, or a superadmin anywhere */
  account?: string | null;
}

export const INVALID_CREDENTIALS = "Invalid email or password";
export const ACCOUNT_DISABLED = "Account is disabled";
export const EMAIL_NOT_VERIFIED = "Email not verified";

export type LoginFailureReason = "unknown_email" | "wrong_password" | "inactive" | "unverified";

export interface LoginFailure {
  email: string;
  account?: string | null;
  reason: LoginFailureReason;
  /** the user, when the address matched one */
  userId?: string | null;
}

/**
 * Records a failed login: an audit entry (`auth` / `login_failed`, severity warning). The one
 * place every login failure passes through (the lockout logic hooks in here).
 */
export async function recordLoginFailure(ctx: Context, failure: LoginFailure): Promise<void> {
  ctx.log.info({ reason: failure.reason, userId: failure.userId ?? undefined }, "login failed");
  await audit(ctx, {
    eventType: "auth",
    eventAction: "login_failed",
    severity: "warning",
    outcome: "failure",
    userId: failure.userId ?? null,
    userEmail: failure.email || null,
    description: `login failed: ${failure.reason.replace("_", " ")}`,
    details: { reason: failure.reason, ...(failure.account ? { account: failure.account } : {}) },
  });
}

/**
 * Verifies the credentials and starts a new session (new refresh-token family); records the
 * login time. Throws UnauthenticatedError (401): `Invalid email or password` for an unknown
 * account or address or a wrong password, `Account is disabled` for a deactivated user,
 * `Email not verified` when verification is required and pending. RateLimitedError (429,
 * Retry-After) while the account + address is locked out after repeated failures.
 */
export async function login(ctx: Context, input: LoginInput): Promise<AuthSession> {
  // lockout after repeated failures (ratelimit/lockout.ts): 429 while locked, counts 401s, clears on success
  return throttleLogin(ctx, { email: input.email, account: input.account }, () => attemptLogin(ctx, input));
}

async function attemptLogin(ctx: Context, input: LoginInput): Promise<AuthSession> {
  const email = normalizeEmail(input.email);
  const account = input.account?.trim() || null;
  const user = await findLoginUser(ctx, email, account);
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyDummyPassword(input.password);
  const failure = (reason: LoginFailureReason, message: string) => {
    // The audit write runs in the background; the answer does not wait for it.
    void recordLoginFailure(ctx, { email, account, reason, userId: user?.id ?? null });
    return new UnauthenticatedError(message);
  };
  if (!user) throw failure("unknown_email", INVALID_CREDENTIALS);
  if (!ok) throw failure("wrong_password", INVALID_CREDENTIALS);
  if (!user.isActive) throw failure("inactive", ACCOUNT_DISABLED);
  if (!user.verified && verificationNeeded(ctx, user)) throw failure("unverified", EMAIL_NOT_VERIFIED);

  const now = ctx.services.now();
  await ctx.services.prisma.user.update({ where: { id: user.id }, data: { lastLogin: now, updated: user.updated } });
  const session = await issueSession(ctx, user, toAuthAccount(user.account));
  audit(ctx, { eventType: "auth", eventAction: "login", userId: user.id, userEmail: user.email, description: "login succeeded", details: { account: user.accountId } });
  return session;
}
