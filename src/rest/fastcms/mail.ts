/**
 * GET /api/v1/mail: the outgoing-mail outbox (superadmin). Without SMTP_URL every mail stays
 * here with status `stored`; with it, rows show `queued`, `sent` or `failed`.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { listMail, type OutboxQuery } from "../../core/mail/outbox.ts";
import { errorResponses } from "../errors.ts";
import { READ } from "../../core/policy/operation.ts";

const nullableDate = { type: ["string", "null"], format: "date-time" } as const;

export function registerMailRoutes(api: FastifyInstance, _services: Services): void {
  api.get<{ Querystring: OutboxQuery }>(
    "/mail",
    {
      config: { operation: READ },
      schema: {
        tags: ["mail"],
        summary: "Outgoing mail, newest first (superadmin)",
        querystring: {
          type: "object",
          properties: {
            to: { type: "string", maxLength: 254 },
            kind: { type: "string", maxLength: 50 },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              items: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "string" },
                    to: { type: "string" },
                    subject: { type: "string" },
                    text: { type: "string" },
                    html: { type: ["string", "null"] },
                    kind: { type: "string" },
                    status: { type: "string", enum: ["queued", "sent", "failed", "stored"] },
                    error: { type: ["string", "null"] },
                    created: { type: "string", format: "date-time" },
                    sent_at: nullableDate,
                  },
                },
              },
            },
          },
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (req) => {
      const items = await listMail(req.ctx, req.query);
      return {
        items: items.map((m) => ({ ...m, created: m.created.toISOString(), sent_at: m.sentAt?.toISOString() ?? null })),
      };
    },
  );
}
