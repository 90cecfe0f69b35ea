/**
 * The cross-cutting surface of the API: the settings, audit and OAuth routes under /api/v1, and —
 * with REDIS_URL — the settings change notices between instances. (Rate limits, maintenance mode
 * and API-key scopes are the policy hooks in http/.)
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { SettingsSync } from "../realtime/settings-sync.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerOAuthRoutes } from "./oauth.ts";
import { registerSettingsRoutes } from "./settings.ts";

/** The hooks: call after the policy hooks, before any route is declared. */
export async function registerPlatformHooks(app: FastifyInstance, services: Services): Promise<void> {
  if (services.config.redisUrl) {
    const sync = new SettingsSync(services);
    await sync.start();
    app.addHook("onClose", () => sync.close());
  }
}

/** The routes, on the /api/v1 scope (after the OpenAPI plugin, so they are documented). */
export async function registerPlatformRoutes(api: FastifyInstance, services: Services): Promise<void> {
  registerSettingsRoutes(api);
  registerAuditRoutes(api);
  await registerOAuthRoutes(api, services);
}
