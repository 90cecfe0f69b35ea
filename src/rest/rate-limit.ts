/**
 * The rate-limit hook (README "Rate limits"): an `onRequest` hook registered on the root
 * server right after the context hook, so it covers every route — REST dialects and /graphql
 * alike — and knows the caller. Counted per API key, else per user, else per IP; the auth
 * endpoints that attract abuse (login, register, forgot-password) have their own, stricter
 * per-IP limits instead. Every answer carries `X-RateLimit-{Limit,Remaining}-{Minute,Hour}`;
 * over the limit → 429 with `Retry-After` and the compat body, and one `security/rate_limit`
 * audit entry per key and window (not one per refused request).
 *
 * Counters are in memory (O(1), no database work per request), or in Redis when REDIS_URL is
 * set so instances share them. CAIRN_RATE_LIMIT=false or the setting `rate_limit_enabled=false`
 * turns the hook off (no headers either).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Redis } from "ioredis";
import { audit } from "../core/audit/audit.ts";
import type { Principal, Services } from "../core/context.ts";
import { RateLimitedError } from "../core/errors.ts";
import { limitsFor, rateLimitsOn, type RateTier } from "../core/ratelimit/limits.ts";
import { RequestLimiter, type LimitDecision } from "../core/ratelimit/request-limiter.ts";
import { defaultRedisPrefix } from "../realtime/pubsub.ts";
import { errorBody } from "./errors.ts";

/** Per-endpoint tiers (POST only), keyed by route pattern. */
const ENDPOINT_TIERS: Readonly<Record<string, RateTier>> = {
  "/api/v1/auth/login": "login",
  "/api/v1/auth/register": "register",
  "/api/v1/auth/forgot-password": "forgot_password",
  "/api/v1/auth/request-password-reset": "forgot_password",
};

/** Never counted: load-balancer probes and the API docs' static files. */
function exempt(req: FastifyRequest): boolean {
  if (req.method === "OPTIONS") return true;
  const url = req.routeOptions.url ?? "";
  return url === "/health" || url.startsWith("/docs");
}

/** The counter key and tier of a request: per API key (`principal.apiKey.id`), else per user, else per IP. */
export function rateLimitSubject(principal: Principal, ip: string, routeUrl: string | undefined, method: string): { key: string; tier: RateTier } {
  const endpoint = method === "POST" && routeUrl ? ENDPOINT_TIERS[routeUrl] : undefined;
  if (endpoint) return { key: `${endpoint}:${ip}`, tier: endpoint };
  if (principal.kind === "user") {
    const apiKeyId = (principal as { apiKey?: { id?: unknown } }).apiKey?.id;
    const tier: RateTier = principal.superadmin || principal.role === "admin" ? "admin" : "user";
    return typeof apiKeyId === "string" && apiKeyId ? { key: `key:${apiKeyId}`, tier } : { key: `user:${principal.userId}`, tier };
  }
  return { key: `ip:${ip}`, tier: "anonymous" };
}

function setHeaders(reply: FastifyReply, d: LimitDecision): void {
  reply.header("x-ratelimit-limit-minute", d.minute.limit);
  reply.header("x-ratelimit-remaining-minute", d.minute.remaining);
  reply.header("x-ratelimit-limit-hour", d.hour.limit);
  reply.header("x-ratelimit-remaining-hour", d.hour.remaining);
}

/** The error a refused request gets (REST body via the error handler; /graphql adds `errors`). */
function refusal(d: LimitDecision): RateLimitedError {
  const s = d.retryAfterSeconds;
  return new RateLimitedError(`Rate limit exceeded (${d.minute.limit} requests per minute, ${d.hour.limit} per hour); try again in ${s} second${s === 1 ? "" : "s"}`, s, {
    limit_per_minute: d.minute.limit,
    limit_per_hour: d.hour.limit,
    retry_after_seconds: s,
  });
}

export interface RateLimitHandle {
  readonly limiter: RequestLimiter;
  close(): Promise<void>;
}

/**
 * Adds the rate-limit hook to `app` (after the context hook, whose `req.ctx` it reads). Returns
 * undefined when CAIRN_RATE_LIMIT=false. Connections are closed with the server.
 */
export async function registerRateLimit(app: FastifyInstance, services: Services): Promise<RateLimitHandle | undefined> {
  const { config, settings, log } = services;
  if (!config.rateLimitEnabled) return undefined;
  let redis: Redis | undefined;
  if (config.redisUrl) {
    // No offline queue: while Redis is unreachable, counting falls back to memory at once.
    redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on("error", (err) => log.warn({ err }, "rate limit: redis connection error (counting in memory meanwhile)"));
    await redis.connect().catch((err: unknown) => log.warn({ err }, "rate limit: redis not reachable at start (counting in memory until it is)"));
  }
  const limiter = new RequestLimiter({ redis, prefix: config.redisPrefix ?? defaultRedisPrefix(config) });

  app.addHook("onRequest", async (req, reply) => {
    if (exempt(req) || !rateLimitsOn(settings)) return;
    const ctx = req.ctx;
    const { key, tier } = rateLimitSubject(ctx.principal, req.ip, req.routeOptions.url, req.method);
    const decision = await limiter.hit(key, limitsFor(settings, tier));
    setHeaders(reply, decision);
    if (decision.allowed) return;
    if (decision.firstRefusal) {
      void audit(ctx, {
        eventType: "security",
        eventAction: "rate_limit",
        severity: "warning",
        outcome: "failure",
        description: `Rate limit exceeded (${tier}) on ${req.method} ${req.routeOptions.url ?? req.url.split("?")[0]}`,
        details: { tier, subject: key, limit_per_minute: decision.minute.limit, limit_per_hour: decision.hour.limit },
      });
    }
    const err = refusal(decision);
    if (req.url.startsWith("/graphql")) {
      // GraphQL clients read `errors`; the REST keys stay for everyone else.
      reply.header("retry-after", String(err.retryAfterSeconds));
      return reply
        .status(429)
        .send({ ...errorBody(429, err.message, err.details), errors: [{ message: err.message, extensions: { code: "RATE_LIMITED", http: { status: 429 } } }] });
    }
    throw err;
  });

  const close = async () => {
    if (redis) await redis.quit().catch(() => redis?.disconnect());
  };
  app.addHook("onClose", close);
  return { limiter, close };
}
