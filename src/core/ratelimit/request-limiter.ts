/**
 * Fixed-window request counters (one per minute, one per hour): in memory by default (counted
 * synchronously, see `FixedWindows`), in Redis through rate-limiter-flexible when a client is
 * given so every instance shares the counts. A Redis outage falls back to per-instance memory
 * counters (rate-limiter-flexible's insurance limiter) instead of failing requests.
 *
 * The counters only count; the limit is compared here, per call, so settings changes apply
 * without rebuilding limiters (and without losing the counts so far).
 */
import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { RateLimiterAbstract, RateLimiterMemory as MemoryLimiter, RateLimiterRedis as RedisLimiter } from "rate-limiter-flexible";
import type { Limits } from "./limits.ts";

// The two limiters by their own files, and only with Redis: the package's index loads every
// store it supports (Mongo, MySQL, DynamoDB, etcd, …; about 80 modules) at start-up.
const require = createRequire(import.meta.url);
const memoryLimiter = (): typeof MemoryLimiter => require("rate-limiter-flexible/lib/RateLimiterMemory.js");
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

function redisCounter(duration: number, keyPrefix: string, redis: Redis): RateLimiterAbstract {
  const RateLimiterMemory = memoryLimiter();
  const memory = new RateLimiterMemory({ points: UNLIMITED, duration, keyPrefix });
  const RateLimiterRedis = redisLimiter();
  return new RateLimiterRedis({ storeClient: redis, points: UNLIMITED, duration, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter: memory }) as unknown as RateLimiterAbstract;
}

/** What a counter says after a hit: the hits in the current window and the time until it ends. */
interface Count {
  consumedPoints: number;
  msBeforeNext: number;
}

/**
 * In-memory fixed windows, as rate-limiter-flexible's memory store counts them (a key's window
 * starts at its first hit and lasts `durationMs`), but synchronous and without a timer per key:
 * ended windows are dropped by a sweep at most once per window length, on a hit.
 */
export class FixedWindows {
  readonly #windows = new Map<string, { count: number; endsAt: number }>();
  #nextSweep: number;

  constructor(
    private readonly durationMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#nextSweep = now() + durationMs;
  }

  hit(key: string): Count {
    const now = this.now();
    if (now >= this.#nextSweep) this.#sweep(now);
    const w = this.#windows.get(key);
    if (w && w.endsAt > now) {
      w.count++;
      return { consumedPoints: w.count, msBeforeNext: w.endsAt - now };
    }
    this.#windows.set(key, { count: 1, endsAt: now + this.durationMs });
    return { consumedPoints: 1, msBeforeNext: this.durationMs };
  }

  /** keys with a running window */
  get size(): number {
    return this.#windows.size;
  }

  #sweep(now: number): void {
    for (const [key, w] of this.#windows) if (w.endsAt <= now) this.#windows.delete(key);
    this.#nextSweep = now + this.durationMs;
  }
}

function windowState(res: Count, limit: number): WindowState {
  return { limit, remaining: Math.max(limit - res.consumedPoints, 0), resetMs: Math.max(res.msBeforeNext, 0) };
}

function decide(m: Count, h: Count, limits: Limits): LimitDecision {
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

export class RequestLimiter {
  readonly #memory: { minute: FixedWindows; hour: FixedWindows } | undefined;
  readonly #redis: { minute: RateLimiterAbstract; hour: RateLimiterAbstract } | undefined;

  /** `prefix` namespaces the Redis keys (instances sharing a database share it). */
  constructor(opts: { redis?: Redis; prefix: string; now?: () => number }) {
    if (opts.redis) this.#redis = { minute: redisCounter(60, `${opts.prefix}:rl:m`, opts.redis), hour: redisCounter(3600, `${opts.prefix}:rl:h`, opts.redis) };
    else this.#memory = { minute: new FixedWindows(60_000, opts.now), hour: new FixedWindows(3_600_000, opts.now) };
  }

  /**
   * Counts one request for `key` without waiting when the counters are in memory; undefined
   * (nothing counted) when they are in Redis: call `hit` then.
   */
  hitInMemory(key: string, limits: Limits): LimitDecision | undefined {
    if (!this.#memory) return undefined;
    return decide(this.#memory.minute.hit(key), this.#memory.hour.hit(key), limits);
  }

  /** Counts one request for `key` and says whether it is within `limits`. Never throws for a store outage. */
  async hit(key: string, limits: Limits): Promise<LimitDecision> {
    if (!this.#redis) return this.hitInMemory(key, limits)!;
    const [m, h] = await Promise.all([this.#redis.minute.penalty(key, 1), this.#redis.hour.penalty(key, 1)]);
    return decide(m, h, limits);
  }
}
