/**
 * The user as the users-management API shows it (compat/snackbase.md §7), and the lookups its
 * operations share: roles by id, numeric string or name; accounts by id, code or slug.
 */
import type { Context } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { roleIdOf } from "../auth/session.ts";

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  accountId: string;
  accountCode: string | null;
  accountName: string;
  roleId: number;
  roleName: string;
  superadmin: boolean;
  isActive: boolean;
  authProvider: string;
  authProviderName: string | null;
  externalId: string | null;
  externalEmail: string | null;
  profileData: unknown;
  emailVerified: boolean;
  emailVerifiedAt: Date | null;
  created: Date;
  updated: Date;
  lastLogin: Date | null;
}

/** What the operations load with a user row. */
export const USER_INCLUDE = { account: true, oauthAccounts: { take: 1, orderBy: { created: "asc" } } } as const;

interface Row {
  id: string;
  email: string;
  name: string | null;
  accountId: string;
  role: string;
  roleId: number | null;
  superadmin: boolean;
  isActive: boolean;
  authProvider: string;
  profileData: string | null;
  verified: boolean;
  verifiedAt: Date | null;
  created: Date;
  updated: Date;
  lastLogin: Date | null;
  account: { code: string | null; name: string };
  oauthAccounts: { provider: string; providerUserId: string; email: string | null }[];
}

function parseProfile(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Renders a row; `roleNames` maps role ids to names (ids without a name show `role_<id>`). */
export function toUserView(row: Row, roleNames: Map<number, string>): UserView {
  const roleId = roleIdOf(row);
  const oauth = row.oauthAccounts[0];
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    accountId: row.accountId,
    accountCode: row.account.code,
    accountName: row.account.name,
    roleId,
    roleName: roleNames.get(roleId) ?? `role_${roleId}`,
    superadmin: row.superadmin,
    isActive: row.isActive,
    authProvider: row.authProvider,
    authProviderName: oauth?.provider ?? (row.authProvider !== "password" ? row.authProvider : null),
    externalId: oauth?.providerUserId ?? null,
    externalEmail: oauth?.email ?? null,
    profileData: parseProfile(row.profileData),
    emailVerified: row.verified,
    emailVerifiedAt: row.verifiedAt,
    created: row.created,
    updated: row.updated,
    lastLogin: row.lastLogin,
  };
}

/** Every role's name by id. */
export async function roleNames(ctx: Context): Promise<Map<number, string>> {
  const roles = await ctx.services.prisma.role.findMany({ select: { id: true, name: true } });
  return new Map(roles.map((r) => [r.id, r.name]));
}

/**
 * A role given as a number, a numeric string (`"2"`) or a name (`"user"`).
 * Throws ValidationError (422) for another type, NotFoundError (404) for an unknown role.
 */
export async function resolveRole(ctx: Context, value: unknown, field = "roleId"): Promise<{ id: number; name: string }> {
  const { prisma } = ctx.services;
  let role: { id: number; name: string } | null;
  if (typeof value === "number" || (typeof value === "string" && /^\d{1,9}$/.test(value.trim()))) {
    const id = Number(value);
    if (!Number.isSafeInteger(id)) throw new ValidationError(`Invalid ${field}: must be a role id or name`, { [field]: "must be a role id or name" });
    role = await prisma.role.findUnique({ where: { id }, select: { id: true, name: true } });
  } else if (typeof value === "string" && value.trim()) {
    role = await prisma.role.findUnique({ where: { name: value.trim() }, select: { id: true, name: true } });
  } else {
    throw new ValidationError(`Invalid ${field}: must be a role id or name`, { [field]: "must be a role id or name" });
  }
  if (!role) throw new NotFoundError(`Role '${String(value)}' not found`);
  return role;
}

/** An account given as its id, code or slug. Throws NotFoundError (404) when there is none. */
export async function resolveAccount(ctx: Context, value: string): Promise<{ id: string; code: string | null; name: string }> {
  const v = value.trim();
  const account = await ctx.services.prisma.account.findFirst({ where: { OR: [{ id: v }, { code: v }, { slug: v.toLowerCase() }] }, select: { id: true, code: true, name: true } });
  if (!account) throw new NotFoundError(`Account '${value}' not found`);
  return account;
}

/** The public role column for a role id: account admins (role 1) are `admin`, others `user`. */
export function roleColumn(roleId: number): "admin" | "user" {
  return roleId === 1 ? "admin" : "user";
}
