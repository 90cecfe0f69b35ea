/**
 * The cross-cutting routes under /api/v1: settings, audit, OAuth and the first-run install link. (Rate limits, maintenance mode
 * and API-key scopes are the policy hooks in http/; settings notices cross instances through the
 * pub/sub port, see realtime/live-events.ts.)
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerInstallRoutes } from "./install.ts";
import { registerOAuthRoutes } from "./oauth.ts";
import { registerSettingsRoutes } from "./settings.ts";

/** The routes, on the /api/v1 scope (after the OpenAPI plugin, so they are documented). */
export async function registerPlatformRoutes(api: FastifyInstance, services: Services): Promise<void> {
  registerSettingsRoutes(api);
  registerAuditRoutes(api);
  registerInstallRoutes(api);
  await registerOAuthRoutes(api, services);
}
