/**
 * Fixed-window request counters (one per minute, one per hour) behind rate-limiter-flexible:
 * in memory by default, in Redis when a client is given so every instance shares the counts.
 * A Redis outage falls back to per-instance memory counters instead of failing requests.
 *
 * The counters only count; the limit is compared here, per call, so settings changes apply
 * without rebuilding limiters (and without losing the counts so far).
 */
import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { RateLimiterAbstract, RateLimiterMemory as MemoryLimiter, RateLimiterRedis as RedisLimiter, RateLimiterRes } from "rate-limiter-flexible";
import type { Limits } from "./limits.ts";

// The two limiters by their own files: the package's index loads every store it supports
// (Mongo, MySQL, DynamoDB, etcd, …; about 80 modules) at start-up.
const require = createRequire(import.meta.url);
const RateLimiterMemory: typeof MemoryLimiter = require("rate-limiter-flexible/lib/RateLimiterMemory.js");
const redisLimiter = (): typeof RedisLimiter => require("rate-limiter-flexible/lib/RateLimiterRedis.js");

/** Large enough never to be reached: the limiter must not reject by itself. */
const UNLIMITED = 2 ** 31 - 1;

export interface WindowState {
  limit: number;
  remaining: number;
  /** milliseconds until this window resets */
  resetMs: number;
}

export interface LimitDecision {
  allowed: boolean;
  minute: WindowState;
  hour: WindowState;
  /** when refused: seconds until every exceeded window has reset */
  retryAfterSeconds: number;
  /** the first refused request of its window (audit once per window, not once per request) */
  firstRefusal: boolean;
}

function counter(duration: number, keyPrefix: string, redis: Redis | undefined): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points: UNLIMITED, duration, keyPrefix });
  if (!redis) return memory;
  const RateLimiterRedis = redisLimiter();
  return new RateLimiterRedis({ storeClient: redis, points: UNLIMITED, duration, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter: memory }) as unknown as RateLimiterAbstract;
}

function windowState(res: RateLimiterRes, limit: number): WindowState {
  return { limit, remaining: Math.max(limit - res.consumedPoints, 0), resetMs: Math.max(res.msBeforeNext, 0) };
}

export class RequestLimiter {
  readonly #minute: RateLimiterAbstract;
  readonly #hour: RateLimiterAbstract;

  /** `prefix` namespaces the Redis keys (instances sharing a database share it). */
  constructor(opts: { redis?: Redis; prefix: string }) {
    this.#minute = counter(60, `${opts.prefix}:rl:m`, opts.redis);
    this.#hour = counter(3600, `${opts.prefix}:rl:h`, opts.redis);
  }

  /** Counts one request for `key` and says whether it is within `limits`. Never throws for a store outage. */
  async hit(key: string, limits: Limits): Promise<LimitDecision> {
    const [m, h] = await Promise.all([this.#minute.penalty(key, 1), this.#hour.penalty(key, 1)]);
    const overMinute = m.consumedPoints > limits.perMinute;
    const overHour = h.consumedPoints > limits.perHour;
    const allowed = !overMinute && !overHour;
    let retryMs = 0;
    if (overMinute) retryMs = Math.max(retryMs, m.msBeforeNext);
    if (overHour) retryMs = Math.max(retryMs, h.msBeforeNext);
    return {
      allowed,
      minute: windowState(m, limits.perMinute),
      hour: windowState(h, limits.perHour),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(retryMs / 1000)),
      firstRefusal: (overMinute && m.consumedPoints === limits.perMinute + 1) || (overHour && h.consumedPoints === limits.perHour + 1),
    };
  }
}
