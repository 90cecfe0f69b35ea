/**
 * Creating a webhook in the caller's account. Superadmins only (see read.ts).
 */
import { v7 as uuidv7 } from "uuid";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { webhookValues } from "./input.ts";
import { rowToWebhook, type Webhook, type WebhookInput } from "./types.ts";

/**
 * Validates and stores a webhook; it receives the events committed from now on. `opts.id` keeps
 * a given id (schema snapshots find the webhook by it when applied again).
 * @throws 401/403 unless superadmin; ValidationError (422) naming every bad field (input.ts).
 */
export async function createWebhook(ctx: Context, input: WebhookInput, opts: { id?: string } = {}): Promise<Webhook> {
  requireSuperadmin(ctx);
  const v = await webhookValues(ctx, input);
  const now = ctx.services.now().toISOString();
  const row = {
    id: opts.id ?? uuidv7(),
    account_id: ctx.principal.accountId,
    name: v.name,
    url: v.url,
    collections: JSON.stringify(v.collections),
    events: JSON.stringify(v.events),
    filter: v.filter,
    secret: v.secret,
    retry_count: v.retryCount,
    active: v.active,
    format: v.format,
    last_triggered_at: null,
    created: now,
    updated: now,
  };
  const { db } = ctx.services;
  await db.execute(db.qb.insertInto("_webhooks").values(row));
  const hook = rowToWebhook(row);
  void audit(ctx, {
    eventType: "admin",
    eventAction: "create",
    resourceType: "webhook",
    resourceId: hook.id,
    description: `Webhook to ${new URL(hook.url).host} created`,
    details: { collections: hook.collections, events: hook.events },
  });
  return hook;
}
