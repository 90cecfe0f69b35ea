/**
 * Builds the core Context for each HTTP request: the caller (core/auth/caller.ts — an access JWT
 * in `Authorization: Bearer …` or the `access_token` cookie, or an API key in `X-API-Key` or
 * `Authorization: Bearer cairn_…`) and the request facts rules may read. A refused API key is
 * remembered for the policy hook (policy.ts), which answers it 401 after the rate-limit hook
 * counted the request (by IP, the caller being anonymous).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { resolveCaller, resolveCallerNow, type Caller, type Rejection } from "../../core/auth/caller.ts";
import type { Context, Services } from "../../core/context.ts";

declare module "fastify" {
  interface FastifyRequest {
    ctx: Context;
    /**
     * The matched route's config (`url`, `method`, `operation`), set by the context hook for the
     * hooks after it: each read of Fastify's `routeOptions` builds a new object.
     */
    routeConfig: FastifyRequest["routeOptions"]["config"] | undefined;
  }
}

const rejections = new WeakMap<FastifyRequest, Rejection>();

/** The refused API key of a request, if one was presented. */
export function rejectedKey(req: FastifyRequest): Rejection | undefined {
  return rejections.get(req);
}

/** A correlation id a client may send: 1–200 visible ASCII characters. */
const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

/** Adds the `onRequest` hook that sets `req.ctx` (register it before every other hook). */
export function registerContext(app: FastifyInstance, services: Services): void {
  app.decorateRequest("ctx", null as unknown as Context);
  app.decorateRequest("routeConfig", undefined);
  const setContext = (req: FastifyRequest, caller: Caller): void => {
    if (caller.rejected) rejections.set(req, caller.rejected);
    req.ctx = {
      requestId: req.id,
      principal: caller.principal,
      services,
      log: req.log,
      request: { method: req.method, query: req.query as Record<string, unknown>, headers: req.headers, ip: req.ip },
    };
  };
  // A callback hook, not an async one: a known caller (no credentials, or a token seen before)
  // is decided without a promise, which every request would otherwise pay for.
  app.addHook("onRequest", (req, reply, done) => {
    req.routeConfig = req.routeOptions.config;
    // the id every log line of this request carries, for support requests and error reports
    void reply.header("x-request-id", req.id);
    // SnackBase's correlation id (compat/snackbase.md §1): the client's echoed back, else this request's id
    const correlation = req.headers["x-correlation-id"];
    void reply.header("x-correlation-id", typeof correlation === "string" && CORRELATION_ID.test(correlation) ? correlation : req.id);
    const known = resolveCallerNow(services, req.headers);
    if (known) {
      setContext(req, known);
      done();
      return;
    }
    resolveCaller(services, req.headers, req.ip).then((caller) => {
      setContext(req, caller);
      done();
    }, done);
  });
}
