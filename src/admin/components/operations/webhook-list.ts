// One page of webhooks with each one's latest delivery, in one GraphQL request.
import { gql } from "../../lib/api.ts";
import type { Webhook } from "./webhook-types.ts";

export interface WebhookRow extends Webhook {
  last: { status: string; status_code: number | null; created: string } | null;
}

const QUERY = `query Webhooks($offset: Int, $limit: Int, $collection: String) {
  webhooks(offset: $offset, limit: $limit, collection: $collection) {
    total
    items {
      id url collections events filter active secret retryCount lastTriggeredAt created updated
      deliveries(limit: 1) { items { status statusCode created } }
    }
  }
}`;

interface GqlWebhook {
  id: string;
  url: string;
  collections: string[];
  events: string[];
  filter: string | null;
  active: boolean;
  secret: string;
  retryCount: number;
  lastTriggeredAt: string | null;
  created: string;
  updated: string;
  deliveries: { items: { status: string; statusCode: number | null; created: string }[] };
}

export async function loadWebhooks(offset: number, limit: number, collection?: string): Promise<{ items: WebhookRow[]; total: number }> {
  const data = await gql<{ webhooks: { total: number; items: GqlWebhook[] } }>(QUERY, { offset, limit, collection: collection || null });
  return {
    total: data.webhooks.total,
    items: data.webhooks.items.map((w) => {
      const last = w.deliveries.items[0];
      return {
        id: w.id,
        url: w.url,
        collection_name: w.collections[0] ?? null,
        events: w.events,
        filter: w.filter,
        active: w.active,
        secret: w.secret,
        retry_count: w.retryCount,
        last_triggered_at: w.lastTriggeredAt,
        created: w.created,
        updated: w.updated,
        last: last ? { status: last.status, status_code: last.statusCode, created: last.created } : null,
      };
    }),
  };
}
