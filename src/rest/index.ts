/**
 * Registers every REST surface: the request hooks (caller, rate limits, policies — http/),
 * OpenAPI + Swagger UI (compressed), health, and the API dialects.
 */
import compress from "@fastify/compress";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { Services } from "../core/context.ts";
import { registerContext } from "./http/context.ts";
import { registerCors } from "./http/cors.ts";
import { registerPolicy } from "./http/policy.ts";
import { registerRateLimit } from "./http/rate-limit.ts";
import { registerErrorHandling } from "./errors.ts";
import { registerNulGuard } from "./http/refuse-nul.ts";
import { registerRenamedCollections } from "./http/renamed-collections.ts";
import { registerSystemRoutes } from "./system.ts";
import { registerFastcms } from "./fastcms/index.ts";
import { registerSnackbase } from "./snackbase/index.ts";
import { registerFullfinity } from "./fullfinity/index.ts";
import { registerPlatformRoutes } from "./platform.ts";
import { registerMetrics } from "./metrics.ts";
import { registerR3 } from "./r3/index.ts";
import { registerOpenApiRoute } from "./http/openapi.ts";
import { registerAdminUi } from "./admin-ui.ts";

export async function registerRest(app: FastifyInstance, services: Services): Promise<void> {
  registerErrorHandling(app);
  // Bodies are JSON: text (Fastify parses text/plain by default) is a 415 like any other type.
  app.removeContentTypeParser("text/plain");
  await registerCors(app, services.config);
  registerContext(app, services);
  registerRateLimit(app, services);
  registerPolicy(app);
  registerNulGuard(app);
  registerRenamedCollections(app, services);
  await registerMetrics(app, services);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Cairn API", version: "0.1.0", description: "Collections, records and auth (FastCMS-compatible dialect at /api/v1)." },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
  });
  // Swagger UI's page and files (2.5 MB) go out compressed, and only they: JSON answers stay as
  // they are (compressing them costs the hot path more than it saves on a local network).
  await app.register(async (docs) => {
    await docs.register(compress, { global: true, encodings: ["br", "gzip"], globalDecompression: false });
    await docs.register(swaggerUi, { routePrefix: "/docs" });
  });
  registerOpenApiRoute(app, services);
  registerSystemRoutes(app, services);
  await registerAdminUi(app);
  await app.register(async (api) => registerFastcms(api, services), { prefix: "/api/v1" });
  await app.register(async (api) => registerSnackbase(api, services), { prefix: "/api/v1" });
  await app.register(async (api) => registerPlatformRoutes(api, services), { prefix: "/api/v1" });
  await app.register(async (api) => registerR3(api, services), { prefix: "/api" });
  await app.register(async (api) => registerFullfinity(api, services));
}
