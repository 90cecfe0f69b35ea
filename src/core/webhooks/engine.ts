/**
 * The webhook engine on each instance: a dispatcher consumer that turns committed record events
 * into queued deliveries, and a sender that works the queue (queue.ts).
 *
 * Promises:
 * - At least once, after commit: the `webhooks` consumer reads the outbox (only committed events)
 *   and queues one delivery per matching webhook in one transaction before its position moves;
 *   a batch handed over again (crash, lost lease) queues nothing twice. Queued deliveries are in
 *   the database, so a restart or `kill -9` loses none: an attempt cut short is made again once
 *   its lease runs out (time limit + 5 s).
 * - Never in the request path: requests only write the outbox; matching and sending run here.
 * - In order per record, per webhook (queue.ts); different records go out in parallel.
 * - A slow or dead receiver holds back only its own webhook: at most PER_WEBHOOK attempts of a
 *   webhook run at once on an instance, out of MAX_IN_FLIGHT in all, each bounded by the time
 *   limit (`CAIRN_WEBHOOK_TIMEOUT_MS`).
 * - Retries: an attempt without an answer, or answered 5xx, 408 or 429, is retried up to the
 *   webhook's `retryCount` times, waiting `CAIRN_WEBHOOK_BACKOFF_MS` × 4^(n-1) (at most 1 h) with
 *   ±20% jitter before retry n; any other answer (< 500) means delivered. Redirects are answers.
 * - Finished deliveries are kept for `webhook_log_retention_hours` (setting, default 168).
 */
import { setMaxListeners } from "node:events";
import { v7 as uuidv7 } from "uuid";
import type { Services } from "../context.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { StoredEvent } from "../events/outbox.ts";
import { deliveryBody, prepareWebhooks } from "./match.ts";
import { candidates, claim, enqueue, pruneFinished, recordOutcome, releaseLeases, type NewDelivery, type QueuedDelivery } from "./queue.ts";
import { sendAttempt } from "./sender.ts";
import { signatureHeaders } from "./sign.ts";
import type { Resolver } from "./target.ts";
import { rowToWebhook, type Webhook } from "./types.ts";

/** Name of the dispatcher consumer. */
export const WEBHOOKS_CONSUMER = "webhooks";
/** Attempts in flight per instance, and per webhook on an instance. */
const MAX_IN_FLIGHT = 64;
const PER_WEBHOOK = 16;
/** Longest wait between retries. */
const MAX_BACKOFF_MS = 3_600_000;
const LEASE_MARGIN_MS = 5000;
const DEFAULT_LOG_RETENTION_HOURS = 168;
/** How often an instance without active webhooks looks for new ones (ms). */
const HOOKS_RECHECK_MS = 30_000;

/** Published on the `events` channel when deliveries were queued (other instances read the queue). */
interface QueueMessage {
  webhookQueue: string;
}

export interface WebhookEngineOptions {
  /** how often the queue is looked at without a local wake-up (ms) */
  pollMs?: number;
  /** host name resolver (the system's by default) */
  resolve?: Resolver;
}

export interface WebhookEngine {
  /** Looks at the queue now. */
  wake(): void;
  /** attempts running on this instance */
  readonly inFlight: number;
  /** Stops sending: aborts running attempts (not counted) and releases their leases. */
  close(): Promise<void>;
}

type EngineServices = Pick<Services, "db" | "collections" | "pubsub" | "settings" | "config" | "log" | "now">;

/** The wait before retry `n` (1-based): base × 4^(n-1), at most 1 h, ±20% jitter. */
export function backoffMs(base: number, n: number): number {
  const plain = Math.min(MAX_BACKOFF_MS, base * 4 ** Math.max(0, n - 1));
  return Math.round(plain * (0.8 + Math.random() * 0.4));
}

