/**
 * `updateAccount`: renames an account (superadmins any, account admins their own). The slug
 * is what clients sign in with, so only superadmins may change it (409 when taken).
 */
import type { Context } from "../context.ts";
import { ConflictError, ForbiddenError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { getAccount } from "./list-accounts.ts";
import { accountName } from "./create-account.ts";
import { slugFor, SLUG_TAKEN } from "./slug.ts";
import { findManagedAccount, type AccountView } from "./view.ts";

export interface UpdateAccountInput {
  name?: string | null;
  slug?: string | null;
}

/**
 * Applies the given fields. Throws 401/403 (accountScope; 403 also when an account admin
 * changes the slug), NotFoundError (404), ValidationError (422 `name`, `slug`), ConflictError
 * (409 `An account with this slug already exists`).
 */
export async function updateAccount(ctx: Context, idOrSlug: string, input: UpdateAccountInput): Promise<AccountView> {
  const { row, scope } = await findManagedAccount(ctx, idOrSlug);
  const data: { name?: string; slug?: string } = {};
  if (input.name != null) data.name = accountName(input.name);
  if (input.slug != null) {
    if (!scope.all) throw new ForbiddenError("Only superadmins can change an account's slug");
    data.slug = slugFor(data.name ?? row.name, input.slug, "slug");
  }
  const { prisma } = ctx.services;
  if (data.slug && data.slug !== row.slug && (await prisma.account.findUnique({ where: { slug: data.slug }, select: { id: true } }))) {
    throw new ConflictError(SLUG_TAKEN, { slug: "already taken" });
  }
  if (Object.keys(data).length) {
    try {
      await prisma.account.update({ where: { id: row.id }, data });
    } catch (e) {
      if ((e as { code?: unknown }).code === "P2002") throw new ConflictError(SLUG_TAKEN, { slug: "already taken" });
      throw e;
    }
    void audit(ctx, { eventType: "admin", eventAction: "update", resourceType: "account", resourceId: row.id, details: { fields: Object.keys(data) } });
  }
  return getAccount(ctx, row.id);
}
