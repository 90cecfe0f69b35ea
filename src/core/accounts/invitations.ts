/**
 * Invitations (SnackBase `/invitations`): an account admin (or a superadmin, for any account)
 * invites an e-mail address with a role; the invitee gets a single-use token by mail and
 * accepts it with a password (accept-invitation.ts). Listing, re-sending (a new token; the old
 * one stops working) and revoking stay inside the caller's account.
 */
import { v7 as uuidv7 } from "uuid";
import type { Context } from "../context.ts";
import { BadRequestError, ConflictError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { emailProblem, normalizeEmail } from "../auth/email.ts";
import { USER_ROLE_ID } from "../auth/session.ts";
import { sendMail } from "../mail/send.ts";
import { invitationMail } from "../mail/templates.ts";
import { resolveRole } from "../users/view.ts";
import { accountScope, findManagedAccount } from "./view.ts";
import type { Page, PageOf } from "./list-accounts.ts";
import {
  findManagedInvitation,
  INVITATION_INCLUDE,
  invitationTtl,
  invitationViews,
  newInvitationToken,
  statusOf,
  type InvitationRow,
  type InvitationStatus,
  type InvitationView,
} from "./invitation-view.ts";

export interface InviteInput {
  email: string;
  /** number, numeric string or role name; default 2 (user) */
  roleId?: unknown;
  /** id, code or slug; default the caller's account */
  accountId?: string | null;
}

function callerId(ctx: Context): string | null {
  return ctx.principal.kind === "user" ? ctx.principal.userId : null;
}

async function mailToken(ctx: Context, row: InvitationRow, token: string): Promise<void> {
  await sendMail(ctx, invitationMail(ctx.services.config, row.email, row.account.name, token, invitationTtl(ctx)));
}

/**
 * Invites `email` into the account and mails the token.
 * Throws 401/403 (account admins and superadmins only), NotFoundError (404: account outside the
 * caller's scope, unknown role), ValidationError (422 `email`, `roleId`), ConflictError (409:
 * already a member, or a pending invitation exists — re-send that one).
 */
export async function invite(ctx: Context, input: InviteInput): Promise<InvitationView> {
  const scope = accountScope(ctx);
  const accountId = input.accountId ? (await findManagedAccount(ctx, input.accountId)).row.id : scope.all ? ctx.principal.accountId : scope.accountId;
  const email = normalizeEmail(typeof input.email === "string" ? input.email : "");
  const problem = emailProblem(email);
  if (problem) throw new ValidationError(`Invalid email: ${problem}`, { email: problem });
  const role = await resolveRole(ctx, input.roleId ?? USER_ROLE_ID);
  const { prisma } = ctx.services;
  if (await prisma.user.findUnique({ where: { accountId_email: { accountId, email } }, select: { id: true } })) {
    throw new ConflictError(`'${email}' is already a member of this account`, { email: "already a member" });
  }
  const now = ctx.services.now();
  const pending = await prisma.invitation.findFirst({ where: { accountId, email, status: "pending", expiresAt: { gt: now } }, select: { id: true } });
  if (pending) throw new ConflictError(`A pending invitation for '${email}' already exists; re-send it instead`, { email: "already invited", invitation_id: pending.id });

  const { token, tokenHash } = newInvitationToken();
  const row = await prisma.invitation.create({
    data: { id: uuidv7(), accountId, email, roleId: role.id, invitedBy: callerId(ctx), tokenHash, status: "pending", expiresAt: new Date(now.getTime() + invitationTtl(ctx) * 1000), created: now },
    include: INVITATION_INCLUDE,
  });
  await mailToken(ctx, row, token);
  void audit(ctx, { eventType: "user", eventAction: "invite", resourceType: "invitation", resourceId: row.id, details: { email, account_id: accountId, role_id: role.id } });
  return (await invitationViews(ctx, [row]))[0]!;
}

export interface ListInvitationsQuery extends Page {
  /** pending, accepted, revoked or expired */
  status?: string | null;
  /** id, code or slug (superadmins: any account; default every account) */
  accountId?: string | null;
}

const STATUSES: ReadonlySet<string> = new Set<InvitationStatus>(["pending", "accepted", "revoked", "expired"]);

/**
 * A page of invitations, newest first: the caller's account (account admins), every account
 * or one (superadmins). Throws 401/403, NotFoundError (404 account), BadRequestError (400
 * unknown status).
 */
export async function listInvitations(ctx: Context, query: ListInvitationsQuery): Promise<PageOf<InvitationView>> {
  const scope = accountScope(ctx);
  const now = ctx.services.now();
  const where: Record<string, unknown> = {};
  if (query.accountId) where.accountId = (await findManagedAccount(ctx, query.accountId)).row.id;
  else if (!scope.all) where.accountId = scope.accountId;
  if (query.status) {
    if (!STATUSES.has(query.status)) throw new BadRequestError(`Unknown status '${query.status}' (allowed: ${[...STATUSES].join(", ")})`, { status: "unknown status" });
    if (query.status === "pending") Object.assign(where, { status: "pending", expiresAt: { gt: now } });
    else if (query.status === "expired") Object.assign(where, { status: "pending", expiresAt: { lte: now } });
    else where.status = query.status;
  }
  const page = Math.max(1, Math.trunc(query.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.trunc(query.pageSize ?? 25)));
  const { prisma } = ctx.services;
  const [total, rows] = await Promise.all([
    prisma.invitation.count({ where }),
    prisma.invitation.findMany({ where, include: INVITATION_INCLUDE, orderBy: [{ created: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  return { items: await invitationViews(ctx, rows), total, page, pageSize, totalPages: Math.ceil(total / pageSize) };
}

/** One invitation. Throws 401/403, NotFoundError (404). */
export async function getInvitation(ctx: Context, id: string): Promise<InvitationView> {
  return (await invitationViews(ctx, [await findManagedInvitation(ctx, id)]))[0]!;
}

/**
 * Mails a new token (the previous one stops working) with a fresh expiry; works on pending and
 * expired invitations. Throws 401/403, NotFoundError (404), ConflictError (409: accepted or revoked).
 */
export async function resendInvitation(ctx: Context, id: string): Promise<InvitationView> {
  const row = await findManagedInvitation(ctx, id);
  if (row.status !== "pending") throw new ConflictError(`Invitation is already ${row.status}`);
  const { token, tokenHash } = newInvitationToken();
  const now = ctx.services.now();
  const updated = await ctx.services.prisma.invitation.update({
    where: { id: row.id },
    data: { tokenHash, expiresAt: new Date(now.getTime() + invitationTtl(ctx) * 1000), sentCount: { increment: 1 }, invitedBy: callerId(ctx) ?? row.invitedBy },
    include: INVITATION_INCLUDE,
  });
  await mailToken(ctx, updated, token);
  void audit(ctx, { eventType: "user", eventAction: "invite_resend", resourceType: "invitation", resourceId: row.id, details: { email: row.email, account_id: row.accountId } });
  return (await invitationViews(ctx, [updated]))[0]!;
}

/**
 * Revokes a pending (or expired) invitation: its token stops working.
 * Throws 401/403, NotFoundError (404), ConflictError (409: accepted or already revoked).
 */
export async function revokeInvitation(ctx: Context, id: string): Promise<InvitationView> {
  const row = await findManagedInvitation(ctx, id);
  const { count } = await ctx.services.prisma.invitation.updateMany({ where: { id: row.id, status: "pending" }, data: { status: "revoked" } });
  if (count !== 1) throw new ConflictError(`Invitation is already ${statusOf(row, ctx.services.now())}`);
  void audit(ctx, { eventType: "user", eventAction: "invite_revoke", resourceType: "invitation", resourceId: row.id, details: { email: row.email, account_id: row.accountId } });
  return getInvitation(ctx, row.id);
}