/** Registers the `webhooks` consumer and starts the sender. */
export function startWebhooks(services: EngineServices, dispatcher: EventDispatcher, options: WebhookEngineOptions = {}): WebhookEngine {
  const { db, log, config } = services;
  const owner = services.pubsub.instanceId;
  const closing = new AbortController();
  const running = new Map<string, Promise<void>>();
  const perHook = new Map<string, number>();
  const badFilters = new Set<string>();
  let round: Promise<void> | undefined;
  let again = false;
  let soon: NodeJS.Timeout | undefined;
  /** the queue may hold due rows this instance has not looked at (set by new rows, timers, a partial claim) */
  let dirty = true;
  /** webhook rows read in the last second (a change applies to attempts within a second) */
  let hookCache: { at: number; byId: Map<string, Webhook> } = { at: 0, byId: new Map() };
  setMaxListeners(0, closing.signal); // one listener per attempt in flight

  dispatcher.register(WEBHOOKS_CONSUMER, async (batch) => {
    if (await queueBatch(batch)) {
      // the other instances send from the queue too: tell them at once
      services.pubsub.publish("events", { webhookQueue: owner } satisfies QueueMessage);
      dirty = true;
      wake();
    }
  });

  /** Queues the deliveries a batch of events makes; true when it queued any. */
  async function queueBatch(batch: readonly StoredEvent[]): Promise<boolean> {
    if (!batch.some((e) => e.type.startsWith("record."))) return false;
    const hooks = (await db.query(db.qb.selectFrom("_webhooks").selectAll().where("active", "=", true))).map(rowToWebhook);
    hookCache = { at: Date.now(), byId: new Map(hooks.map((h) => [h.id, h])) };
    if (hooks.length === 0) return false;
    const prepared = prepareWebhooks(hooks, services.collections, (hook, err) => {
      const key = `${hook.id}@${hook.updated}`;
      if (!badFilters.has(key)) log.warn({ err, webhook: hook.id }, "webhooks: the filter no longer applies to its collection; the webhook receives nothing until it is fixed");
      badFilters.add(key);
    });
    const now = services.now().toISOString();
    const rows: NewDelivery[] = [];
    const triggered = new Set<string>();
    for (const e of batch) {
      for (const p of prepared) {
        if (!p.matches(e)) continue;
        const id = uuidv7();
        const event = p.actionFor(e);
        const body = deliveryBody(p.hook.format, e, event);
        rows.push({
          id,
          webhook_id: p.hook.id,
          seq: e.seq,
          redelivery: 0,
          event,
          collection: e.collection,
          record_id: e.recordId,
          order_key: `${e.collection}/${e.recordId}`,
          message_id: `msg_${id}`,
          body,
          status: "pending",
          attempts: 0,
          next_attempt_at: now,
          created: now,
          updated: now,
        });
        triggered.add(p.hook.id);
      }
    }
    if (rows.length === 0) return false;
    await db.transaction(async (tx) => {
      await enqueue(tx, rows);
      await tx.execute(
        tx.qb
          .updateTable("_webhooks")
          .set({ last_triggered_at: now })
          .where("id", "in", [...triggered]),
      );
    });
    return true;
  }

  function wake(): void {
    if (closing.signal.aborted) return;
    if (round) {
      again = true;
      return;
    }
    round = fill()
      .catch((err: unknown) => log.error({ err }, "webhooks: could not read the delivery queue; retrying"))
      .finally(() => {
        round = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  /** A wake-up a moment from now, shared by the attempts that end meanwhile. */
  function wakeSoon(): void {
    soon ??= setTimeout(() => {
      soon = undefined;
      wake();
    }, 2);
  }

  /** Claims as many due deliveries as there are free slots and starts sending them. */
  async function fill(): Promise<void> {
    const free = MAX_IN_FLIGHT - running.size;
    if (free <= 0 || closing.signal.aborted || !dirty) return;
    dirty = false;
    const now = services.now();
    const due = await candidates(db, now.toISOString(), PER_WEBHOOK, free + PER_WEBHOOK * 4);
    const picked: string[] = [];
    const count = new Map(perHook);
    for (const c of due) {
      if (picked.length >= free) break;
      const n = count.get(c.webhookId) ?? 0;
      if (n >= PER_WEBHOOK || running.has(c.id)) continue;
      count.set(c.webhookId, n + 1);
      picked.push(c.id);
    }
    if (picked.length === 0) return;
    const until = new Date(now.getTime() + config.webhookTimeoutMs + LEASE_MARGIN_MS).toISOString();
    const claimed = await claim(db, picked, owner, now.toISOString(), until);
    if (claimed.length === 0) return;
    const ids = [...new Set(claimed.map((d) => d.webhookId))];
    if (Date.now() - hookCache.at > 1000 || ids.some((id) => !hookCache.byId.has(id))) {
      const rows = await db.query(db.qb.selectFrom("_webhooks").selectAll().where("id", "in", ids));
      hookCache = { at: Date.now(), byId: new Map(rows.map((r) => [String(r.id), rowToWebhook(r)])) };
    }
    const hooks = hookCache.byId;
    const orphans: string[] = [];
    for (const d of claimed) {
      const hook = hooks.get(d.webhookId);
      if (!hook || !hook.active) {
        orphans.push(d.id);
        continue;
      }
      perHook.set(hook.id, (perHook.get(hook.id) ?? 0) + 1);
      const p = attempt(d, hook).finally(() => {
        running.delete(d.id);
        const left = (perHook.get(hook.id) ?? 1) - 1;
        if (left > 0) perHook.set(hook.id, left);
        else perHook.delete(hook.id);
        // refill in steps (half the slots free), not after every attempt: each round reads the queue
        if (dirty && (left <= PER_WEBHOOK / 2 || running.size <= MAX_IN_FLIGHT / 2)) wakeSoon();
      });
      running.set(d.id, p);
    }
    await releaseLeases(db, owner, orphans);
    // rows left behind (no free slot, or taken by another instance meanwhile): look again
    if (due.length > claimed.length) dirty = true;
    if (picked.length >= free) again = true;
  }

  /** One attempt of one delivery, and its outcome in the log. */
  async function attempt(d: QueuedDelivery, hook: Webhook): Promise<void> {
    const at = services.now();
    const headers = { ...signatureHeaders(hook.secret, d.messageId, d.body, at), "x-webhook-event": d.event, "x-webhook-delivery": d.id };
    const r = await sendAttempt({
      url: hook.url,
      headers,
      body: d.body,
      timeoutMs: config.webhookTimeoutMs,
      allowPrivate: config.webhookAllowPrivate,
      resolve: options.resolve,
      signal: closing.signal,
    });
    if (closing.signal.aborted) return; // shutdown: not counted, the lease is released by close()
    const attempts = d.attempts + 1;
    const ok = r.status !== null && r.status < 500 && r.status !== 408 && r.status !== 429;
    const status = ok ? "delivered" : attempts > hook.retryCount ? "failed" : "pending";
    const retryIn = status === "pending" ? backoffMs(config.webhookBackoffMs, attempts) : 0;
    const done = services.now();
    const error = r.error ?? (ok ? null : `HTTP ${r.status}`);
    try {
      await recordOutcome(db, d.id, owner, {
        status,
        attempts,
        responseStatus: r.status,
        responseBody: r.body,
        durationMs: r.durationMs,
        error,
        nextAttemptAt: status === "pending" ? new Date(done.getTime() + retryIn).toISOString() : null,
        updated: done.toISOString(),
      });
    } catch (err) {
      // the lease runs out and the delivery is attempted again: at least once
      log.error({ err, delivery: d.id }, "webhooks: could not record a delivery attempt");
      return;
    }
    if (!ok) log.debug({ delivery: d.id, webhook: hook.id, attempts, error }, "webhooks: delivery attempt failed");
    if (status === "pending") setTimeout(poke, retryIn + 5).unref();
  }

  async function prune(): Promise<void> {
    const v = services.settings.get<unknown>("webhook_log_retention_hours", undefined);
    const hours = typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : DEFAULT_LOG_RETENTION_HOURS;
    const cutoff = new Date(services.now().getTime() - hours * 3_600_000).toISOString();
    while (!closing.signal.aborted && (await pruneFinished(db, cutoff, 500)) === 500) await new Promise((r) => setImmediate(r));
  }

  /** Marks the queue as worth reading and reads it. */
  function poke(): void {
    dirty = true;
    wake();
  }

  /**
   * The poll: due retries and rows other instances queued. An installation without active
   * webhooks has nothing to send: it only re-reads the webhook list every few seconds.
   */
  async function pollTick(): Promise<void> {
    if (Date.now() - hookCache.at > HOOKS_RECHECK_MS) {
      const rows = await db.query(db.qb.selectFrom("_webhooks").selectAll().where("active", "=", true));
      hookCache = { at: Date.now(), byId: new Map(rows.map((r) => [String(r.id), rowToWebhook(r)])) };
    }
    if (hookCache.byId.size > 0) poke();
  }

  const unsubscribe = services.pubsub.subscribe("events", (m, d) => {
    if (d.local || typeof (m as Partial<QueueMessage> | null)?.webhookQueue !== "string") return;
    hookCache = { at: 0, byId: hookCache.byId };
    poke();
  });
  const poll = setInterval(() => void pollTick().catch((err: unknown) => log.error({ err }, "webhooks: could not read the webhooks; retrying")), options.pollMs ?? 500);
  poll.unref();
  const pruning = setInterval(() => void prune().catch((err: unknown) => log.warn({ err }, "webhooks: pruning the delivery log failed")), 600_000);
  pruning.unref();
  wake();

  return {
    wake: poke,
    get inFlight() {
      return running.size;
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort(new Error("server shutting down"));
      clearInterval(poll);
      unsubscribe();
      clearInterval(pruning);
      clearTimeout(soon);
      await round;
      await Promise.allSettled(running.values());
      await releaseLeases(db, owner).catch((err: unknown) => log.warn({ err }, "webhooks: could not release the delivery leases"));
    },
  };
}
