/**
 * A webhook's delivery log (newest first) and manual redelivery. Superadmins only (see read.ts).
 */
import { v7 as uuidv7 } from "uuid";
import { audit } from "../audit/audit.ts";
import type { Context } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { getWebhook } from "./read.ts";
import { DELIVERY_COLUMNS, DELIVERY_STATUSES, rowToDelivery, type DeliveryStatus, type WebhookDelivery } from "./types.ts";

/** Largest page of the delivery log. */
export const MAX_DELIVERY_PAGE = 100;

export interface DeliveryListQuery {
  status?: string;
  offset?: number;
  limit?: number;
}

/**
 * The webhook's deliveries, newest first, with the total.
 * @throws 401/403 unless superadmin; NotFoundError (404) for an unknown webhook; ValidationError
 *   for an unknown status, offset < 0 or limit outside 1-100.
 */
export async function listDeliveries(ctx: Context, webhookId: string, q: DeliveryListQuery = {}): Promise<{ items: WebhookDelivery[]; total: number }> {
  const hook = await getWebhook(ctx, webhookId);
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  const problems: Record<string, string> = {};
  if (!Number.isInteger(offset) || offset < 0) problems.offset = "must be an integer of at least 0";
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DELIVERY_PAGE) problems.limit = `must be an integer from 1 to ${MAX_DELIVERY_PAGE}`;
  if (q.status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(q.status)) problems.status = `must be one of ${DELIVERY_STATUSES.join(", ")}`;
  if (Object.keys(problems).length)
    throw new ValidationError(
      `Invalid delivery query: ${Object.entries(problems)
        .map(([k, v]) => `${k} ${v}`)
        .join("; ")}`,
      problems,
    );
  const { db } = ctx.services;
  let base = db.qb.selectFrom("_webhook_deliveries").where("webhook_id", "=", hook.id);
  if (q.status !== undefined) base = base.where("status", "=", q.status as DeliveryStatus);
  const [rows, [count]] = await Promise.all([
    db.query(
      base
        .select([...DELIVERY_COLUMNS])
        .orderBy("created", "desc")
        .orderBy("id", "desc")
        .offset(offset)
        .limit(limit),
    ),
    db.query<{ n: unknown }>(base.select((eb) => eb.fn.countAll().as("n"))),
  ]);
  return { items: rows.map(rowToDelivery), total: Number(count?.n ?? 0) };
}

/**
 * Queues the delivery again as a new delivery (same event, body and Standard Webhooks message id;
 * fresh attempts), due now. Works on delivered and failed deliveries as well as pending ones.
 * @throws 401/403 unless superadmin; NotFoundError (404) for an unknown webhook or a delivery
 *   that is not the webhook's.
 */
export async function redeliver(ctx: Context, webhookId: string, deliveryId: string): Promise<WebhookDelivery> {
  const hook = await getWebhook(ctx, webhookId);
  const { db } = ctx.services;
  const now = ctx.services.now().toISOString();
  const id = uuidv7();
  for (let tries = 0; ; tries++) {
    try {
      const row = await db.transaction(async (tx) => {
        const [src] = await tx.query(tx.qb.selectFrom("_webhook_deliveries").selectAll().where("id", "=", deliveryId).where("webhook_id", "=", hook.id));
        if (!src) throw new NotFoundError(`Delivery '${deliveryId.slice(0, 100)}' of webhook '${hook.id}' not found`);
        const [max] = await tx.query<{ n: unknown }>(
          tx.qb
            .selectFrom("_webhook_deliveries")
            .select((eb) => eb.fn.max("redelivery").as("n"))
            .where("webhook_id", "=", hook.id)
            .where("seq", "=", src.seq as number),
        );
        const copy = {
          id,
          webhook_id: hook.id,
          seq: Number(src.seq),
          redelivery: Number(max?.n ?? 0) + 1,
          event: src.event,
          collection: src.collection,
          record_id: src.record_id,
          order_key: src.order_key,
          message_id: src.message_id,
          body: src.body,
          status: "pending",
          attempts: 0,
          next_attempt_at: now,
          created: now,
          updated: now,
        };
        await tx.execute(tx.qb.insertInto("_webhook_deliveries").values(copy));
        return copy;
      });
      void audit(ctx, {
        eventType: "admin",
        eventAction: "redeliver",
        resourceType: "webhook",
        resourceId: hook.id,
        description: `Delivery ${deliveryId} queued again`,
        details: { delivery: deliveryId, redelivery: id },
      });
      return rowToDelivery(row);
    } catch (e) {
      // two redeliveries of one event at once: the loser takes the next number
      if (tries < 3 && isUniqueViolation(e)) continue;
      throw e;
    }
  }
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
