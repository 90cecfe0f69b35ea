/**
 * Accepting an invitation: the mailed token plus a password create the user in the inviting
 * account, with the invited role, e-mail verified (the token proved the address), and sign
 * them in. The token works once: accepting marks the invitation `accepted` conditionally, in
 * the transaction that creates the user, so of two concurrent uses exactly one succeeds.
 */
import { v7 as uuidv7 } from "uuid";
import type { Context } from "../context.ts";
import { BadRequestError, ConflictError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { hashMailToken } from "../auth/mail-tokens.ts";
import { assertPassword, hashPassword, passwordPolicyFor } from "../auth/passwords.ts";
import { issueSession, toAuthAccount, type AuthSession } from "../auth/session.ts";
import { roleColumn } from "../users/view.ts";
import { INVALID_INVITATION } from "./invitation-view.ts";

export interface AcceptInvitationInput {
  token: string;
  password: string;
  name?: string | null;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}

/**
 * Creates the invited user and starts a session.
 * Throws BadRequestError (400 `Invalid or expired invitation`) for an unknown, used, revoked or
 * expired token; PasswordPolicyError (400, each broken rule named) / ValidationError (422,
 * default account's rule) for the password; ConflictError (409) when the address joined the
 * account meanwhile.
 */
export async function acceptInvitation(ctx: Context, input: AcceptInvitationInput): Promise<AuthSession> {
  const token = input.token;
  if (typeof token !== "string" || token.length < 16 || token.length > 200) throw new BadRequestError(INVALID_INVITATION);
  const { prisma } = ctx.services;
  const now = ctx.services.now();
  const inv = await prisma.invitation.findUnique({ where: { tokenHash: hashMailToken(token) }, include: { account: true } });
  if (!inv || inv.status !== "pending" || inv.expiresAt.getTime() <= now.getTime()) throw new BadRequestError(INVALID_INVITATION);
  if (typeof input.password !== "string" || !input.password) throw new BadRequestError("Invalid password: is required", { password: "is required" });
  assertPassword(passwordPolicyFor(inv.accountId), input.password, "password", 400);
  const name = input.name?.trim().slice(0, 255) || null;
  const passwordHash = await hashPassword(input.password);
  const member = () => new ConflictError(`'${inv.email}' is already a member of this account`, { email: "already a member" });
  if (await prisma.user.findUnique({ where: { accountId_email: { accountId: inv.accountId, email: inv.email } }, select: { id: true } })) throw member();

  const id = uuidv7();
  let user;
  try {
    user = await prisma.$transaction(async (tx) => {
      const { count } = await tx.invitation.updateMany({ where: { id: inv.id, status: "pending", expiresAt: { gt: now } }, data: { status: "accepted", acceptedAt: now, acceptedBy: id } });
      if (count !== 1) throw new BadRequestError(INVALID_INVITATION);
      return tx.user.create({
        data: {
          id,
          accountId: inv.accountId,
          email: inv.email,
          name,
          passwordHash,
          role: roleColumn(inv.roleId),
          roleId: inv.roleId,
          superadmin: false,
          verified: true,
          verifiedAt: now,
          lastLogin: now,
          created: now,
        },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw member();
    throw e;
  }
  const session = await issueSession(ctx, user, toAuthAccount(inv.account));
  void audit(ctx, {
    eventType: "user",
    eventAction: "invite_accept",
    userId: user.id,
    userEmail: user.email,
    resourceType: "invitation",
    resourceId: inv.id,
    details: { account_id: inv.accountId, role_id: inv.roleId },
  });
  return session;
}
