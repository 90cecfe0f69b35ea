/**
 * The cross-cutting surface of the API under /api/v1: the audit routes. Registered after the
 * OpenAPI plugin, so they are documented.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { registerAuditRoutes } from "./audit.ts";

/** The routes, on the /api/v1 scope. */
export async function registerPlatformRoutes(api: FastifyInstance, _services: Services): Promise<void> {
  registerAuditRoutes(api);
}
