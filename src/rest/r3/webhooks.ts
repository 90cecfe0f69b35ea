/**
 * /api/webhooks (spec 004): `{name, url, secret, events: ["entry.publish", …], contentTypes}` —
 * a second CRUD dialect over the one webhook engine (core/webhooks): deliveries are queued,
 * retried, signed and logged like FastCMS ones, with the R3 body (`format: "r3"`).
 */
import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import { R3_ADMIN } from "./operations.ts";
import { createWebhook } from "../../core/webhooks/create.ts";
import { getWebhook, listWebhooks, MAX_WEBHOOK_PAGE } from "../../core/webhooks/read.ts";
import type { Webhook, WebhookInput } from "../../core/webhooks/types.ts";
import { deleteWebhook, updateWebhook } from "../../core/webhooks/update.ts";

const EVENTS = ["entry.create", "entry.update", "entry.delete", "entry.publish", "entry.unpublish"];
const tags = ["r3"];
const idParam = { type: "object", properties: { id: { type: "string", maxLength: 100 } }, required: ["id"] } as const;

type Raw = Record<string, unknown>;

/** The R3 body → webhook input (absent keys stay undefined: an update keeps them). */
function input(body: unknown): WebhookInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const b = body as Raw;
  let events: unknown = b.events;
  if (b.events !== undefined) {
    if (!Array.isArray(b.events) || b.events.length === 0 || b.events.some((e) => typeof e !== "string" || !EVENTS.includes(e)))
      throw new ValidationError(`Invalid events: must be a non-empty list of ${EVENTS.join(", ")}`, { events: `must be a list of ${EVENTS.join(", ")}` });
    events = (b.events as string[]).map((e) => e.slice("entry.".length));
  }
  if (b.name !== undefined && b.name !== null && typeof b.name !== "string") throw new ValidationError("Invalid name: must be a string", { name: "must be a string" });
  return {
    ...(b.name !== undefined ? { name: b.name as string | null } : {}),
    url: b.url,
    collections: b.contentTypes === undefined ? undefined : b.contentTypes === null ? null : b.contentTypes,
    events,
    secret: b.secret,
    active: b.active,
    format: "r3",
  };
}

function render(w: Webhook) {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    secret: w.secret,
    events: w.events.includes("*") ? EVENTS : w.events.map((e) => `entry.${e}`),
    contentTypes: w.collections,
    active: w.active,
    createdAt: w.created,
    updatedAt: w.updated,
  };
}

/** Registers the webhook routes (superadmin keys: the `admin` scope). */
export function registerR3WebhookRoutes(api: FastifyInstance): void {
  api.get("/webhooks", { config: { operation: R3_ADMIN }, schema: { tags, summary: "List webhooks" } }, async (req) => {
    const { items } = await listWebhooks(req.ctx, { limit: MAX_WEBHOOK_PAGE });
    return { docs: items.map(render) };
  });
  api.post("/webhooks", { config: { operation: R3_ADMIN }, schema: { tags, summary: "Create a webhook" } }, async (req, reply) =>
    reply.status(201).send(render(await createWebhook(req.ctx, input(req.body)))),
  );
  api.get<{ Params: { id: string } }>("/webhooks/:id", { config: { operation: R3_ADMIN }, schema: { tags, summary: "Get a webhook", params: idParam } }, async (req) =>
    render(await getWebhook(req.ctx, req.params.id)),
  );
  api.patch<{ Params: { id: string } }>("/webhooks/:id", { config: { operation: R3_ADMIN }, schema: { tags, summary: "Update a webhook", params: idParam } }, async (req) =>
    render(await updateWebhook(req.ctx, req.params.id, input(req.body))),
  );
  api.delete<{ Params: { id: string } }>("/webhooks/:id", { config: { operation: R3_ADMIN }, schema: { tags, summary: "Delete a webhook", params: idParam } }, async (req) => {
    const hook = await getWebhook(req.ctx, req.params.id);
    await deleteWebhook(req.ctx, req.params.id);
    return render(hook);
  });
}
