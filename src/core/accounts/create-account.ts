/**
 * `createAccount` (superadmin): a new, empty tenant account. Its users come later, through
 * `POST /users`, invitations or single sign-on.
 */
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import { insertAccount } from "./insert-account.ts";
import { slugFor } from "./slug.ts";
import { toAccountView, type AccountView } from "./view.ts";

export interface CreateAccountInput {
  /** 1–255 characters */
  name: string;
  /** 3–32 of a-z, 0-9, `-`; derived from the name when absent (accounts/slug.ts) */
  slug?: string | null;
}

export const ACCOUNT_NAME_MAX_LENGTH = 255;

/** The trimmed account name. Throws ValidationError (422, field `name`) when empty or too long. */
export function accountName(value: unknown): string {
  const name = typeof value === "string" ? value.trim() : "";
  if (!name) throw new ValidationError("Invalid name: is required", { name: "is required" });
  if (name.length > ACCOUNT_NAME_MAX_LENGTH)
    throw new ValidationError(`Invalid name: must be at most ${ACCOUNT_NAME_MAX_LENGTH} characters long`, { name: `must be at most ${ACCOUNT_NAME_MAX_LENGTH} characters long` });
  return name;
}

/**
 * Creates the account. Throws 401/403 unless a superadmin calls, ValidationError (422) for a
 * bad name or slug (`name`, `slug`), ConflictError (409 `An account with this slug already
 * exists`).
 */
export async function createAccount(ctx: Context, input: CreateAccountInput): Promise<AccountView> {
  requireSuperadmin(ctx);
  const name = accountName(input.name);
  const slug = slugFor(name, input.slug, "slug");
  const { account } = await insertAccount(ctx, { name, slug }, async () => undefined, "slug");
  void audit(ctx, { eventType: "admin", eventAction: "create", resourceType: "account", resourceId: account.id, details: { slug, name } });
  return toAccountView(account, 0);
}
