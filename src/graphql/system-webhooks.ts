/**
 * Webhooks over GraphQL (superadmins): the `Webhook` and `WebhookDelivery` types, the queries
 * `webhooks`, `webhook`, `webhookDeliveries` and the mutations `createWebhook`, `updateWebhook`,
 * `deleteWebhook`, `redeliverWebhookDelivery`. Each resolver calls the core operation
 * (core/webhooks) and returns its domain shape.
 */
import { createWebhook } from "../core/webhooks/create.ts";
import { listDeliveries, redeliver } from "../core/webhooks/deliveries.ts";
import { getWebhook, listWebhooks } from "../core/webhooks/read.ts";
import type { Webhook, WebhookDelivery, WebhookInput } from "../core/webhooks/types.ts";
import { deleteWebhook, updateWebhook } from "../core/webhooks/update.ts";
import { NotFoundError } from "../core/errors.ts";
import { ADMIN } from "../core/policy/operation.ts";
import type { Builder } from "./builder.ts";

type InputArgs = {
  url?: string | null;
  collections?: string[] | null;
  events?: string[] | null;
  filter?: string | null;
  secret?: string | null;
  retryCount?: number | null;
  active?: boolean | null;
  name?: string | null;
};

/** GraphQL input → core input: null means "absent" except for filter and secret, where it clears. */
function toInput(a: InputArgs): WebhookInput {
  const v = <T>(x: T | null | undefined) => (x === null ? undefined : x);
  return { url: v(a.url), collections: v(a.collections), events: v(a.events), filter: a.filter, secret: a.secret, retryCount: v(a.retryCount), active: v(a.active), name: a.name, format: "fastcms" };
}

