/**
 * Reading webhooks: the account's list (optionally of one collection) and one by id.
 * Superadmins only: deliveries carry whole records, whatever the collection's view rule says.
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { rowToWebhook, type Webhook } from "./types.ts";

/** Largest page of a webhook list. */
export const MAX_WEBHOOK_PAGE = 100;

export interface WebhookListQuery {
  /** only webhooks that receive this collection's events (named, or all collections) */
  collection?: string;
  offset?: number;
  limit?: number;
}

/**
 * The caller's account's webhooks, oldest first, with the total.
 * @throws 401/403 unless superadmin; ValidationError for offset < 0 or limit outside 1-100.
 */
export async function listWebhooks(ctx: Context, q: WebhookListQuery = {}): Promise<{ items: Webhook[]; total: number }> {
  requireSuperadmin(ctx);
  const offset = q.offset ?? 0;
  const limit = q.limit ?? MAX_WEBHOOK_PAGE;
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError("offset must be an integer of at least 0", { offset: "must be an integer of at least 0" });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WEBHOOK_PAGE)
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_WEBHOOK_PAGE}`, { limit: `must be an integer from 1 to ${MAX_WEBHOOK_PAGE}` });
  const { db } = ctx.services;
  const rows = await db.query(db.qb.selectFrom("_webhooks").selectAll().where("account_id", "=", ctx.principal.accountId).orderBy("created").orderBy("id"));
  let all = rows.map(rowToWebhook);
  if (q.collection !== undefined) {
    const c = q.collection.toLowerCase();
    all = all.filter((w) => w.collections.length === 0 || w.collections.some((n) => n.toLowerCase() === c));
  }
  return { items: all.slice(offset, offset + limit), total: all.length };
}

/**
 * One webhook of the caller's account.
 * @throws 401/403 unless superadmin; NotFoundError (404) for an unknown id.
 */
export async function getWebhook(ctx: Context, id: string): Promise<Webhook> {
  requireSuperadmin(ctx);
  const { db } = ctx.services;
  const [row] = await db.query(db.qb.selectFrom("_webhooks").selectAll().where("id", "=", id).where("account_id", "=", ctx.principal.accountId));
  if (!row) throw new NotFoundError(`Webhook '${id.slice(0, 100)}' not found`);
  return rowToWebhook(row);
}
