/**
 * Maps every error to the FastCMS/SnackBase-compatible REST body, once:
 * `{error, message, detail, code, details}`. Unknown errors are logged with the request id
 * and masked; driver messages never reach clients.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, fromDriverError, ServiceUnavailableError } from "../core/errors.ts";

const SHORT: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  406: "Not acceptable",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  416: "Range not satisfiable",
  422: "Validation failed",
  429: "Rate limit exceeded",
  500: "Internal server error",
  503: "Service unavailable",
};

const CODE: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  406: "NOT_ACCEPTABLE",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "VALIDATION_ERROR",
  429: "RATE_LIMITED",
  500: "INTERNAL",
  503: "SERVICE_UNAVAILABLE",
};

export interface ErrorBody {
  error: string;
  message: string;
  detail: string;
  code: string;
  details: Record<string, unknown> | null;
}

export function errorBody(status: number, message: string, details: Record<string, unknown> | null = null, code?: string): ErrorBody {
  return { error: SHORT[status] ?? "Error", message, detail: message, code: code ?? CODE[status] ?? "ERROR", details };
}

/** Fastify/ajv validation errors → `{ "body.data": "must be object", … }`. */
function validationDetails(err: FastifyError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of err.validation ?? []) {
    const base = (err.validationContext ?? "request") + v.instancePath.replace(/\//g, ".");
    const key = v.keyword === "required" ? `${base}.${(v.params as any).missingProperty}` : v.keyword === "additionalProperties" ? `${base}.${(v.params as any).additionalProperty}` : base;
    out[key] = v.keyword === "additionalProperties" ? "unknown field" : (v.message ?? "invalid");
  }
  return out;
}

/** How much of a refused body is read and discarded before the 413 goes out, and for how long. */
const DRAIN_LIMIT = { bytes: 64 * 1024 * 1024, ms: 10_000 } as const;

/**
 * Reads and discards the rest of a request body, up to DRAIN_LIMIT. A 413 sent while the client
 * is still sending is followed by closing the socket, and a client that is still writing then
 * sees EPIPE or a reset instead of the answer; once the body is in, it reads the 413.
 */
function drainBody(raw: IncomingMessage): Promise<void> {
  if (raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const timer = setTimeout(() => done(), DRAIN_LIMIT.ms);
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT.bytes) done();
    };
    function done() {
      clearTimeout(timer);
      raw.off("data", onData).off("end", done).off("error", done).off("close", done);
      resolve();
    }
    raw.on("data", onData).on("end", done).on("error", done).on("close", done);
    raw.resume();
  });
}

/** The body limit as the message names it. */
const size = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (thrown: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) => {
    // A database outage or a value the driver refused: the same AppError GraphQL maps it to.
    const err = thrown instanceof AppError ? thrown : (fromDriverError(thrown) ?? thrown);
    // A database outage (it carries the driver's error) is worth a warning; a refusal the server
    // decided itself (a collection being rebuilt, the restore gate) is expected and would repeat
    // for every request meanwhile: debug.
    if (err instanceof ServiceUnavailableError) {
      if (err.cause !== undefined) req.log.warn({ err: err.cause, reqId: req.id }, err.message);
      else req.log.debug({ reqId: req.id }, err.message);
    }
    if (err instanceof AppError) {
      const code = err.code === "UNAUTHENTICATED" ? "UNAUTHORIZED" : err.code;
      if ("retryAfterSeconds" in err && typeof err.retryAfterSeconds === "number") reply.header("retry-after", String(err.retryAfterSeconds));
      return reply.status(err.status).send(errorBody(err.status, err.message, err.details, code));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const details = validationDetails(fe);
      const first = Object.entries(details)[0];
      return reply.status(422).send(errorBody(422, first ? `Invalid ${first[0]}: ${first[1]}` : "Validation failed", details));
    }
    if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      await drainBody(req.raw);
      reply.header("connection", "close");
      return reply.status(413).send(errorBody(413, `Request body is larger than the limit of ${size(req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0)} (CAIRN_BODY_LIMIT)`));
    }
    if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      const type =
        String(req.headers["content-type"] ?? "")
          .split(";")[0]!
          .trim() || "none";
      return reply.status(415).send(errorBody(415, `Unsupported content type '${type}': send JSON with content-type: application/json`));
    }
    const status = fe.statusCode;
    if (status && status >= 400 && status < 500) {
      let message = fe.message;
      if (fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" || err instanceof SyntaxError) message = `Invalid JSON body: ${fe.message}`;
      return reply.status(status).send(errorBody(status, message));
    }
    req.log.error({ err, reqId: req.id }, "internal error");
    return reply.status(500).send(errorBody(500, `Internal server error (request id ${req.id})`));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody(404, `Route ${req.method} ${req.url.split("?")[0]} not found`));
  });
}

/** JSON schema of the error body, for route `response` declarations. */
export const errorSchema = {
  type: "object",
  properties: {
    error: { type: "string" },
    message: { type: "string" },
    detail: { type: "string" },
    code: { type: "string" },
    details: { type: ["object", "null"], additionalProperties: true },
  },
} as const;

/** Route `response` entries mapping each status to the error body schema. */
export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorSchema]));
