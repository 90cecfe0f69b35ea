/**
 * Updating and deleting a webhook of the caller's account. Superadmins only (see read.ts).
 */
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { webhookValues } from "./input.ts";
import { getWebhook } from "./read.ts";
import type { Webhook, WebhookInput } from "./types.ts";

/**
 * Changes the given keys of a webhook (absent keys keep their value). Deliveries already queued
 * keep their body; retries use the new URL, secret and retry count.
 * @throws 401/403 unless superadmin; NotFoundError (404); ValidationError (422) as on create.
 */
export async function updateWebhook(ctx: Context, id: string, input: WebhookInput): Promise<Webhook> {
  requireSuperadmin(ctx);
  const current = await getWebhook(ctx, id);
  const v = await webhookValues(ctx, input, current);
  const updated = ctx.services.now().toISOString();
  const { db } = ctx.services;
  const set = {
    name: v.name,
    url: v.url,
    collections: JSON.stringify(v.collections),
    events: JSON.stringify(v.events),
    filter: v.filter,
    secret: v.secret,
    retry_count: v.retryCount,
    active: v.active,
    format: v.format,
    updated,
  };
  const { changes } = await db.execute(db.qb.updateTable("_webhooks").set(set).where("id", "=", current.id).where("account_id", "=", ctx.principal.accountId));
  if (changes === 0) throw new NotFoundError(`Webhook '${id.slice(0, 100)}' not found`);
  void audit(ctx, {
    eventType: "admin",
    eventAction: "update",
    resourceType: "webhook",
    resourceId: current.id,
    description: "Webhook updated",
    details: { keys: Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined) },
  });
  return { ...current, ...v, updated };
}

/**
 * Deletes a webhook and its delivery log; pending deliveries are dropped (one being sent at
 * this moment may still arrive).
 * @throws 401/403 unless superadmin; NotFoundError (404) for an unknown id.
 */
export async function deleteWebhook(ctx: Context, id: string): Promise<void> {
  requireSuperadmin(ctx);
  const { db } = ctx.services;
  const { changes } = await db.transaction(async (tx) => {
    // the log first, in the same transaction: no reliance on the driver's foreign-key setting
    await tx.execute(
      tx.qb.deleteFrom("_webhook_deliveries").where("webhook_id", "in", tx.qb.selectFrom("_webhooks").select("id").where("id", "=", id).where("account_id", "=", ctx.principal.accountId)),
    );
    return tx.execute(tx.qb.deleteFrom("_webhooks").where("id", "=", id).where("account_id", "=", ctx.principal.accountId));
  });
  if (changes === 0) throw new NotFoundError(`Webhook '${id.slice(0, 100)}' not found`);
  void audit(ctx, { eventType: "admin", eventAction: "delete", resourceType: "webhook", resourceId: id, description: "Webhook deleted" });
}
