/**
 * ListCache.total: concurrent requests for the same uncached total share one count, a request
 * after a change never joins a count started before it but waits for it to end and shares the
 * next one, and a failed count is not remembered.
 */
import { describe, expect, it } from "vitest";
import { ListCache } from "../../src/core/records/list-cache.ts";

const stmt = { sql: "SELECT count(*) FROM items WHERE account_id = $1", parameters: ["default"] };

/** Waits (over microtasks and timers) until `ok` holds. */
async function eventually(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setImmediate(r));
  expect(ok()).toBe(true);
}

/** A counter whose counts finish when the test says so. */
function gate() {
  const calls: ((n: number) => void)[] = [];
  const fails: ((e: Error) => void)[] = [];
  const counter = () =>
    new Promise<number>((resolve, reject) => {
      calls.push(resolve);
      fails.push(reject);
    });
  return { counter, calls, fails };
}

describe("ListCache.total", () => {
  it("shares one count among concurrent requests, then answers from the cache", async () => {
    const totals = new ListCache();
    const g = gate();
    const waiting = Array.from({ length: 5 }, () => totals.total("items", stmt, g.counter));
    expect(g.calls).toHaveLength(1);
    g.calls[0]!(42);
    expect(await Promise.all(waiting)).toEqual([42, 42, 42, 42, 42]);
    expect(await totals.total("items", stmt, g.counter)).toBe(42);
    expect(g.calls).toHaveLength(1);
  });

  it("a request after a change waits for the older count, then counts again; later ones share that count", async () => {
    const totals = new ListCache();
    const g = gate();
    const before = totals.total("items", stmt, g.counter);
    totals.invalidate("items");
    const after = totals.total("items", stmt, g.counter);
    totals.invalidate("items");
    const later = totals.total("items", stmt, g.counter);
    // one count at a time: the second starts when the first ends
    expect(g.calls).toHaveLength(1);
    g.calls[0]!(1);
    expect(await before).toBe(1);
    await eventually(() => g.calls.length === 2);
    // it started after both changes, so it answers both requests
    g.calls[1]!(3);
    expect([await after, await later]).toEqual([3, 3]);
    expect(g.calls).toHaveLength(2);
    // only the count of the current generation is remembered
    expect(totals.get("items", stmt)).toBe(3);
  });

  it("a request after a change still counts again when the older count fails", async () => {
    const totals = new ListCache();
    const g = gate();
    const before = totals.total("items", stmt, g.counter);
    totals.invalidate("items");
    const after = totals.total("items", stmt, g.counter);
    g.fails[0]!(new Error("connection lost"));
    await expect(before).rejects.toThrow("connection lost");
    await eventually(() => g.calls.length === 2);
    g.calls[1]!(5);
    expect(await after).toBe(5);
  });

  it("a failed count fails its requests and is not remembered", async () => {
    const totals = new ListCache();
    const g = gate();
    const a = totals.total("items", stmt, g.counter);
    const b = totals.total("items", stmt, g.counter);
    g.fails[0]!(new Error("connection lost"));
    await expect(a).rejects.toThrow("connection lost");
    await expect(b).rejects.toThrow("connection lost");
    const c = totals.total("items", stmt, g.counter);
    expect(g.calls).toHaveLength(2);
    g.calls[1]!(7);
    expect(await c).toBe(7);
  });
});