/** Adds the webhook types, queries and mutations to the system schema. */
export function addWebhookFields(b: Builder): void {
  const delivery = b.objectRef<WebhookDelivery>("WebhookDelivery").implement({
    description: "One event sent (or to be sent) to one webhook, with its last attempt.",
    fields: (t) => ({
      id: t.exposeID("id"),
      webhookId: t.exposeID("webhookId"),
      event: t.exposeString("event", { description: "create, update or delete" }),
      collection: t.exposeString("collection"),
      recordId: t.exposeString("recordId", { nullable: true }),
      eventSeq: t.exposeInt("seq", { description: "the outbox event number" }),
      redelivery: t.exposeInt("redelivery", { description: "0: sent because of the event; n: the n-th manual redelivery" }),
      messageId: t.exposeString("messageId", { description: "the Standard Webhooks webhook-id" }),
      status: t.exposeString("status", { description: "pending, delivered or failed" }),
      attempts: t.exposeInt("attempts"),
      statusCode: t.exposeInt("responseStatus", { nullable: true }),
      responseBody: t.exposeString("responseBody", { nullable: true }),
      durationMs: t.exposeInt("durationMs", { nullable: true }),
      error: t.exposeString("error", { nullable: true }),
      nextRetryAt: t.field({ type: "DateTime", nullable: true, resolve: (d) => d.nextAttemptAt }),
      created: t.field({ type: "DateTime", resolve: (d) => d.created }),
      updated: t.field({ type: "DateTime", resolve: (d) => d.updated }),
    }),
  });
  const deliveryList = b.objectRef<{ items: WebhookDelivery[]; total: number }>("WebhookDeliveryList").implement({
    fields: (t) => ({ items: t.field({ type: [delivery], resolve: (l) => l.items }), total: t.exposeInt("total") }),
  });
  const webhook = b.objectRef<Webhook>("Webhook").implement({
    description: "A URL that receives record events, signed (superadmins).",
    fields: (t) => ({
      id: t.exposeID("id"),
      name: t.exposeString("name", { nullable: true }),
      url: t.exposeString("url"),
      collections: t.exposeStringList("collections", { description: "collection names; empty: every collection" }),
      events: t.exposeStringList("events", { description: "create, update, delete, or *" }),
      filter: t.exposeString("filter", { nullable: true }),
      secret: t.exposeString("secret"),
      retryCount: t.exposeInt("retryCount"),
      active: t.exposeBoolean("active"),
      lastTriggeredAt: t.field({ type: "DateTime", nullable: true, resolve: (w) => w.lastTriggeredAt }),
      created: t.field({ type: "DateTime", resolve: (w) => w.created }),
      updated: t.field({ type: "DateTime", resolve: (w) => w.updated }),
      deliveries: t.field({
        type: deliveryList,
        args: { status: t.arg.string(), offset: t.arg.int(), limit: t.arg.int() },
        resolve: (w, a, { cairn }) => listDeliveries(cairn, w.id, { status: a.status ?? undefined, offset: a.offset ?? undefined, limit: a.limit ?? undefined }),
      }),
    }),
  });
  const webhookList = b.objectRef<{ items: Webhook[]; total: number }>("WebhookList").implement({
    fields: (t) => ({ items: t.field({ type: [webhook], resolve: (l) => l.items }), total: t.exposeInt("total") }),
  });
  const fields = (t: PothosSchemaTypes.InputFieldBuilder<any, "InputObject">, create: boolean) => ({
    url: t.string({ required: create }),
    collections: t.stringList({ description: "collection names; empty or absent: every collection" }),
    events: t.stringList({ description: "create, update, delete, or * (default)" }),
    filter: t.string({ description: 'FastCMS filter on the record, e.g. status = "published" (needs exactly one collection)' }),
    secret: t.string({ description: "signs deliveries; absent or null: one is generated" }),
    retryCount: t.int({ description: "0-10, default 3" }),
    active: t.boolean(),
    name: t.string(),
  });
  const createInput = b.inputType("WebhookInput", { fields: (t) => fields(t, true) });
  const updateInput = b.inputType("WebhookUpdateInput", { fields: (t) => fields(t, false) });

  b.queryFields((t) => ({
    webhooks: t.field({
      type: webhookList,
      description: "The account's webhooks, oldest first (superadmins).",
      args: { collection: t.arg.string(), offset: t.arg.int(), limit: t.arg.int() },
      resolve: (_r, a, { cairn }) => listWebhooks(cairn, { collection: a.collection ?? undefined, offset: a.offset ?? undefined, limit: a.limit ?? undefined }),
    }),
    webhook: t.field({
      type: webhook,
      nullable: true,
      description: "A webhook by id (superadmins); null when absent.",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_r, a, { cairn }) => {
        try {
          return await getWebhook(cairn, String(a.id));
        } catch (e) {
          if (e instanceof NotFoundError) return null;
          throw e;
        }
      },
    }),
    webhookDeliveries: t.field({
      type: deliveryList,
      description: "A webhook's delivery log, newest first (superadmins).",
      args: { webhookId: t.arg.id({ required: true }), status: t.arg.string(), offset: t.arg.int(), limit: t.arg.int() },
      resolve: (_r, a, { cairn }) => listDeliveries(cairn, String(a.webhookId), { status: a.status ?? undefined, offset: a.offset ?? undefined, limit: a.limit ?? undefined }),
    }),
  }));

  b.mutationFields((t) => ({
    createWebhook: t.field({
      type: webhook,
      extensions: { operation: ADMIN },
      args: { input: t.arg({ type: createInput, required: true }) },
      resolve: (_r, a, { cairn }) => createWebhook(cairn, toInput(a.input)),
    }),
    updateWebhook: t.field({
      type: webhook,
      extensions: { operation: ADMIN },
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: updateInput, required: true }) },
      resolve: (_r, a, { cairn }) => updateWebhook(cairn, String(a.id), toInput(a.input)),
    }),
    deleteWebhook: t.field({
      type: webhook,
      extensions: { operation: ADMIN },
      description: "Deletes a webhook and its delivery log; returns it as it was.",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_r, a, { cairn }) => {
        const hook = await getWebhook(cairn, String(a.id));
        await deleteWebhook(cairn, hook.id);
        return hook;
      },
    }),
    redeliverWebhookDelivery: t.field({
      type: delivery,
      extensions: { operation: ADMIN },
      description: "Queues a delivery again as a new delivery, due now.",
      args: { webhookId: t.arg.id({ required: true }), deliveryId: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => redeliver(cairn, String(a.webhookId), String(a.deliveryId)),
    }),
  }));
}
