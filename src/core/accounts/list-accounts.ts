/**
 * Reading accounts: a searched, sorted page (superadmins see every account, account admins
 * their own), one account, and an account's users.
 */
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { roleNames, toUserView, USER_INCLUDE, type UserView } from "../users/view.ts";
import { accountScope, findManagedAccount, toAccountView, usersCounts, type AccountView } from "./view.ts";

export interface Page {
  /** 1-based, default 1 */
  page?: number;
  /** 1–100 (the transports validate), default 25 */
  pageSize?: number;
}

export interface ListAccountsQuery extends Page {
  /** part of the name, slug or code (case-insensitive, on both databases) */
  search?: string | null;
  /** created, name, slug or updated; default created */
  sortBy?: string | null;
  sortOrder?: "asc" | "desc" | null;
}

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

const SORTS: ReadonlyMap<string, string> = new Map([
  ["created", "created"],
  ["created_at", "created"],
  ["updated", "updated"],
  ["updated_at", "updated"],
  ["name", "name"],
  ["slug", "slug"],
]);

function paging(q: Page): { page: number; pageSize: number; skip: number } {
  const page = Math.max(1, Math.trunc(q.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.trunc(q.pageSize ?? 25)));
  return { page, pageSize, skip: (page - 1) * pageSize };
}

/**
 * A page of accounts, newest first unless `sortBy`/`sortOrder` say otherwise.
 * Throws 401/403 (accountScope), BadRequestError (400) for an unknown sort field.
 */
export async function listAccounts(ctx: Context, query: ListAccountsQuery): Promise<PageOf<AccountView>> {
  const scope = accountScope(ctx);
  const column = SORTS.get(query.sortBy ?? "created");
  if (!column) throw new BadRequestError(`Unknown sort field '${query.sortBy}' (allowed: ${[...SORTS.keys()].join(", ")})`, { sortBy: `unknown field '${query.sortBy}'` });
  const { page, pageSize, skip } = paging(query);
  const search = query.search?.trim();
  // SQLite's LIKE ignores (ASCII) case by itself; PostgreSQL needs ILIKE for the same results
  const name = ctx.services.db.dialect === "postgres" ? { contains: search, mode: "insensitive" as const } : { contains: search };
  const where = {
    ...(scope.all ? {} : { id: scope.accountId }),
    ...(search ? { OR: [{ name }, { slug: { contains: search.toLowerCase() } }, { code: { contains: search.toUpperCase() } }] } : {}),
  };
  const order = query.sortOrder === "asc" ? "asc" : "desc";
  const { prisma } = ctx.services;
  const [total, rows] = await Promise.all([prisma.account.count({ where }), prisma.account.findMany({ where, orderBy: [{ [column]: order }, { id: order }], skip, take: pageSize })]);
  const counts = await usersCounts(
    ctx,
    rows.map((r) => r.id),
  );
  return { items: rows.map((r) => toAccountView(r, counts.get(r.id) ?? 0)), total, page, pageSize, totalPages: Math.ceil(total / pageSize) };
}

/** One account by id, code or slug. Throws 401/403, NotFoundError (404, also outside the caller's scope). */
export async function getAccount(ctx: Context, idOrSlug: string): Promise<AccountView> {
  const { row } = await findManagedAccount(ctx, idOrSlug);
  return toAccountView(row, (await usersCounts(ctx, [row.id])).get(row.id) ?? 0);
}

/** A page of the account's users, oldest first. Throws 401/403, NotFoundError (404). */
export async function listAccountUsers(ctx: Context, idOrSlug: string, query: Page): Promise<PageOf<UserView>> {
  const { row } = await findManagedAccount(ctx, idOrSlug);
  const { page, pageSize, skip } = paging(query);
  const { prisma } = ctx.services;
  const where = { accountId: row.id };
  const [total, users, names] = await Promise.all([
    prisma.user.count({ where }),
    prisma.user.findMany({ where, include: USER_INCLUDE, orderBy: [{ created: "asc" }, { id: "asc" }], skip, take: pageSize }),
    roleNames(ctx),
  ]);
  return { items: users.map((u) => toUserView(u, names)), total, page, pageSize, totalPages: Math.ceil(total / pageSize) };
}
