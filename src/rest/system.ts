/**
 * `/health`: liveness plus the schema version (changes whenever a collection changes).
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";

export function registerSystemRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    "/health",
    {
      schema: {
        tags: ["system"],
        summary: "Health check",
        response: {
          200: {
            type: "object",
            properties: {
              status: { type: "string" },
              service: { type: "string" },
              version: { type: "string" },
              environment: { type: "string" },
              readonly: { type: "boolean" },
              database: { type: "string" },
              schema_version: { type: "integer" },
            },
          },
        },
      },
    },
    async () => ({
      status: "healthy",
      service: "cairn",
      version: "0.1.0",
      environment: process.env.NODE_ENV ?? "development",
      readonly: false,
      database: services.db.dialect,
      schema_version: services.collections.version,
    }),
  );
}
