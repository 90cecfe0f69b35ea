/**
 * The R3 CMS dialect under /api (spec 004): content types, documents, webhooks. Every request
 * needs an API key (`x-api-key`; a signed-in user's token is accepted too) and every error is
 * `{error: {code, message}}` with spec 004's codes. Each API key also has the R3 quota
 * (core/ratelimit/key-quota.ts: 60 a minute, 10,000 a day by default).
 */
import type { FastifyError, FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { AppError, fromDriverError } from "../../core/errors.ts";
import { chargeKeyQuota } from "../../core/ratelimit/key-quota.ts";
import { registerContentTypeRoutes } from "./content-types.ts";
import { registerContentRoutes } from "./content.ts";
import { r3Error } from "./render.ts";
import { registerR3WebhookRoutes } from "./webhooks.ts";

/** Registers the R3 routes (call inside a plugin with prefix `/api`). */
export function registerR3(api: FastifyInstance, services: Services): void {
  void services;
  api.setErrorHandler(async (thrown: FastifyError | Error, req, reply) => {
    const err = thrown instanceof AppError ? thrown : fromDriverError(thrown);
    if (err) {
      if ("retryAfterSeconds" in err && typeof err.retryAfterSeconds === "number") void reply.header("retry-after", String(err.retryAfterSeconds));
      const { status, body } = r3Error(err);
      return reply.status(status).send(body);
    }
    const fe = thrown as FastifyError;
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const status = fe.statusCode === 400 ? 422 : fe.statusCode;
      const code = status === 422 ? "VALIDATION_ERROR" : status === 413 ? "PAYLOAD_TOO_LARGE" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST";
      return reply.status(status).send({ error: { code, message: fe.validation ? `Invalid request: ${fe.message}` : fe.message } });
    }
    req.log.error({ err: thrown, reqId: req.id }, "internal error");
    return reply.status(500).send({ error: { code: "INTERNAL_ERROR", message: `Internal server error (request id ${req.id})` } });
  });
  // After the root hooks (caller, rate limit, a refused key → 401, the operation policy: no key
  // at all → 401 (operations.ts), scopes): the key's R3 quota.
  api.addHook("onRequest", async (req) => {
    await chargeKeyQuota(req.ctx);
  });
  registerContentTypeRoutes(api);
  registerContentRoutes(api);
  registerR3WebhookRoutes(api);
}
