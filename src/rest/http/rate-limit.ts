/**
 * The rate-limit hook (README "Rate limits"): an `onRequest` hook registered on the root server
 * right after the context hook, so it covers every route — REST dialects and /graphql alike —
 * and knows the caller. The counting is the core's (core/policy/rate-limit.ts): per API key,
 * else per user, else per IP, or in the stricter tier a route's operation declares (login,
 * register, forgot-password). Every answer carries `X-RateLimit-{Limit,Remaining}-{Minute,Hour}`;
 * over the limit → 429 with `Retry-After` and the compat body. CAIRN_RATE_LIMIT=false or the
 * setting `rate_limit_enabled=false` turns the hook off (no headers either).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Principal, Services } from "../../core/context.ts";
import { countRequestNow, rateLimitError, rateLimitSubject, type RateSubject } from "../../core/policy/rate-limit.ts";
import type { LimitDecision } from "../../core/ratelimit/request-limiter.ts";
import { errorBody } from "../errors.ts";

/** Never counted: preflights, load-balancer probes and the static files of the API docs and the admin UI. */
function exempt(req: FastifyRequest): boolean {
  if (req.method === "OPTIONS") return true;
  const url = req.routeConfig?.url ?? "";
  return url === "/health" || url.startsWith("/docs") || url === "/_" || url.startsWith("/_/");
}

/**
 * Subjects of signed-in callers by principal: a bearer token's principal is shared by its
 * requests (core/auth/caller.ts), so its subject is made once. Other requests (an operation
 * with a tier of its own, anonymous callers: keyed by IP) get theirs each time.
 */
const userSubjects = new WeakMap<Principal, RateSubject>();

function subjectOf(req: FastifyRequest): RateSubject {
  const { principal } = req.ctx;
  const op = req.routeConfig?.operation;
  if (op?.tier || principal.kind !== "user") return rateLimitSubject(principal, req.ip, op);
  let subject = userSubjects.get(principal);
  if (!subject) userSubjects.set(principal, (subject = rateLimitSubject(principal, req.ip, op)));
  return subject;
}

function setHeaders(reply: FastifyReply, d: LimitDecision): void {
  reply.header("x-ratelimit-limit-minute", d.minute.limit);
  reply.header("x-ratelimit-remaining-minute", d.minute.remaining);
  reply.header("x-ratelimit-limit-hour", d.hour.limit);
  reply.header("x-ratelimit-remaining-hour", d.hour.remaining);
}

/** Answers a counted request: the headers, and a 429 when refused (the reply is then sent). */
function answer(req: FastifyRequest, reply: FastifyReply, decision: LimitDecision | undefined): boolean {
  if (!decision) return false;
  setHeaders(reply, decision);
  if (decision.allowed) return false;
  const err = rateLimitError(decision);
  if (req.url.startsWith("/graphql")) {
    // GraphQL clients read `errors`; the REST keys stay for everyone else.
    reply.header("retry-after", String(err.retryAfterSeconds));
    void reply.status(429).send({ ...errorBody(429, err.message, err.details), errors: [{ message: err.message, extensions: { code: "RATE_LIMITED", http: { status: 429 } } }] });
    return true;
  }
  throw err;
}

/** Adds the rate-limit hook to `app` (after the context hook, whose `req.ctx` it reads); nothing when CAIRN_RATE_LIMIT=false. */
export function registerRateLimit(app: FastifyInstance, services: Services): void {
  if (!services.config.rateLimitEnabled) return;
  // A callback hook: counters in memory decide without a promise (Redis counters still wait).
  app.addHook("onRequest", (req, reply, done) => {
    if (exempt(req)) return done();
    const subject = subjectOf(req);
    const counted = countRequestNow(req.ctx, subject, `${req.method} ${req.routeConfig?.url ?? req.url.split("?")[0]}`);
    if (!(counted instanceof Promise)) {
      // a refused GraphQL request is answered here: no done() then (Fastify stops at the sent reply)
      if (!answer(req, reply, counted)) done();
      return;
    }
    counted
      .then((decision) => answer(req, reply, decision))
      .then((sent) => {
        if (!sent) done();
      }, done);
  });
}
