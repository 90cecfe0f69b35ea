/**
 * Registers every REST surface: OpenAPI + Swagger UI, health, and the API dialects.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { registerContext } from "./context.ts";
import { registerErrorHandling } from "./errors.ts";
import { registerNulGuard } from "./refuse-nul.ts";
import { registerSystemRoutes } from "./system.ts";
import { registerFastcms } from "./fastcms/index.ts";
import { registerSnackbase } from "./snackbase/index.ts";
import { registerPlatformHooks, registerPlatformRoutes } from "./platform.ts";

export async function registerRest(app: FastifyInstance, services: Services): Promise<void> {
  registerErrorHandling(app);
  registerContext(app, services);
  registerNulGuard(app);
  await registerPlatformHooks(app, services);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Cairn API", version: "0.1.0", description: "Collections, records and auth (FastCMS-compatible dialect at /api/v1)." },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  registerSystemRoutes(app, services);
  await app.register(async (api) => registerFastcms(api, services), { prefix: "/api/v1" });
  await app.register(async (api) => registerSnackbase(api, services), { prefix: "/api/v1" });
  await app.register(async (api) => registerPlatformRoutes(api, services), { prefix: "/api/v1" });
}
