/**
 * Login lockout: after `login_lockout_attempts` (default 5) failed logins for one account +
 * e-mail within `login_lockout_window_minutes` (15), further logins for it are refused with 429
 * for `login_lockout_minutes` (15) — even with the right password, which is not checked while
 * locked. A successful login clears the count. Counters live in `_login_throttle` (keyed by a
 * SHA-256 of account + e-mail), so every instance on the database sees the same lock.
 * Settings are in category `security`; `login_lockout_attempts` = 0 turns the lockout off.
 *
 * Why 429 and not 401: the credentials were not judged; the caller must wait (Retry-After),
 * like any other rate limit. The lock is per account + e-mail, not per IP, so spreading an
 * attack over many addresses does not help it.
 */
import { createHash } from "node:crypto";
import { audit } from "../audit/audit.ts";
import type { Context } from "../context.ts";
import { RateLimitedError, UnauthenticatedError } from "../errors.ts";

export interface LoginIdentity {
  email: string;
  /** account slug, id or code as the client sent it */
  account?: string | null;
}

export interface LockoutPolicy {
  attempts: number;
  windowMs: number;
  lockMs: number;
}

function setting(ctx: Context, key: string, fallback: number): number {
  const v = ctx.services.settings.get<unknown>(key, fallback);
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}

/** The policy in force (settings, else 5 attempts / 15 min window / 15 min lock). */
export function lockoutPolicy(ctx: Context): LockoutPolicy {
  return {
    attempts: setting(ctx, "login_lockout_attempts", 5),
    windowMs: Math.max(1, setting(ctx, "login_lockout_window_minutes", 15)) * 60_000,
    lockMs: Math.max(1, setting(ctx, "login_lockout_minutes", 15)) * 60_000,
  };
}

function throttleKey(who: LoginIdentity): string {
  const identity = `${(who.account ?? "").trim().toLowerCase()}\n${who.email.trim().toLowerCase()}`;
  return createHash("sha256").update(identity, "utf8").digest("hex");
}

function lockedError(retryAfterSeconds: number): RateLimitedError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new RateLimitedError(`Too many failed login attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, retryAfterSeconds, {
    reason: "login_lockout",
    retry_after_seconds: retryAfterSeconds,
  });
}

/**
 * Runs one login `attempt` under the lockout: refuses at once (RateLimitedError 429 with
 * Retry-After) while the account + e-mail is locked; counts an UnauthenticatedError from the
 * attempt as a failure (locking and auditing `auth/lockout` at the limit) and rethrows it;
 * clears the count after a success. Other errors pass through uncounted.
 *
 * Atomic: each attempt first takes a numbered slot with one increment statement (an upsert, so
 * concurrent attempts on several instances each get their own number), and only the first
 * `attempts` slots of a window have the password checked — with 40 wrong passwords sent at once,
 * 5 are checked and 35 answered 429. A success frees the slots (deletes the row); an error that
 * is not a wrong credential gives its slot back.
 * @example return throttleLogin(ctx, { email: input.email, account: input.account }, () => attemptLogin(ctx, input));
 */
export async function throttleLogin<T>(ctx: Context, who: LoginIdentity, attempt: () => Promise<T>): Promise<T> {
  const policy = lockoutPolicy(ctx);
  if (policy.attempts === 0) return attempt();
  const { prisma } = ctx.services;
  const key = throttleKey(who);
  const slot = await takeSlot(ctx, key, policy);
  if (slot.lockedUntil) throw lockedError(Math.max(1, Math.ceil((slot.lockedUntil.getTime() - ctx.services.now().getTime()) / 1000)));
  let result: T;
  try {
    result = await attempt();
  } catch (err) {
    if (err instanceof UnauthenticatedError) {
      if (slot.number >= policy.attempts) await lock(ctx, key, who, policy, slot.number);
    } else {
      await prisma.loginThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } });
    }
    throw err;
  }
  await prisma.loginThrottle.deleteMany({ where: { key } });
  return result;
}

/**
 * Takes the next attempt slot of `key`. Returns its number, or `lockedUntil` when the attempt
 * must be refused: the key is locked, or every slot of the window is taken (attempts in flight).
 */
async function takeSlot(ctx: Context, key: string, policy: LockoutPolicy): Promise<{ number: number; lockedUntil?: Date }> {
  const { prisma } = ctx.services;
  const now = ctx.services.now();
  // One statement (INSERT … ON CONFLICT DO UPDATE … RETURNING): concurrent attempts all count.
  let row = await prisma.loginThrottle.upsert({
    where: { key },
    create: { key, failures: 1, windowStart: now },
    update: { failures: { increment: 1 } },
  });
  if (row.lockedUntil && row.lockedUntil > now) return { number: row.failures, lockedUntil: row.lockedUntil };
  if (row.windowStart.getTime() + policy.windowMs < now.getTime() || row.lockedUntil) {
    // the earlier attempts are outside the window (or belong to an expired lock): start over
    row = await prisma.loginThrottle.update({ where: { key }, data: { failures: 1, windowStart: now, lockedUntil: null } });
  }
  if (row.failures > policy.attempts) return { number: row.failures, lockedUntil: new Date(now.getTime() + policy.lockMs) };
  return { number: row.failures };
}

async function lock(ctx: Context, key: string, who: LoginIdentity, policy: LockoutPolicy, failures: number): Promise<void> {
  const now = ctx.services.now();
  const lockedUntil = new Date(now.getTime() + policy.lockMs);
  await ctx.services.prisma.loginThrottle.updateMany({ where: { key }, data: { failures: 0, windowStart: now, lockedUntil } });
  void audit(ctx, {
    eventType: "auth",
    eventAction: "lockout",
    severity: "warning",
    outcome: "failure",
    userId: null,
    userEmail: who.email.trim().toLowerCase(),
    resourceType: "user",
    description: `Login locked for ${Math.round(policy.lockMs / 60_000)} minutes after ${failures} failed attempts`,
    details: { attempts: failures, account: who.account ?? null, locked_until: lockedUntil.toISOString() },
  });
}
