/**
 * The timer that takes old names out of the GraphQL schema when a rename's grace period ends
 * (graphql/rename-aliases.ts): one rebuild per end, and none lost when a second period ends
 * while the rebuild for the first one runs. Vitest's fake clock stands in for time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CollectionDef } from "../../src/core/collections/types.ts";
import { scheduleRenameExpiry } from "../../src/graphql/rename-aliases.ts";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");

function defWithRenames(...untils: number[]): CollectionDef {
  const renamed = untils.map((u, i) => ({ kind: "field", from: `old${i}`, to: `new${i}`, at: new Date(T0).toISOString(), until: new Date(u).toISOString() }));
  return { name: "ledgers", fields: [], options: { renamed } } as unknown as CollectionDef;
}

describe("rename expiry", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it("rebuilds once per end of a grace period, and not after the last", () => {
    const defs = [defWithRenames(T0 + 1_000, T0 + 5_000)];
    const rebuilds: number[] = [];
    const stop = scheduleRenameExpiry(
      () => defs,
      () => rebuilds.push(Date.now() - T0),
      () => () => {},
    );
    vi.advanceTimersByTime(10_000);
    expect(rebuilds).toEqual([1_010, 5_010]);
    stop();
  });

  it("rebuilds again when a period ends while the rebuild for an earlier one runs", () => {
    // the first rebuild starts at 1,010 ms and takes 20: the second period ends (1,015 ms) while
    // it runs, so the schema it builds still holds the second old name
    const defs = [defWithRenames(T0 + 1_000, T0 + 1_015)];
    const rebuilds: number[] = [];
    const stop = scheduleRenameExpiry(
      () => defs,
      () => {
        rebuilds.push(Date.now() - T0);
        vi.setSystemTime(Date.now() + 20);
      },
      () => () => {},
    );
    vi.advanceTimersByTime(5_000);
    expect(rebuilds).toHaveLength(2);
    // right after the first (a zero delay: the timer's own 1 ms)
    expect(rebuilds[1]).toBeGreaterThanOrEqual(1_030);
    expect(rebuilds[1]).toBeLessThanOrEqual(1_031);
    stop();
  });

  it("re-arms when the registry changes", () => {
    const defs: CollectionDef[] = [];
    let changed: () => void = () => {};
    const rebuilds: number[] = [];
    const stop = scheduleRenameExpiry(
      () => defs,
      () => rebuilds.push(Date.now() - T0),
      (fn) => {
        changed = fn;
        return () => {};
      },
    );
    vi.advanceTimersByTime(1_000);
    expect(rebuilds).toEqual([]);
    defs.push(defWithRenames(T0 + 3_000));
    changed();
    vi.advanceTimersByTime(5_000);
    expect(rebuilds).toEqual([3_010]);
    stop();
  });
});
