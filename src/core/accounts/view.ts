/**
 * Accounts as the accounts API shows them, and who may see which: superadmins (and the system)
 * every account; an account admin (role `admin`) only their own — another account is "not
 * found" to them, never confirmed; other users nothing (403).
 */
import { isSuperadmin, type Context } from "../context.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import { requireSignedIn } from "../auth/guards.ts";
import { ADMIN_ROLE_ID } from "../auth/session.ts";

export interface AccountView {
  id: string;
  /** SnackBase code (e.g. `AB1234`); null for the `default` account */
  code: string | null;
  slug: string;
  name: string;
  usersCount: number;
  created: Date;
  updated: Date;
}

export interface AccountRow {
  id: string;
  code: string | null;
  slug: string;
  name: string;
  created: Date;
  updated: Date;
}

/** Which accounts the caller manages: all (superadmins) or one (account admins). */
export type AccountScope = { all: true } | { all: false; accountId: string };

/**
 * The caller's account scope. Throws 401 when anonymous, ForbiddenError (403) for users who
 * are neither superadmins nor admins of their account (API keys act as their owner).
 */
export function accountScope(ctx: Context): AccountScope {
  const p = requireSignedIn(ctx);
  if (isSuperadmin(ctx)) return { all: true };
  if (p.kind === "user" && (p.roleId === ADMIN_ROLE_ID || (p.roleId == null && p.role === "admin"))) return { all: false, accountId: p.accountId };
  throw new ForbiddenError("Account admin access required");
}

/** True when `scope` covers `accountId`. */
export function inScope(scope: AccountScope, accountId: string): boolean {
  return scope.all || scope.accountId === accountId;
}

/**
 * The account given by id, code or slug, when the caller manages it.
 * Throws 401/403 (see accountScope), NotFoundError (404) when there is none or it is outside
 * the caller's scope.
 */
export async function findManagedAccount(ctx: Context, idOrSlug: string): Promise<{ row: AccountRow; scope: AccountScope }> {
  const scope = accountScope(ctx);
  const v = String(idOrSlug ?? "").trim();
  const row = v ? await ctx.services.prisma.account.findFirst({ where: { OR: [{ id: v }, { code: v }, { slug: v.toLowerCase() }] } }) : null;
  if (!row || !inScope(scope, row.id)) throw new NotFoundError(`Account '${v}' not found`);
  return { row, scope };
}

/** Users per account, for the given accounts (one grouped query). */
export async function usersCounts(ctx: Context, accountIds: readonly string[]): Promise<Map<string, number>> {
  if (!accountIds.length) return new Map();
  const groups = await ctx.services.prisma.user.groupBy({ by: ["accountId"], where: { accountId: { in: [...accountIds] } }, _count: { _all: true } });
  return new Map(groups.map((g) => [g.accountId, g._count._all]));
}

export function toAccountView(row: AccountRow, usersCount: number): AccountView {
  return { id: row.id, code: row.code, slug: row.slug, name: row.name, usersCount, created: row.created, updated: row.updated };
}
