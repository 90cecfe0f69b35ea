/**
 * The SnackBase dialect under /api/v1 (compat/snackbase.md): the routes only SnackBase has.
 * Paths both dialects share (auth, collections) are served once, by the FastCMS registration.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { registerRoleRoutes } from "./roles.ts";
import { registerUserRoutes } from "./users.ts";
import { registerSnackbaseRecordRoutes } from "./records.ts";

export function registerSnackbase(api: FastifyInstance, services: Services): void {
  registerUserRoutes(api, services);
  registerRoleRoutes(api, services);
  // last, in a scope of its own (its own error rendering), as SnackBase registers its records router last
  void api.register(async (records) => registerSnackbaseRecordRoutes(records, services));
}
