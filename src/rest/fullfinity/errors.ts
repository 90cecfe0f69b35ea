/**
 * Fullfinity error bodies: `{detail, error}` (spec 002 "Error Handling"), `error` naming the
 * error type, plus `details` when the core gave some and a `traceback` only with CAIRN_DEBUG.
 * The shared error handler (rest/errors.ts) decides status and message for every dialect; this
 * scope only reshapes its body on the way out (and answers 422 as 400: spec 002 lists no 422),
 * so the dialects agree on everything but the shape.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";

const TYPES: Readonly<Record<string, string>> = {
  BAD_REQUEST: "BadRequest",
  VALIDATION_ERROR: "ValidationError",
  UNAUTHORIZED: "AuthenticationError",
  FORBIDDEN: "AccessError",
  NOT_FOUND: "NotFound",
  CONFLICT: "Conflict",
  PAYLOAD_TOO_LARGE: "PayloadTooLarge",
  UNSUPPORTED_MEDIA_TYPE: "UnsupportedMediaType",
  RATE_LIMITED: "RateLimited",
  MAINTENANCE_MODE: "ServiceUnavailable",
  SERVICE_UNAVAILABLE: "ServiceUnavailable",
  INTERNAL: "InternalError",
};

/** Adds the reshaping hooks to the Fullfinity scope; `debug` adds the traceback. */
export function registerFullfinityErrors(api: FastifyInstance, debug: boolean): void {
  const thrown = new WeakMap<FastifyRequest, Error>();
  if (debug) api.addHook("onError", async (req, _reply, error) => void thrown.set(req, error));
  api.addHook("onSend", async (req, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== "string") return payload;
    let body: { detail?: unknown; message?: unknown; code?: unknown; details?: unknown };
    try {
      body = JSON.parse(payload);
    } catch {
      return payload;
    }
    if (typeof body !== "object" || body === null || typeof body.code !== "string") return payload;
    const out: Record<string, unknown> = { detail: body.detail ?? body.message, error: TYPES[body.code] ?? body.code };
    if (body.details !== null && body.details !== undefined) out.details = body.details;
    // the error table of spec 002 has no 422: invalid input is a 400 there
    if (reply.statusCode === 422) reply.code(400);
    const err = thrown.get(req);
    if (err?.stack) out.traceback = err.stack;
    return JSON.stringify(out);
  });
}
