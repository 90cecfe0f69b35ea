/**
 * `/health`: liveness, the database's state and the schema version (changes whenever a
 * collection changes). 200 `{status: "healthy", …}` when the database answers (and, on SQLite,
 * takes writes); otherwise 503 with Retry-After and `{status: "unhealthy", database:
 * "unavailable: <cause>", message: "Database unavailable: <cause>", …}` — it turns healthy again
 * by itself once the database is back.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { DATABASE_RETRY_AFTER_SECONDS } from "../core/errors.ts";
import { checkDatabase } from "../db/health.ts";

const healthSchema = {
  type: "object",
  properties: {
    status: { type: "string" },
    service: { type: "string" },
    version: { type: "string" },
    environment: { type: "string" },
    readonly: { type: "boolean" },
    database: { type: "string" },
    schema_version: { type: "integer" },
    message: { type: "string" },
  },
} as const;

export function registerSystemRoutes(app: FastifyInstance, services: Services): void {
  app.get("/health", { schema: { tags: ["system"], summary: "Health check", response: { 200: healthSchema, 503: healthSchema } } }, async (_req, reply) => {
    const db = await checkDatabase(services.db);
    const base = {
      service: "cairn",
      version: "0.1.0",
      environment: services.config.environment,
      schema_version: services.collections.version,
    };
    if (db.ok) return { status: "healthy", ...base, readonly: false, database: services.db.dialect };
    reply.status(503).header("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
    return { status: "unhealthy", ...base, readonly: db.readonly, database: `unavailable: ${db.reason}`, message: `Database unavailable: ${db.reason}` };
  });
}
