/**
 * The cross-cutting surface of the API: rate limits and maintenance mode (hooks on every route,
 * /graphql included), and the settings, audit and OAuth routes under /api/v1. Registered right
 * after the context hook (the hooks read `req.ctx`); the routes after the OpenAPI plugin.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerMaintenance } from "./maintenance.ts";
import { registerOAuthRoutes } from "./oauth.ts";
import { registerRateLimit } from "./rate-limit.ts";
import { registerSettingsRoutes } from "./settings.ts";

/** The hooks: call right after the context hook, before any route is declared. */
export async function registerPlatformHooks(app: FastifyInstance, services: Services): Promise<void> {
  await registerRateLimit(app, services);
  registerMaintenance(app, services);
}

/** The routes, on the /api/v1 scope (after the OpenAPI plugin, so they are documented). */
export async function registerPlatformRoutes(api: FastifyInstance, services: Services): Promise<void> {
  registerSettingsRoutes(api);
  registerAuditRoutes(api);
  await registerOAuthRoutes(api, services);
}
