/**
 * `login`: e-mail + password → session. Unknown addresses and wrong passwords get the same
 * 401 message after the same amount of hashing work, so neither reveals which accounts exist.
 */
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";
import { UnauthenticatedError } from "../errors.ts";
import { normalizeEmail } from "./email.ts";
import { verifyDummyPassword, verifyPassword } from "./passwords.ts";
import { issueSession, toAuthAccount, type AuthSession } from "./session.ts";
import { throttleLogin } from "../ratelimit/lockout.ts";

export interface LoginInput {
  email: string;
  password: string;
  /** account slug or id (SnackBase); without it: the default account, or a superadmin anywhere */
  account?: string | null;
}

export const INVALID_CREDENTIALS = "Invalid email or password";

async function findUser(ctx: Context, email: string, account: string | null | undefined) {
  const { prisma } = ctx.services;
  const include = { account: true } as const;
  if (account) {
    return prisma.user.findFirst({ where: { email, account: { OR: [{ slug: account }, { id: account }] } }, include });
  }
  const candidates = await prisma.user.findMany({
    where: { email, OR: [{ accountId: DEFAULT_ACCOUNT_ID }, { superadmin: true }] },
    include,
    orderBy: { created: "asc" },
    take: 10,
  });
  return candidates.find((u) => u.accountId === DEFAULT_ACCOUNT_ID) ?? candidates[0] ?? null;
}

/**
 * Verifies the credentials and starts a new session (new refresh-token family).
 * Throws UnauthenticatedError (401 `Invalid email or password`) for an unknown account or
 * address or a wrong password. RateLimitedError (429, Retry-After) while the account + address
 * is locked out after repeated failures.
 */
export async function login(ctx: Context, input: LoginInput): Promise<AuthSession> {
  // lockout after repeated failures (ratelimit/lockout.ts): 429 while locked, counts 401s, clears on success
  return throttleLogin(ctx, { email: input.email, account: input.account }, () => attemptLogin(ctx, input));
}

async function attemptLogin(ctx: Context, input: LoginInput): Promise<AuthSession> {
  const email = normalizeEmail(input.email);
  const user = email ? await findUser(ctx, email, input.account?.trim()) : null;
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyDummyPassword(input.password);
  if (!user || !ok) {
    ctx.log.info({ reason: user ? "wrong password" : "unknown email" }, "login failed");
    throw new UnauthenticatedError(INVALID_CREDENTIALS);
  }
  return issueSession(ctx, user, toAuthAccount(user.account));
}
