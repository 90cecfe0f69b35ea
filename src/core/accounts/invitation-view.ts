/**
 * Invitations as the API shows them, and the lookups the invitation operations share. The
 * token is 256 random bits mailed once; only its SHA-256 is stored. Lifetime: the setting
 * `invitation_token_ttl` (seconds, default 72 hours).
 */
import { randomBytes } from "node:crypto";
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { hashMailToken } from "../auth/mail-tokens.ts";
import { roleNames } from "../users/view.ts";
import { accountScope, inScope } from "./view.ts";

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export interface InvitationView {
  id: string;
  accountId: string;
  accountName: string;
  email: string;
  roleId: number;
  roleName: string;
  status: InvitationStatus;
  /** the user who sent (or last re-sent) it */
  invitedBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  /** the user the acceptance created */
  acceptedBy: string | null;
  sentCount: number;
  created: Date;
  updated: Date;
}

export const INVITATION_TTL_SETTING = "invitation_token_ttl";
export const INVITATION_TTL_DEFAULT = 72 * 3600;
export const INVALID_INVITATION = "Invalid or expired invitation";

export interface InvitationRow {
  id: string;
  accountId: string;
  email: string;
  roleId: number;
  invitedBy: string | null;
  status: string;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  sentCount: number;
  created: Date;
  updated: Date;
  account: { name: string };
}

/** Lifetime of a new invitation token, seconds. */
export function invitationTtl(ctx: Context): number {
  const v = Number(ctx.services.settings.get<unknown>(INVITATION_TTL_SETTING, INVITATION_TTL_DEFAULT));
  return Number.isFinite(v) && v > 0 ? v : INVITATION_TTL_DEFAULT;
}

/** A new token and its stored hash. */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashMailToken(token) };
}

/** The status shown: a pending invitation past its expiry is `expired`. */
export function statusOf(row: Pick<InvitationRow, "status" | "expiresAt">, now: Date): InvitationStatus {
  if (row.status === "pending" && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return row.status as InvitationStatus;
}

export function toInvitationView(row: InvitationRow, names: Map<number, string>, now: Date): InvitationView {
  return {
    id: row.id,
    accountId: row.accountId,
    accountName: row.account.name,
    email: row.email,
    roleId: row.roleId,
    roleName: names.get(row.roleId) ?? `role_${row.roleId}`,
    status: statusOf(row, now),
    invitedBy: row.invitedBy,
    expiresAt: row.expiresAt,
    acceptedAt: row.acceptedAt,
    acceptedBy: row.acceptedBy,
    sentCount: row.sentCount,
    created: row.created,
    updated: row.updated,
  };
}

export const INVITATION_INCLUDE = { account: { select: { name: true } } } as const;

/**
 * The invitation by id when the caller manages its account. Throws 401/403 (accounts'
 * accountScope), NotFoundError (404; also for another account's invitation).
 */
export async function findManagedInvitation(ctx: Context, id: string): Promise<InvitationRow> {
  const scope = accountScope(ctx);
  const row = typeof id === "string" && id ? await ctx.services.prisma.invitation.findUnique({ where: { id }, include: INVITATION_INCLUDE }) : null;
  if (!row || !inScope(scope, row.accountId)) throw new NotFoundError(`Invitation '${id}' not found`);
  return row;
}

/** Renders rows with the role names (one query). */
export async function invitationViews(ctx: Context, rows: readonly InvitationRow[]): Promise<InvitationView[]> {
  const names = await roleNames(ctx);
  const now = ctx.services.now();
  return rows.map((r) => toInvitationView(r, names, now));
}
