/**
 * Who an OAuth identity is in Cairn, in this order:
 * 1. the user already linked to (provider, subject);
 * 2. the user with the same e-mail in the target account — linked only when the provider
 *    VERIFIED the address (the link is stored, and the user's address counts as verified);
 *    an unverified address matching an existing user is refused (409), never taken over;
 * 3. otherwise a new user in the target account (role `user`, verified when the provider says
 *    so, no usable password until they reset one).
 * Then a normal session is issued (session.ts) and the login audited (`auth/login`, method oauth).
 */
import { randomBytes } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import { audit } from "../audit/audit.ts";
import { isUniqueViolation } from "./unique.ts";
import { issueSession, toAuthAccount, type AuthSession } from "../auth/session.ts";
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from "../errors.ts";
import type { OAuthIdentity } from "./identity.ts";

export interface OAuthSignIn {
  session: AuthSession;
  provider: string;
  isNewUser: boolean;
  /** accounts are never created by an OAuth sign-in (the target account must exist) */
  isNewAccount: boolean;
}

/** A password hash no password matches (not in the scrypt format): OAuth-only users reset one to get a password. */
function unusablePasswordHash(): string {
  return `oauth!${randomBytes(16).toString("base64url")}`;
}

const include = { account: true } as const;

/**
 * Signs `identity` in to `accountId` (default account when null). `method` names the protocol in
 * the audit entry (`oauth`, or `saml` for SAML sign-ons, which share this sign-in).
 * @throws ForbiddenError 403 (identity linked to a user of another account), 401 (user
 *   deactivated), BadRequestError 400 (no e-mail from the provider), ConflictError 409
 *   (unverified address of an existing user), NotFoundError 404 (account gone).
 */
export async function signInWithOAuth(ctx: Context, identity: OAuthIdentity, accountId: string | null, method: "oauth" | "saml" = "oauth"): Promise<OAuthSignIn> {
  const { prisma } = ctx.services;
  const target = accountId ?? DEFAULT_ACCOUNT_ID;
  const now = ctx.services.now();
  let linked = false;
  let isNewUser = false;

  const link = await prisma.oAuthAccount.findUnique({
    where: { provider_providerUserId: { provider: identity.provider, providerUserId: identity.subject } },
    include: { user: { include } },
  });
  let user = link?.user ?? null;
  if (user && accountId && user.accountId !== accountId) throw new ForbiddenError(`This ${identity.provider} identity is linked to a user of another account`);

  if (!user) {
    if (!identity.email) throw new BadRequestError(`${identity.provider} did not share an e-mail address; allow access to your e-mail address and try again`);
    const existing = await prisma.user.findUnique({ where: { accountId_email: { accountId: target, email: identity.email } }, include });
    if (existing) {
      if (!identity.emailVerified) {
        throw new ConflictError(`A user with this e-mail address already exists and ${identity.provider} has not verified the address, so it cannot be linked; sign in with your password instead`, {
          email: "not verified by the provider",
        });
      }
      await prisma.oAuthAccount.create({ data: { id: uuidv7(), userId: existing.id, provider: identity.provider, providerUserId: identity.subject, email: identity.email, created: now } });
      linked = true;
      user = existing.verified ? existing : await prisma.user.update({ where: { id: existing.id }, data: { verified: true, verifiedAt: now }, include });
    } else {
      const account = await prisma.account.findUnique({ where: { id: target }, select: { id: true } });
      if (!account) throw new NotFoundError(`Account '${target}' not found`);
      const id = uuidv7();
      try {
        const [created] = await prisma.$transaction([
          prisma.user.create({
            data: {
              id,
              accountId: target,
              email: identity.email,
              passwordHash: unusablePasswordHash(),
              name: identity.name?.slice(0, 255) ?? null,
              avatar: identity.avatar?.slice(0, 2000) ?? null,
              role: "user",
              verified: identity.emailVerified,
              verifiedAt: identity.emailVerified ? now : null,
              authProvider: identity.provider,
              profileData: JSON.stringify({ provider: identity.provider, subject: identity.subject, name: identity.name, picture: identity.avatar }),
              created: now,
            },
            include,
          }),
          prisma.oAuthAccount.create({ data: { id: uuidv7(), userId: id, provider: identity.provider, providerUserId: identity.subject, email: identity.email, created: now } }),
        ]);
        user = created;
        isNewUser = true;
      } catch (e) {
        // a concurrent sign-in of the same person won the race: ask them to retry (it will find the link)
        if (isUniqueViolation(e)) throw new ConflictError("This sign-in is already being processed; try again");
        throw e;
      }
    }
  }

  if (!user.isActive) throw new UnauthenticatedError("This account is disabled");
  await prisma.user.update({ where: { id: user.id }, data: { lastLogin: now } });
  const session = await issueSession(ctx, user, toAuthAccount(user.account));
  void audit(ctx, {
    eventType: "auth",
    eventAction: "login",
    userId: user.id,
    userEmail: user.email,
    resourceType: "user",
    resourceId: user.id,
    description: `Signed in with ${identity.provider}${isNewUser ? " (new user)" : linked ? " (linked by verified e-mail)" : ""}`,
    details: { method, provider: identity.provider, new_user: isNewUser, linked },
  });
  return { session, provider: identity.provider, isNewUser, isNewAccount: false };
}
