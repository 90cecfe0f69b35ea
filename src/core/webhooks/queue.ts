/**
 * The delivery queue in `_webhook_deliveries` (all its SQL). A row is one event for one webhook;
 * it stays `pending` until an attempt succeeds (`delivered`) or the retries run out (`failed`).
 *
 * - Enqueueing is idempotent: (webhook, event, redelivery) is unique, so a batch the dispatcher
 *   hands over again after a crash adds nothing.
 * - Order per record: a delivery is a candidate only while no earlier pending delivery of the same
 *   webhook and record exists, so one record's deliveries go out one at a time, in event order
 *   (a retrying one holds back the later ones of its record, not those of other records).
 * - Claims are leases: an instance sets `lease_owner`/`lease_until` on the rows it sends, in one
 *   conditional UPDATE, so two instances never send the same row at once; the lease outlives the
 *   attempt's time limit, and a dead instance's rows become candidates again once it runs out.
 */
import { sql } from "kysely";
import type { Row, SqlDb } from "../../db/sql-db.ts";

/** A queued delivery as the sender needs it. */
export interface QueuedDelivery {
  id: string;
  webhookId: string;
  event: string;
  messageId: string;
  body: string;
  attempts: number;
}

export interface NewDelivery {
  id: string;
  webhook_id: string;
  seq: number;
  redelivery: number;
  event: string;
  collection: string;
  record_id: string | null;
  order_key: string;
  message_id: string;
  body: string;
  status: "pending";
  attempts: number;
  next_attempt_at: string;
  created: string;
  updated: string;
}

/** Rows per INSERT (13 parameters each). */
const INSERT_CHUNK = 500;

/** Adds deliveries (inside the caller's transaction); rows already queued are skipped. */
export async function enqueue(tx: SqlDb, rows: readonly NewDelivery[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await tx.execute(
      tx.qb
        .insertInto("_webhook_deliveries")
        .values(chunk as unknown as Record<string, unknown>[])
        .onConflict((oc) => oc.columns(["webhook_id", "seq", "redelivery"]).doNothing()),
    );
  }
}

/**
 * Due deliveries that may go out now: pending, due, not leased, of an active webhook, and the
 * first pending one of their record; at most `perWebhook` per webhook and `limit` in all, oldest
 * event first.
 */
export async function candidates(db: SqlDb, now: string, perWebhook: number, limit: number): Promise<{ id: string; webhookId: string }[]> {
  const q = sql<Row>`SELECT id, webhook_id FROM (
      SELECT d.id, d.webhook_id, d.seq, d.redelivery, ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY d.seq, d.redelivery) AS rn
      FROM _webhook_deliveries d JOIN _webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ${now} AND w.active = ${true}
        AND (d.lease_until IS NULL OR d.lease_until < ${now})
        AND NOT EXISTS (
          SELECT 1 FROM _webhook_deliveries e
          WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.status = 'pending'
            AND (e.seq < d.seq OR (e.seq = d.seq AND e.redelivery < d.redelivery)))
    ) x WHERE rn <= ${perWebhook} ORDER BY seq, redelivery LIMIT ${limit}`;
  const rows = await db.query<Row>(q.compile(db.qb));
  return rows.map((r) => ({ id: String(r.id), webhookId: String(r.webhook_id) }));
}

/** Leases the given rows to `owner` until `until`; returns the ones it got (others were taken meanwhile). */
export async function claim(db: SqlDb, ids: readonly string[], owner: string, now: string, until: string): Promise<QueuedDelivery[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.execute<Row>(
    db.qb
      .updateTable("_webhook_deliveries")
      .set({ lease_owner: owner, lease_until: until })
      .where("id", "in", ids)
      .where("status", "=", "pending")
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .returning(["id", "webhook_id", "event", "message_id", "body", "attempts"]),
  );
  return rows.map((r) => ({ id: String(r.id), webhookId: String(r.webhook_id), event: String(r.event), messageId: String(r.message_id), body: String(r.body), attempts: Number(r.attempts) }));
}

export interface Outcome {
  status: "pending" | "delivered" | "failed";
  attempts: number;
  responseStatus: number | null;
  responseBody: string | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: string | null;
  updated: string;
}

/** Records an attempt and ends the lease (only while `owner` still holds it). */
export async function recordOutcome(db: SqlDb, id: string, owner: string, o: Outcome): Promise<void> {
  await db.execute(
    db.qb
      .updateTable("_webhook_deliveries")
      .set({
        status: o.status,
        attempts: o.attempts,
        response_status: o.responseStatus,
        response_body: o.responseBody,
        duration_ms: o.durationMs,
        error: o.error,
        next_attempt_at: o.nextAttemptAt,
        lease_owner: null,
        lease_until: null,
        updated: o.updated,
      })
      .where("id", "=", id)
      .where("lease_owner", "=", owner),
  );
}

/** Ends leases without counting an attempt: the given rows, or all of `owner`'s (shutdown). */
export async function releaseLeases(db: SqlDb, owner: string, ids?: readonly string[]): Promise<void> {
  let q = db.qb.updateTable("_webhook_deliveries").set({ lease_owner: null, lease_until: null }).where("lease_owner", "=", owner);
  if (ids) {
    if (ids.length === 0) return;
    q = q.where("id", "in", ids);
  }
  await db.execute(q);
}

/** Deletes finished deliveries last changed before `cutoff`, at most `limit`; returns how many. */
export async function pruneFinished(db: SqlDb, cutoff: string, limit: number): Promise<number> {
  const batch = db.qb.selectFrom("_webhook_deliveries").select("id").where("status", "!=", "pending").where("updated", "<", cutoff).limit(limit);
  const { changes } = await db.execute(db.qb.deleteFrom("_webhook_deliveries").where("id", "in", batch));
  return changes;
}
