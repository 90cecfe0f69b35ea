/**
 * TotalsCache.total: concurrent requests for the same uncached total share one count, a request
 * after a change never joins a count started before it but waits for the next one (one count of
 * a statement at a time), and a failed count is not remembered.
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

  it("a request after a change counts again, after the older count, instead of joining it", async () => {
    const totals = new TotalsCache();
    const g = gate();
    const before = totals.total("items", stmt, g.counter);
    totals.invalidate("items");
    const after = totals.total("items", stmt, g.counter);
    // one count of the statement at a time: the next starts when the running one ends
    expect(g.calls).toHaveLength(1);
    g.calls[0]!(1);
    expect(await before).toBe(1);
    await Promise.resolve();
    expect(g.calls).toHaveLength(2);
    g.calls[1]!(2);
    expect(await after).toBe(2);
    // only the count of the current generation is remembered
    expect(totals.get("items", stmt)).toBe(2);
  });

  it("requests after several changes share one count, started after the last of them arrived", async () => {
    const totals = new TotalsCache();
    const g = gate();
    const first = totals.total("items", stmt, g.counter);
    const later: Promise<number>[] = [];
    for (let i = 0; i < 3; i++) {
      totals.invalidate("items");
      later.push(totals.total("items", stmt, g.counter), totals.total("items", stmt, g.counter));
    }
    expect(g.calls).toHaveLength(1);
    g.calls[0]!(10);
    expect(await first).toBe(10);
    await new Promise((r) => setImmediate(r));
    expect(g.calls).toHaveLength(2);
    // a request arriving now (no change since the next count started) joins it
    later.push(totals.total("items", stmt, g.counter));
    // …and one after another change waits for the count after that
    totals.invalidate("items");
    const last = totals.total("items", stmt, g.counter);
    expect(g.calls).toHaveLength(2);
    g.calls[1]!(13);
    expect(await Promise.all(later)).toEqual([13, 13, 13, 13, 13, 13, 13]);
    // counted before the last change: not remembered, and `last` counts again
    expect(totals.get("items", stmt)).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect(g.calls).toHaveLength(3);
    g.calls[2]!(14);
    expect(await last).toBe(14);
    expect(totals.get("items", stmt)).toBe(14);
  });

  it("a failed count does not fail the requests queued after it", async () => {
    const totals = new TotalsCache();
    const g = gate();
    const a = totals.total("items", stmt, g.counter);
    totals.invalidate("items");
    const b = totals.total("items", stmt, g.counter);
    g.fails[0]!(new Error("connection lost"));
    await expect(a).rejects.toThrow("connection lost");
    await new Promise((r) => setImmediate(r));
    expect(g.calls).toHaveLength(2);
    g.calls[1]!(5);
    expect(await b).toBe(5);
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
