/**
 * The SnackBase dialect under /api/v1 (compat/snackbase.md): the routes only SnackBase has.
 * Paths both dialects share (auth, collections) are served once, by the FastCMS registration.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { registerAccountRoutes } from "./accounts.ts";
import { registerInvitationRoutes } from "./invitations.ts";
import { registerRoleRoutes } from "./roles.ts";
import { registerSamlRoutes } from "./saml.ts";
import { registerUserRoutes } from "./users.ts";

export async function registerSnackbase(api: FastifyInstance, services: Services): Promise<void> {
  registerUserRoutes(api, services);
  registerRoleRoutes(api, services);
  registerAccountRoutes(api, services);
  registerInvitationRoutes(api, services);
  await registerSamlRoutes(api, services);
}
