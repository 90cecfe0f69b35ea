/**
 * Reading users (superadmin): a filtered, sorted page, or one user by id.
 */
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import { resolveAccount, resolveRole, roleNames, toUserView, USER_INCLUDE, type UserView } from "./view.ts";

export interface ListUsersQuery {
  skip?: number;
  /** 1–100 (the route validates), default 25 */
  limit?: number;
  /** id, code or slug */
  accountId?: string | null;
  /** number, numeric string or role name */
  roleId?: string | number | null;
  isActive?: boolean | null;
  /** part of the e-mail address */
  search?: string | null;
  /** one of SORTS, `-` for descending; default `-created_at` */
  sort?: string | null;
}

const SORTS = { created_at: "created", created: "created", email: "email", last_login: "lastLogin", updated_at: "updated", is_active: "isActive", role_id: "roleId" } as const;

/**
 * Lists users. An unknown account or role filter matches nobody (empty page, not an error).
 * Throws 401/403 unless a superadmin calls, BadRequestError (400) for an unknown sort field.
 */
export async function listUsers(ctx: Context, query: ListUsersQuery): Promise<{ total: number; items: UserView[] }> {
  requireSuperadmin(ctx);
  const { prisma } = ctx.services;
  const sortText = (query.sort ?? "-created_at").trim();
  const desc = sortText.startsWith("-");
  const sortField = sortText.replace(/^[-+ ]/, "");
  const column = (SORTS as Record<string, string>)[sortField];
  if (!column) throw new BadRequestError(`Unknown sort field '${sortField}' (allowed: ${Object.keys(SORTS).join(", ")})`, { sort: `unknown field '${sortField}'` });

  const where: Record<string, unknown> = {};
  if (query.accountId) {
    const account = await resolveAccount(ctx, query.accountId).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e)));
    if (!account) return { total: 0, items: [] };
    where.accountId = account.id;
  }
  if (query.roleId != null && query.roleId !== "") {
    const role = await resolveRole(ctx, query.roleId).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e)));
    if (!role) return { total: 0, items: [] };
    // Rows written before role ids existed carry only the role name.
    where.OR = [{ roleId: role.id }, { roleId: null, role: role.id === 1 ? "admin" : role.id === 2 ? "user" : "\u0000" }];
  }
  if (query.isActive != null) where.isActive = query.isActive;
  if (query.search) where.email = { contains: query.search.trim().toLowerCase() };

  const [total, rows, names] = await Promise.all([
    prisma.user.count({ where }),
    prisma.user.findMany({
      where,
      include: USER_INCLUDE,
      orderBy: [{ [column]: desc ? "desc" : "asc" }, { id: desc ? "desc" : "asc" }],
      skip: query.skip ?? 0,
      take: query.limit ?? 25,
    }),
    roleNames(ctx),
  ]);
  return { total, items: rows.map((r) => toUserView(r, names)) };
}

/** One user. Throws 401/403 unless a superadmin calls, NotFoundError (404) for an unknown id. */
export async function getUser(ctx: Context, id: string): Promise<UserView> {
  requireSuperadmin(ctx);
  const row = await ctx.services.prisma.user.findUnique({ where: { id }, include: USER_INCLUDE });
  if (!row) throw new NotFoundError(`User '${id}' not found`);
  return toUserView(row, await roleNames(ctx));
}
