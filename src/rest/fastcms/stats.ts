/**
 * `GET /api/v1/stats` (compat/fastcms.md §14), superadmins: the FastCMS keys
 * (`total_connections`, `authenticated_connections`, `unique_users`, `pubsub_backend`,
 * `subscriptions`) plus SSE streams, requests per minute, outbox lag, jobs, database and uptime.
 */
import type { FastifyInstance } from "fastify";
import { ADMIN } from "../../core/policy/operation.ts";
import { getStats } from "../../core/stats/get-stats.ts";
import { errorResponses } from "../errors.ts";

const int = { type: "integer" } as const;

export function registerStatsRoutes(api: FastifyInstance): void {
  api.get(
    "/stats",
    {
      config: { operation: ADMIN },
      schema: {
        tags: ["system"],
        summary: "Live figures of this instance (superadmins)",
        response: {
          200: {
            type: "object",
            properties: {
              total_connections: { ...int, description: "open websocket connections" },
              authenticated_connections: int,
              unique_users: int,
              pubsub_backend: { type: "string", enum: ["memory", "redis"] },
              subscriptions: { type: "object", additionalProperties: { type: "array", items: { type: "string" } }, description: "collections followed, by subscription id" },
              subscription_count: int,
              sse_streams: int,
              requests_per_minute: int,
              requests_total: int,
              outbox: {
                type: "object",
                properties: {
                  latest_seq: int,
                  lag: { ...int, description: "events the slowest consumer has not handled" },
                  consumers: { type: "array", items: { type: "object", properties: { name: { type: "string" }, last_seq: int, lag: int } } },
                },
              },
              jobs: { type: "object", properties: { running: int, queued: int } },
              database: { type: "object", properties: { kind: { type: "string" }, size_bytes: int } },
              uptime_seconds: int,
              started_at: { type: "string", format: "date-time" },
            },
          },
          ...errorResponses(401, 403),
        },
      },
    },
    async (req) => {
      const s = await getStats(req.ctx);
      return {
        total_connections: s.realtime.websocketConnections,
        authenticated_connections: s.realtime.authenticatedConnections,
        unique_users: s.realtime.uniqueUsers,
        pubsub_backend: s.pubsubBackend,
        subscriptions: s.realtime.subscriptionsById,
        subscription_count: s.realtime.subscriptions,
        sse_streams: s.realtime.sseStreams,
        requests_per_minute: s.requestsPerMinute,
        requests_total: s.requestsTotal,
        outbox: { latest_seq: s.outbox.latestSeq, lag: s.outbox.lag, consumers: s.outbox.consumers.map((c) => ({ name: c.name, last_seq: c.lastSeq, lag: c.lag })) },
        jobs: s.jobs,
        database: { kind: s.database.kind, size_bytes: s.database.sizeBytes },
        uptime_seconds: s.uptimeSeconds,
        started_at: s.startedAt,
      };
    },
  );
}
