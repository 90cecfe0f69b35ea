/**
 * Request rate limits (README "Rate limits"), shared by every transport. A request is counted
 * per API key, else per user, else per IP; an operation that declares an auth tier (login,
 * register, forgot-password) is counted in that stricter per-IP tier instead, on whichever
 * transport it arrives (REST route or GraphQL mutation). Over the limit → RateLimitedError (429)
 * with Retry-After, and one `security/rate_limit` audit entry per key and window.
 *
 * Counters live in memory, or in the pub/sub port's counter store (Redis with REDIS_URL) so
 * every instance shares them. CAIRN_RATE_LIMIT=false or the setting `rate_limit_enabled=false`
 * turns counting off.
 */
import { audit } from "../audit/audit.ts";
import type { Context, Principal, Services } from "../context.ts";
import { RateLimitedError } from "../errors.ts";
import { limitsFor, rateLimitsOn, type RateTier } from "../ratelimit/limits.ts";
import { RequestLimiter, type LimitDecision } from "../ratelimit/request-limiter.ts";
import type { Operation } from "./operation.ts";

export interface RateSubject {
  /** the counter key */
  key: string;
  tier: RateTier;
}

const limiters = new WeakMap<Services, RequestLimiter>();

/** The installation's limiter: one per services, its counters in the pub/sub port's store. */
export function requestLimiter(services: Services): RequestLimiter {
  let limiter = limiters.get(services);
  if (!limiter) {
    const { counterStore, prefix } = services.pubsub;
    limiter = new RequestLimiter({ ...(counterStore ? { redis: counterStore } : {}), prefix });
    limiters.set(services, limiter);
  }
  return limiter;
}

/** The counter key and tier: the operation's auth tier per IP, else per API key, user or IP. */
export function rateLimitSubject(principal: Principal, ip: string, op: Operation | undefined): RateSubject {
  if (op?.tier) return { key: `${op.tier}:${ip}`, tier: op.tier };
  if (principal.kind === "user") {
    const tier: RateTier = principal.superadmin || principal.role === "admin" ? "admin" : "user";
    return principal.apiKey ? { key: `key:${principal.apiKey.id}`, tier } : { key: `user:${principal.userId}`, tier };
  }
  return { key: `ip:${ip}`, tier: "anonymous" };
}

/** True while requests are counted (CAIRN_RATE_LIMIT and the `rate_limit_enabled` setting). */
export function rateLimitsActive(services: Services): boolean {
  return services.config.rateLimitEnabled && rateLimitsOn(services.settings);
}

/**
 * Counts one request for `subject` and returns the decision (undefined while limits are off).
 * Audits the first refusal of a window; `where` names the request in that entry. Never throws
 * for a counter-store outage (counting falls back to memory).
 */
export async function countRequest(ctx: Context, subject: RateSubject, where: string): Promise<LimitDecision | undefined> {
  const { services } = ctx;
  if (!rateLimitsActive(services)) return undefined;
  return audited(ctx, subject, where, await requestLimiter(services).hit(subject.key, limitsFor(services.settings, subject.tier)));
}

/**
 * `countRequest` without waiting when the counters are in memory (the default): the decision,
 * or undefined while limits are off. Returns a promise only when the counters are in Redis.
 */
export function countRequestNow(ctx: Context, subject: RateSubject, where: string): LimitDecision | undefined | Promise<LimitDecision | undefined> {
  const { services } = ctx;
  if (!rateLimitsActive(services)) return undefined;
  const decision = requestLimiter(services).hitInMemory(subject.key, limitsFor(services.settings, subject.tier));
  return decision ? audited(ctx, subject, where, decision) : countRequest(ctx, subject, where);
}

/** Audits the first refusal of a window (once per key and window, not once per request). */
function audited(ctx: Context, subject: RateSubject, where: string, decision: LimitDecision): LimitDecision {
  if (!decision.allowed && decision.firstRefusal) {
    void audit(ctx, {
      eventType: "security",
      eventAction: "rate_limit",
      severity: "warning",
      outcome: "failure",
      description: `Rate limit exceeded (${subject.tier}) on ${where}`,
      details: { tier: subject.tier, subject: subject.key, limit_per_minute: decision.minute.limit, limit_per_hour: decision.hour.limit },
    });
  }
  return decision;
}

/** The error a refused request gets (429, Retry-After, the limits in `details`). */
export function rateLimitError(d: LimitDecision): RateLimitedError {
  const s = d.retryAfterSeconds;
  return new RateLimitedError(`Rate limit exceeded (${d.minute.limit} requests per minute, ${d.hour.limit} per hour); try again in ${s} second${s === 1 ? "" : "s"}`, s, {
    limit_per_minute: d.minute.limit,
    limit_per_hour: d.hour.limit,
    retry_after_seconds: s,
  });
}

/**
 * Counts an operation that declares an auth tier in that tier (no-op otherwise). Throws
 * RateLimitedError (429) over the limit. For transports that learn the operation after the
 * request was counted in the caller's tier (GraphQL's `login`/`register` mutations).
 */
export async function countAuthTier(ctx: Context, op: Operation, ip: string, where: string): Promise<void> {
  if (!op.tier) return;
  const decision = await countRequest(ctx, rateLimitSubject(ctx.principal, ip, op), where);
  if (decision && !decision.allowed) throw rateLimitError(decision);
}
