/**
 * TotalsCache.total: concurrent requests for the same uncached total share one count, a request
 * after a change never joins a count started before it, and a failed count is not remembered.
 */
import { describe, expect, it } from "vitest";
import { TotalsCache } from "../../src/core/records/totals.ts";

const stmt = { sql: "SELECT count(*) FROM items WHERE account_id = $1", parameters: ["default"] };

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

describe("TotalsCache.total", () => {
  it("shares one count among concurrent requests, then answers from the cache", async () => {
    const totals = new TotalsCache();
    const g = gate();
    const waiting = Array.from({ length: 5 }, () => totals.total("items", stmt, g.counter));
    expect(g.calls).toHaveLength(1);
    g.calls[0]!(42);
    expect(await Promise.all(waiting)).toEqual([42, 42, 42, 42, 42]);
    expect(await totals.total("items", stmt, g.counter)).toBe(42);
    expect(g.calls).toHaveLength(1);
  });

  it("a request after a change counts again instead of joining the older count", async () => {
    const totals = new TotalsCache();
    const g = gate();
    const before = totals.total("items", stmt, g.counter);
    totals.invalidate("items");
    const after = totals.total("items", stmt, g.counter);
    expect(g.calls).toHaveLength(2);
    g.calls[0]!(1);
    g.calls[1]!(2);
    expect([await before, await after]).toEqual([1, 2]);
    // only the count of the current generation is remembered
    expect(totals.get("items", stmt)).toBe(2);
  });

  it("a failed count fails its requests and is not remembered", async () => {
    const totals = new TotalsCache();
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
