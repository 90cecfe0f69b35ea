/**
 * The Fullfinity dialect (spec 002): `/auth/authenticate`, `/auth/refresh` and the model API
 * under `/api/{verb}/{model}`. A model is a collection; errors are `{detail, error}`.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { registerFullfinityActions } from "./actions.ts";
import { registerFullfinityAuth } from "./auth.ts";
import { registerFullfinityErrors } from "./errors.ts";
import { registerFullfinityMeta } from "./meta.ts";
import { registerFullfinityRecords } from "./records.ts";
import { registerFullfinitySequence } from "./sequence.ts";
import { registerFullfinityTransfer } from "./transfer.ts";

export async function registerFullfinity(api: FastifyInstance, services: Services): Promise<void> {
  registerFullfinityErrors(api, services.config.debug);
  registerFullfinityAuth(api);
  registerFullfinityRecords(api);
  registerFullfinityMeta(api);
  registerFullfinitySequence(api);
  registerFullfinityActions(api);
  await registerFullfinityTransfer(api);
}
