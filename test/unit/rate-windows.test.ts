/**
 * The in-memory request counters (core/ratelimit/request-limiter.ts): fixed windows that start
 * at a key's first hit, counted without waiting, with the remaining time of the window, and
 * ended windows dropped so idle keys do not accumulate. A controllable clock stands in for time.
 */
import { describe, expect, it } from "vitest";
import { FixedWindows, RequestLimiter } from "../../src/core/ratelimit/request-limiter.ts";

describe("in-memory fixed windows", () => {
  it("counts hits per key within a window and starts a new window once it ended", () => {
    let now = 1_000;
    const w = new FixedWindows(60_000, () => now);
    expect(w.hit("a")).toEqual({ consumedPoints: 1, msBeforeNext: 60_000 });
    now += 10_000;
    expect(w.hit("a")).toEqual({ consumedPoints: 2, msBeforeNext: 50_000 });
    expect(w.hit("b")).toEqual({ consumedPoints: 1, msBeforeNext: 60_000 });
    now += 50_000; // a's window ends exactly now
    expect(w.hit("a")).toEqual({ consumedPoints: 1, msBeforeNext: 60_000 });
    expect(w.hit("b")).toEqual({ consumedPoints: 2, msBeforeNext: 10_000 });
  });

  it("drops ended windows once a window length has passed", () => {
    let now = 0;
    const w = new FixedWindows(1_000, () => now);
    for (let i = 0; i < 100; i++) w.hit(`ip:${i}`);
    expect(w.size).toBe(100);
    now = 1_500;
    w.hit("late");
    expect(w.size).toBe(1);
  });

  it("decides without waiting in memory, with the same answer as hit()", async () => {
    let now = 0;
    const limiter = new RequestLimiter({ prefix: "t", now: () => now });
    const limits = { perMinute: 2, perHour: 10 };
    expect(limiter.hitInMemory("k", limits)).toMatchObject({ allowed: true, minute: { limit: 2, remaining: 1, resetMs: 60_000 }, hour: { remaining: 9 } });
    now = 1_000;
    expect(await limiter.hit("k", limits)).toMatchObject({ allowed: true, minute: { remaining: 0, resetMs: 59_000 } });
    const refused = limiter.hitInMemory("k", limits)!;
    expect(refused).toMatchObject({ allowed: false, firstRefusal: true, retryAfterSeconds: 59, minute: { remaining: 0 } });
    expect(limiter.hitInMemory("k", limits)).toMatchObject({ allowed: false, firstRefusal: false });
    now = 61_000; // the minute window ended; the hour window goes on
    expect(limiter.hitInMemory("k", limits)).toMatchObject({ allowed: true, minute: { remaining: 1 }, hour: { remaining: 5 } });
  });
});
