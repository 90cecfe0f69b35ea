/**
 * /api/v1/webhooks (compat/fastcms.md §12), superadmins only: CRUD in the FastCMS shape, the
 * delivery log and redelivery. Parse → core/webhooks → render (FastCMS names: `collection_name`,
 * `retry_count`, `last_triggered_at`).
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { renameInputs, AppError } from "../../core/errors.ts";
import { ADMIN, READ } from "../../core/policy/operation.ts";
import { createWebhook } from "../../core/webhooks/create.ts";
import { listDeliveries, redeliver } from "../../core/webhooks/deliveries.ts";
import { getWebhook, listWebhooks } from "../../core/webhooks/read.ts";
import type { Webhook, WebhookDelivery, WebhookInput } from "../../core/webhooks/types.ts";
import { deleteWebhook, updateWebhook } from "../../core/webhooks/update.ts";
import { errorResponses } from "../errors.ts";

const tags = ["webhooks"];
const NAMES = new Map([
  ["collections", "collection_name"],
  ["retryCount", "retry_count"],
]);
const nullableString = { type: ["string", "null"] } as const;
const eventsInput = {
  description: 'actions: create, update, delete — or ["*"] for all (a comma string "create,update" is accepted too)',
  anyOf: [
    { type: "array", items: { type: "string", maxLength: 20 }, maxItems: 10 },
    { type: "string", maxLength: 100 },
  ],
} as const;
const webhookProperties = {
  id: { type: "string" },
  url: { type: "string" },
  collection_name: nullableString,
  events: { type: "array", items: { type: "string" } },
  filter: nullableString,
  active: { type: "boolean" },
  secret: { type: "string" },
  retry_count: { type: "integer" },
  last_triggered_at: nullableString,
  created: { type: "string" },
  updated: { type: "string" },
} as const;
const webhookSchema = { type: "object", properties: webhookProperties } as const;
const deliverySchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    webhook_id: { type: "string" },
    event: { type: "string" },
    collection_name: { type: "string" },
    record_id: nullableString,
    event_seq: { type: "integer" },
    redelivery: { type: "integer", description: "0: sent because of the event; n: the n-th manual redelivery" },
    message_id: { type: "string", description: "the Standard Webhooks `webhook-id`" },
    status: { type: "string", enum: ["pending", "delivered", "failed"] },
    attempt: { type: "integer", description: "attempts made" },
    status_code: { type: ["integer", "null"] },
    response_body: nullableString,
    duration_ms: { type: ["integer", "null"] },
    error: nullableString,
    next_retry_at: nullableString,
    created: { type: "string" },
    updated: { type: "string" },
  },
} as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 100 } } } as const;
const inputProperties = {
  url: { type: "string", maxLength: 2048 },
  collection_name: { type: "string", maxLength: 100 },
  events: eventsInput,
  filter: { type: ["string", "null"], maxLength: 2000, description: 'FastCMS filter on the record, e.g. `status = "published"`' },
  secret: { type: ["string", "null"], maxLength: 256, description: "signs deliveries; absent or null: one is generated (whsec_…)" },
  retry_count: { type: "integer", minimum: 0, maximum: 10 },
  active: { type: "boolean" },
} as const;

/** Webhook → FastCMS webhook. */
export function renderWebhook(w: Webhook) {
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
  };
}

/** WebhookDelivery → the delivery log entry. */
export function renderDelivery(d: WebhookDelivery) {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    event: d.event,
    collection_name: d.collection,
    record_id: d.recordId,
    event_seq: d.seq,
    redelivery: d.redelivery,
    message_id: d.messageId,
    status: d.status,
    attempt: d.attempts,
    status_code: d.responseStatus,
    response_body: d.responseBody,
    duration_ms: d.durationMs,
    error: d.error,
    next_retry_at: d.nextAttemptAt,
    created: d.created,
    updated: d.updated,
  };
}

type Body = { url?: string; collection_name?: string; events?: unknown; filter?: string | null; secret?: string | null; retry_count?: number; active?: boolean };

