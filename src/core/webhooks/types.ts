/**
 * The webhook domain shapes (dialect-neutral, camelCase) and the mapping from their table rows.
 * A dialect (FastCMS `/api/v1/webhooks`, later R3 `/api/webhooks`) parses its own body into
 * {@link WebhookInput} and renders {@link Webhook} / {@link WebhookDelivery} in its own names.
 */
import type { Row } from "../../db/sql-db.ts";

/**
 * Record actions a webhook can subscribe to; `*` stands for all of them. `publish` / `unpublish`
 * are updates of a draft-enabled collection's document that change its status (core/content):
 * such an update is both `update` and `publish` (or `unpublish`).
 */
export const WEBHOOK_ACTIONS = ["create", "update", "delete", "publish", "unpublish"] as const;
export type WebhookAction = (typeof WEBHOOK_ACTIONS)[number];

/** Body formats of the deliveries (one per dialect that documents webhooks). */
export const WEBHOOK_FORMATS = ["fastcms", "r3"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Largest `retryCount` (attempts = retries + 1). */
export const MAX_RETRY_COUNT = 10;
export const DEFAULT_RETRY_COUNT = 3;

export interface Webhook {
  id: string;
  accountId: string;
  name: string | null;
  url: string;
  /** collection names; empty: every collection */
  collections: string[];
  /** actions, or `["*"]` */
  events: string[];
  /** FastCMS filter expression on the record, or null */
  filter: string | null;
  /** signs deliveries (see sign.ts) */
  secret: string;
  retryCount: number;
  active: boolean;
  format: WebhookFormat;
  lastTriggeredAt: string | null;
  created: string;
  updated: string;
}

/** Create input (update: every key optional, `undefined` keeps the stored value). */
export interface WebhookInput {
  name?: string | null;
  url?: unknown;
  collections?: unknown;
  events?: unknown;
  filter?: unknown;
  /** null or absent on create: one is generated (`whsec_…`) */
  secret?: unknown;
  retryCount?: unknown;
  active?: unknown;
  format?: WebhookFormat;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  /** the outbox event number */
  seq: number;
  /** 0: made by the event; n: the n-th manual redelivery */
  redelivery: number;
  event: string;
  collection: string;
  recordId: string | null;
  messageId: string;
  status: DeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt, null when it got no answer */
  responseStatus: number | null;
  /** start of the last answer's body (at most 1 KiB) */
  responseBody: string | null;
  durationMs: number | null;
  error: string | null;
  /** when the next attempt is due (pending only) */
  nextAttemptAt: string | null;
  created: string;
  updated: string;
}

function jsonList(v: unknown): string[] {
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t";
const intOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v == null ? null : String(v));

/** A `_webhooks` row → Webhook. */
export function rowToWebhook(r: Row): Webhook {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    name: strOrNull(r.name),
    url: String(r.url),
    collections: jsonList(r.collections),
    events: jsonList(r.events),
    filter: strOrNull(r.filter),
    secret: String(r.secret),
    retryCount: Number(r.retry_count),
    active: bool(r.active),
    format: String(r.format) as WebhookFormat,
    lastTriggeredAt: strOrNull(r.last_triggered_at),
    created: String(r.created),
    updated: String(r.updated),
  };
}

/** A `_webhook_deliveries` row → WebhookDelivery. */
export function rowToDelivery(r: Row): WebhookDelivery {
  return {
    id: String(r.id),
    webhookId: String(r.webhook_id),
    seq: Number(r.seq),
    redelivery: Number(r.redelivery),
    event: String(r.event),
    collection: String(r.collection),
    recordId: strOrNull(r.record_id),
    messageId: String(r.message_id),
    status: String(r.status) as DeliveryStatus,
    attempts: Number(r.attempts),
    responseStatus: intOrNull(r.response_status),
    responseBody: strOrNull(r.response_body),
    durationMs: intOrNull(r.duration_ms),
    error: strOrNull(r.error),
    nextAttemptAt: strOrNull(r.next_attempt_at),
    created: String(r.created),
    updated: String(r.updated),
  };
}

/** The delivery columns the log shows (everything but the body and the lease). */
export const DELIVERY_COLUMNS = [
  "id",
  "webhook_id",
  "seq",
  "redelivery",
  "event",
  "collection",
  "record_id",
  "message_id",
  "status",
  "attempts",
  "response_status",
  "response_body",
  "duration_ms",
  "error",
  "next_attempt_at",
  "created",
  "updated",
] as const;
