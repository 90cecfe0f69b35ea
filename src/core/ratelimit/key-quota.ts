/**
 * Per-API-key quotas of the R3 dialect (spec 004: 60 requests per minute and 10,000 per day by
 * default; settings `r3_rate_limit_per_minute`, `r3_rate_limit_per_day`). Fixed windows behind
 * rate-limiter-flexible, shared through Redis when the pub/sub port has a counter store (a Redis
 * outage falls back to memory counters, as request-limiter.ts does).
 */
import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { RateLimiterAbstract, RateLimiterMemory as MemoryLimiter, RateLimiterRedis as RedisLimiter } from "rate-limiter-flexible";
import type { Context, Services } from "../context.ts";
import { RateLimitedError } from "../errors.ts";
import { rateLimitsActive } from "../policy/rate-limit.ts";

const require = createRequire(import.meta.url);
const RateLimiterMemory: typeof MemoryLimiter = require("rate-limiter-flexible/lib/RateLimiterMemory.js");
const redisLimiter = (): typeof RedisLimiter => require("rate-limiter-flexible/lib/RateLimiterRedis.js");

export const DEFAULT_KEY_PER_MINUTE = 60;
export const DEFAULT_KEY_PER_DAY = 10_000;
const UNLIMITED = 2 ** 31 - 1;

interface Windows {
  minute: RateLimiterAbstract;
  day: RateLimiterAbstract;
}
const windows = new WeakMap<Services, Windows>();

function counter(duration: number, keyPrefix: string, redis: Redis | undefined): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points: UNLIMITED, duration, keyPrefix });
  if (!redis) return memory;
  const RateLimiterRedis = redisLimiter();
  return new RateLimiterRedis({ storeClient: redis, points: UNLIMITED, duration, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter: memory }) as unknown as RateLimiterAbstract;
}

function windowsOf(services: Services): Windows {
  let w = windows.get(services);
  if (!w) {
    const { counterStore, prefix } = services.pubsub;
    w = { minute: counter(60, `${prefix}:kq:m`, counterStore), day: counter(86_400, `${prefix}:kq:d`, counterStore) };
    windows.set(services, w);
  }
  return w;
}

function setting(services: Services, key: string, fallback: number): number {
  const v = services.settings.get<unknown>(key, fallback);
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : fallback;
}

/**
 * Counts one request of the caller's API key against its quota. Nothing for callers without a
 * key, or while rate limits are off (CAIRN_RATE_LIMIT, setting `rate_limit_enabled`).
 * @throws RateLimitedError 429 (Retry-After: seconds until the exceeded window resets).
 */
export async function chargeKeyQuota(ctx: Context): Promise<void> {
  const p = ctx.principal;
  if (p.kind !== "user" || !p.apiKey || !rateLimitsActive(ctx.services)) return;
  const { services } = ctx;
  const perMinute = setting(services, "r3_rate_limit_per_minute", DEFAULT_KEY_PER_MINUTE);
  const perDay = setting(services, "r3_rate_limit_per_day", DEFAULT_KEY_PER_DAY);
  const w = windowsOf(services);
  const [m, d] = await Promise.all([w.minute.penalty(p.apiKey.id, 1), w.day.penalty(p.apiKey.id, 1)]);
  const overMinute = m.consumedPoints > perMinute;
  const overDay = d.consumedPoints > perDay;
  if (!overMinute && !overDay) return;
  const ms = Math.max(overMinute ? m.msBeforeNext : 0, overDay ? d.msBeforeNext : 0);
  const s = Math.max(1, Math.ceil(ms / 1000));
  throw new RateLimitedError(`Rate limit exceeded for this API key (${perMinute} requests per minute, ${perDay} per day); try again in ${s} second${s === 1 ? "" : "s"}`, s);
}
