/**
 * ListCache.rows: concurrent reads of one uncached page share one read, a read that a change
 * overtook is not remembered, a failed read is not remembered, rows handed out are frozen, pages
 * beyond PAGE_MAX_ROWS are not kept, the byte budget drops the least recently used page first,
 * entries expire; and PostgreSQL rows' parsed JSON values reach each record as its own copy.
 */
import { describe, expect, it } from "vitest";
import { ListCache, PAGE_MAX_ROWS } from "../../src/core/records/list-cache.ts";
import type { CollectionDef } from "../../src/core/collections/types.ts";
import { rowMapper } from "../../src/core/records/values.ts";

const stmt = (n: number) => ({ sql: `select * from "items" where n = ? limit 31`, parameters: [n] });
const rows = (count: number, text = "x") => Array.from({ length: count }, (_, i) => ({ id: String(i), title: text }));

/** A reader whose reads finish when the test says so. */
function gate() {
  const done: ((r: Record<string, unknown>[]) => void)[] = [];
  const fail: ((e: Error) => void)[] = [];
  const read = () =>
    new Promise<Record<string, unknown>[]>((resolve, reject) => {
      done.push(resolve);
      fail.push(reject);
    });
  return { read, done, fail };
}

/** A reader that counts its reads. */
function counted(make: () => Record<string, unknown>[]) {
  const r = { reads: 0, read: async () => (r.reads++, make()) };
  return r;
}

describe("ListCache.rows", () => {
  it("shares one read among concurrent requests, then answers from the cache with frozen rows", async () => {
    const cache = new ListCache();
    const g = gate();
    const waiting = Array.from({ length: 4 }, () => cache.rows("items", stmt(1), g.read));
    expect(g.done).toHaveLength(1);
    g.done[0]!(rows(3));
    const pages = await Promise.all(waiting);
    expect(new Set(pages).size).toBe(1);
    const again = await cache.rows("items", stmt(1), g.read);
    expect(again).toBe(pages[0]);
    expect(g.done).toHaveLength(1);
    expect(Object.isFrozen(again) && again.every((r) => Object.isFrozen(r))).toBe(true);
    // another statement (other parameters) is another page
    void cache.rows("items", stmt(2), g.read);
    expect(g.done).toHaveLength(2);
  });

  it("reads again after a change, and does not keep a read the change overtook", async () => {
    const cache = new ListCache();
    const g = gate();
    const before = cache.rows("items", stmt(1), g.read);
    cache.invalidate("Items");
    g.done[0]!(rows(1, "old"));
    expect((await before)[0]!.title).toBe("old");
    const after = cache.rows("items", stmt(1), g.read);
    expect(g.done).toHaveLength(2);
    g.done[1]!(rows(1, "new"));
    expect((await after)[0]!.title).toBe("new");
    expect((await cache.rows("items", stmt(1), g.read))[0]!.title).toBe("new");
    expect(g.done).toHaveLength(2);
  });

  it("does not keep a failed read", async () => {
    const cache = new ListCache();
    const g = gate();
    const failing = cache.rows("items", stmt(1), g.read);
    g.fail[0]!(new Error("database unavailable"));
    await expect(failing).rejects.toThrow("database unavailable");
    const retry = cache.rows("items", stmt(1), g.read);
    expect(g.done).toHaveLength(2);
    g.done[1]!(rows(2));
    expect(await retry).toHaveLength(2);
  });

  it("does not keep pages beyond PAGE_MAX_ROWS", async () => {
    const cache = new ListCache();
    const big = counted(() => rows(PAGE_MAX_ROWS + 1));
    await cache.rows("items", stmt(1), big.read);
    await cache.rows("items", stmt(1), big.read);
    expect(big.reads).toBe(2);
    expect(cache.pageBytes).toBe(0);
  });

  it("keeps pages within the byte budget, dropping the least recently used first", async () => {
    const cache = new ListCache({ pageBytes: 128 * 1024 });
    const page = counted(() => rows(30, "y".repeat(100)));
    for (let n = 0; n < 40; n++) await cache.rows("items", stmt(n), page.read);
    expect(page.reads).toBe(40);
    expect(cache.pageBytes).toBeGreaterThan(0);
    expect(cache.pageBytes).toBeLessThanOrEqual(128 * 1024);
    // the newest page is held, the oldest was dropped
    await cache.rows("items", stmt(39), page.read);
    expect(page.reads).toBe(40);
    await cache.rows("items", stmt(0), page.read);
    expect(page.reads).toBe(41);
  });

  it("reads again once an entry expired, and never caches with a budget of 0", async () => {
    let now = 1_000;
    const cache = new ListCache({ now: () => now, ttlMs: 100 });
    const page = counted(() => rows(1));
    await cache.rows("items", stmt(1), page.read);
    now += 99;
    await cache.rows("items", stmt(1), page.read);
    expect(page.reads).toBe(1);
    now += 1;
    await cache.rows("items", stmt(1), page.read);
    expect(page.reads).toBe(2);

    const off = new ListCache({ pageBytes: 0 });
    await off.rows("items", stmt(1), page.read);
    await off.rows("items", stmt(1), page.read);
    expect(page.reads).toBe(4);
  });
});

describe("rowMapper on PostgreSQL", () => {
  it("gives each record its own copy of a JSON value", () => {
    const def = { id: "c1", name: "items", fields: [{ id: "f1", name: "meta", type: "json" }] } as unknown as CollectionDef;
    const row = Object.freeze({ id: "r1", meta: Object.freeze({ tags: ["a"] }) });
    const map = rowMapper(def, "postgres");
    const a = map(row);
    const b = map(row);
    expect(a.meta).toEqual({ tags: ["a"] });
    expect(a.meta).not.toBe(row.meta);
    (a.meta as { tags: string[] }).tags.push("b");
    expect(b.meta).toEqual({ tags: ["a"] });
    expect(row.meta.tags).toEqual(["a"]);
  });
});
