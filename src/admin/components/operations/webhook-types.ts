// The shapes of the webhook API (README "Webhooks", FastCMS names).
import { ApiError } from "../../lib/api.ts";

export interface Webhook {
  id: string;
  url: string;
  collection_name: string | null;
  events: string[];
  filter: string | null;
  active: boolean;
  secret: string | null;
  retry_count: number;
  last_triggered_at: string | null;
  created: string;
  updated: string;
}

export interface Delivery {
  id: string;
  webhook_id: string;
  event: string;
  collection_name: string;
  record_id: string | null;
  event_seq: number;
  redelivery: number;
  message_id: string;
  status: "pending" | "delivered" | "failed";
  attempt: number;
  status_code: number | null;
  response_body: string | null;
  duration_ms: number | null;
  error: string | null;
  next_retry_at: string | null;
  created: string;
  updated: string;
}

export const EVENTS = ["create", "update", "delete"] as const;

/** "all events" or "create, update". */
export function eventsLabel(events: string[]): string {
  return events.length === 0 || events.includes("*") ? "all events" : events.join(", ");
}

/** A 403 says who may manage webhooks, with the server's words. */
export function explain(err: unknown): unknown {
  if (err instanceof ApiError && err.status === 403) {
    return new ApiError(`Webhooks need superadmin rights (they carry whole records). The server said: ${err.message}`, 403, err.code, err.details);
  }
  return err;
}