function input(b: Body): WebhookInput {
  return {
    url: b.url,
    collections: b.collection_name === undefined ? undefined : [b.collection_name],
    events: b.events,
    filter: b.filter,
    secret: b.secret,
    retryCount: b.retry_count,
    active: b.active,
    format: "fastcms",
  };
}

/** Core errors name domain inputs; FastCMS clients sent `collection_name`, `retry_count`. */
async function fastcmsNames<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof AppError ? renameInputs(e, NAMES) : e;
  }
}

export function registerWebhookRoutes(api: FastifyInstance, _services: Services): void {
  api.post<{ Body: Body }>(
    "/webhooks",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Create a webhook (superadmins)",
        body: { type: "object", required: ["url", "collection_name"], properties: inputProperties },
        response: { 201: webhookSchema, ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(renderWebhook(await fastcmsNames(() => createWebhook(req.ctx, input(req.body))))),
  );

  api.get<{ Querystring: { collection_name?: string; skip: number; limit: number } }>(
    "/webhooks",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List webhooks (superadmins)",
        querystring: {
          type: "object",
          properties: { collection_name: { type: "string", maxLength: 100 }, skip: { type: "integer", minimum: 0, default: 0 }, limit: { type: "integer", minimum: 1, maximum: 100, default: 100 } },
        },
        response: { 200: { type: "object", properties: { items: { type: "array", items: webhookSchema }, total: { type: "integer" } } }, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const { items, total } = await listWebhooks(req.ctx, { collection: req.query.collection_name, offset: req.query.skip, limit: req.query.limit });
      return { items: items.map(renderWebhook), total };
    },
  );

  api.get<{ Params: { id: string } }>(
    "/webhooks/:id",
    { config: { operation: READ }, schema: { tags, summary: "One webhook (superadmins)", params: idParams, response: { 200: webhookSchema, ...errorResponses(401, 403, 404) } } },
    async (req) => renderWebhook(await getWebhook(req.ctx, req.params.id)),
  );

  api.patch<{ Params: { id: string }; Body: Body }>(
    "/webhooks/:id",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Change a webhook (superadmins)",
        params: idParams,
        body: { type: "object", properties: inputProperties },
        response: { 200: webhookSchema, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (req) => renderWebhook(await fastcmsNames(() => updateWebhook(req.ctx, req.params.id, input(req.body ?? {})))),
  );

  api.delete<{ Params: { id: string } }>(
    "/webhooks/:id",
    {
      config: { operation: ADMIN },
      schema: { tags, summary: "Delete a webhook and its delivery log (superadmins)", params: idParams, response: { 204: { type: "null" }, ...errorResponses(401, 403, 404) } },
    },
    async (req, reply) => {
      await deleteWebhook(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );

  api.get<{ Params: { id: string }; Querystring: { status?: string; skip: number; limit: number } }>(
    "/webhooks/:id/deliveries",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "A webhook's delivery log, newest first (superadmins)",
        params: idParams,
        querystring: {
          type: "object",
          properties: {
            status: { type: "string", enum: ["pending", "delivered", "failed"] },
            skip: { type: "integer", minimum: 0, default: 0 },
            limit: { type: "integer", minimum: 1, maximum: 100, default: 50 },
          },
        },
        response: { 200: { type: "object", properties: { items: { type: "array", items: deliverySchema }, total: { type: "integer" } } }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, total } = await listDeliveries(req.ctx, req.params.id, { status: req.query.status, offset: req.query.skip, limit: req.query.limit });
      return { items: items.map(renderDelivery), total };
    },
  );

  api.post<{ Params: { id: string; delivery: string } }>(
    "/webhooks/:id/deliveries/:delivery/redeliver",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Send a delivery again, as a new delivery due now (superadmins)",
        params: { type: "object", required: ["id", "delivery"], properties: { id: { type: "string", maxLength: 100 }, delivery: { type: "string", maxLength: 100 } } },
        response: { 202: deliverySchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => reply.status(202).send(renderDelivery(await redeliver(req.ctx, req.params.id, req.params.delivery))),
  );
}
