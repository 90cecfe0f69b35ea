/**
 * Cached list results: exact totals and page rows. A list returns an exact `total`; counting
 * every matching row again for a list repeated while its collection has not changed is the
 * largest part of its cost on a big table, and a page asked again (the same front page of a
 * site, the same GraphQL list) reads the same rows again. So both are remembered per statement —
 * its SQL text and parameters, which hold the collection, the account, the filter with the
 * caller's access rule ANDed in, the search, the order, the projection and the window — and
 * forgotten when the collection changes:
 *
 * - Every committed write reaches the in-process bus after commit (record events, cascades,
 *   collection changes); that invalidates the collection here at once and is announced on the
 *   pub/sub port's `collections` channel (one message per collection per tick), which
 *   invalidates it on every other instance. Restores and account deletions invalidate directly.
 * - Rule and permission changes change the access expression, so they change the statement and
 *   never meet an old entry; collection changes (schema, rules) also invalidate as writes.
 * - An entry older than {@link TOTAL_TTL_MS} is read again anyway: a safety net for a missed
 *   message (a Redis outage) or a write made outside Cairn.
 * - Lists read inside a transaction (they may see its uncommitted writes), asked with
 *   `Cache-Control: no-cache`, or walking a whole collection (exports) bypass the cache (read.ts).
 *
 * Invalidation is by generation: each collection has a number bumped on every change, and an
 * entry is valid only while the number it was read under is current. A read that started
 * before a change and finishes after it is therefore never stored as current.
 *
 * Pages are kept within a byte budget (`CAIRN_LIST_CACHE_MB`, estimated from the values'
 * sizes), least recently used first out; pages of more than {@link PAGE_MAX_ROWS} rows (exports)
 * are not kept. Cached rows are shared by every request that reads them: they are frozen, and
 * callers copy what they change.
 */
import type { EventBus } from "../events/bus.ts";
import type { PubSub } from "../events/pubsub.ts";
import type { Row } from "../../db/sql-db.ts";

/** Entries remembered at most; the least recently used is forgotten first. */
export const TOTAL_CACHE_SIZE = 5_000;
/** Age after which a cached total or page is read again even without a change. */
export const TOTAL_TTL_MS = 60_000;
/** Default byte budget of cached pages. */
export const PAGE_CACHE_BYTES = 4 * 1024 * 1024;
/** Pages of more rows are not kept (a page of 100 and its look-ahead row fit). */
export const PAGE_MAX_ROWS = 101;
/** Estimated bytes of a row and of each of its values besides a string's characters. */
const ROW_BYTES = 64;
const VALUE_BYTES = 16;

/** A change notice on the `collections` channel: these collections' totals are stale. */
export interface CollectionsMessage {
  collections: string[];
}

interface Entry {
  total: number;
  generation: number;
  expires: number;
}

interface Counting {
  generation: number;
  total: Promise<number>;
}

interface PageEntry {
  rows: readonly Row[];
  generation: number;
  expires: number;
  bytes: number;
}

interface Reading {
  generation: number;
  rows: Promise<readonly Row[]>;
}

/**
 * What a cached statement reads: its collection, or its collection and the others it reads (a
 * filter through references, `readsOf`); an entry holds while none of them changed.
 */
export type Scope = string | readonly string[];

/** A statement as compiled (SQL text and parameters): what a cached total or page is keyed on. */
export interface CachedStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export class ListCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pages = new Map<string, PageEntry>();
  #pageBytes = 0;
  /** the page read in flight per statement, with the generation it started in */
  readonly #reading = new Map<string, Reading>();
  /** collection name (lower case) → generation; absent = 0 */
  readonly #generations = new Map<string, number>();
  readonly #pending = new Set<string>();
  /** the count in flight per statement, with the generation it started in */
  readonly #counting = new Map<string, Counting>();
  /** per statement: the count that starts when the one in flight, of an older generation, ends */
  readonly #next = new Map<string, Promise<number>>();
  readonly #offs: (() => void)[] = [];

  private readonly now: () => number;
  private readonly size: number;
  private readonly ttlMs: number;
  private readonly pageBudget: number;

  /** `pageBytes`: the byte budget of cached pages (0: pages are not cached). */
  constructor(o: { now?: () => number; totals?: number; ttlMs?: number; pageBytes?: number } = {}) {
    this.now = o.now ?? Date.now;
    this.size = o.totals ?? TOTAL_CACHE_SIZE;
    this.ttlMs = o.ttlMs ?? TOTAL_TTL_MS;
    this.pageBudget = o.pageBytes ?? PAGE_CACHE_BYTES;
  }

  /** Listens for local commits on `bus` and other instances' changes on `pubsub`. */
  connect(bus: EventBus, pubsub: PubSub): void {
    this.#offs.push(
      bus.subscribe((e) => this.#changedHere(e.collection, pubsub)),
      pubsub.subscribe("collections", (m, delivery) => {
        if (delivery.local || !isCollectionsMessage(m)) return;
        for (const name of m.collections) this.invalidate(name);
      }),
    );
  }

  /**
   * The current generation of a scope: pass it to {@link set} with the count it started. For
   * several collections, the sum of theirs (each only grows, so the sum changes when any does).
   */
  generation(scope: Scope): number {
    if (typeof scope === "string") return this.#generations.get(scope.toLowerCase()) ?? 0;
    let sum = 0;
    for (const name of scope) sum += this.#generations.get(name.toLowerCase()) ?? 0;
    return sum;
  }

  /** The cached total of the statement, when still current. */
  get(scope: Scope, stmt: CachedStatement): number | undefined {
    const key = keyOf(scope, stmt);
    const e = this.#entries.get(key);
    if (!e) return undefined;
    this.#entries.delete(key);
    if (e.generation !== this.generation(scope) || e.expires <= this.now()) return undefined;
    this.#entries.set(key, e); // most recently used last
    return e.total;
  }

  /**
   * The total of the statement: the cached one while current, else `counter`'s, remembered under
   * the generation it started in. Concurrent requests for the same uncached total share one
   * count: after a write, every list in flight would otherwise count the whole table at once
   * (32 concurrent COUNTs of 100,000 rows after each write made the PostgreSQL tail 18× p50).
   *
   * At most one count per statement runs at a time. A request arriving after a later change never
   * joins a count started before it: it waits for that count to end and shares the next one, which
   * starts then, in the generation current at that moment (so it includes every change its waiters
   * saw). Under steady writes, counts run one after another instead of piling up on the database.
   */
  total(scope: Scope, stmt: CachedStatement, counter: () => Promise<number>): Promise<number> {
    const cached = this.get(scope, stmt);
    if (cached !== undefined) return Promise.resolve(cached);
    const generation = this.generation(scope);
    const key = keyOf(scope, stmt);
    const running = this.#counting.get(key);
    if (running?.generation === generation) return running.total;
    if (running) {
      let next = this.#next.get(key);
      if (!next) {
        const after = () => {
          this.#next.delete(key);
          return this.total(scope, stmt, counter);
        };
        next = running.total.then(after, after);
        this.#next.set(key, next);
      }
      return next;
    }
    const count: Counting = {
      generation,
      total: counter().then(
        (total) => {
          this.#counting.delete(key);
          this.set(scope, stmt, generation, total);
          return total;
        },
        (e: unknown) => {
          this.#counting.delete(key);
          throw e;
        },
      ),
    };
    this.#counting.set(key, count);
    return count.total;
  }

  /** Remembers a total counted under `generation`; ignored when the scope changed since. */
  set(scope: Scope, stmt: CachedStatement, generation: number, total: number): void {
    if (generation !== this.generation(scope)) return;
    const key = keyOf(scope, stmt);
    this.#entries.delete(key);
    this.#entries.set(key, { total, generation, expires: this.now() + this.ttlMs });
    if (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /**
   * The rows of a page statement: the cached ones while current, else `read`'s, remembered under
   * the generation the read started in. Concurrent requests for the same uncached page share one
   * read. The rows are frozen and shared: copy before changing (the array or a row).
   */
  rows(scope: Scope, stmt: CachedStatement, read: () => Promise<Row[]>): Promise<readonly Row[]> {
    if (this.pageBudget <= 0) return read();
    const key = keyOf(scope, stmt);
    const generation = this.generation(scope);
    const e = this.#pages.get(key);
    if (e) {
      this.#pages.delete(key);
      if (e.generation === generation && e.expires > this.now()) {
        this.#pages.set(key, e); // most recently used last
        return Promise.resolve(e.rows);
      }
      this.#pageBytes -= e.bytes;
    }
    const running = this.#reading.get(key);
    if (running?.generation === generation) return running.rows;
    const reading: Reading = {
      generation,
      rows: read().then(
        (rows) => {
          if (this.#reading.get(key) === reading) this.#reading.delete(key);
          return this.#keep(scope, key, generation, rows);
        },
        (err: unknown) => {
          if (this.#reading.get(key) === reading) this.#reading.delete(key);
          throw err;
        },
      ),
    };
    this.#reading.set(key, reading);
    return reading.rows;
  }

  /** bytes of the pages held (estimated) */
  get pageBytes(): number {
    return this.#pageBytes;
  }

  #keep(scope: Scope, key: string, generation: number, rows: Row[]): readonly Row[] {
    for (const row of rows) Object.freeze(row);
    Object.freeze(rows);
    if (generation !== this.generation(scope) || rows.length > PAGE_MAX_ROWS) return rows;
    const bytes = pageBytes(rows);
    if (bytes > this.pageBudget / 16) return rows;
    const old = this.#pages.get(key);
    if (old) {
      this.#pages.delete(key);
      this.#pageBytes -= old.bytes;
    }
    this.#pages.set(key, { rows, generation, expires: this.now() + this.ttlMs, bytes });
    this.#pageBytes += bytes;
    for (const [k, e] of this.#pages) {
      if (this.#pageBytes <= this.pageBudget) break;
      this.#pages.delete(k);
      this.#pageBytes -= e.bytes;
    }
    return rows;
  }

  /** Forgets every total and page of the collection (on this instance). */
  invalidate(collection: string): void {
    const name = collection.toLowerCase();
    this.#generations.set(name, (this.#generations.get(name) ?? 0) + 1);
  }

  /** how many totals are held */
  get count(): number {
    return this.#entries.size;
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  #changedHere(collection: string, pubsub: PubSub): void {
    this.invalidate(collection);
    if (this.#pending.size === 0) queueMicrotask(() => this.#announce(pubsub));
    this.#pending.add(collection);
  }

  #announce(pubsub: PubSub): void {
    const collections = [...this.#pending];
    this.#pending.clear();
    pubsub.publish("collections", { collections } satisfies CollectionsMessage);
  }
}

/**
 * Keys already written, per statement object: a list asked again with the same filter and
 * account passes the same (frozen) COUNT statement (list-statement.ts).
 */
const keys = new WeakMap<CachedStatement, { scope: Scope; key: string }>();

function keyOf(scope: Scope, stmt: CachedStatement): string {
  const known = keys.get(stmt);
  if (known !== undefined && known.scope === scope) return known.key;
  const key = `${(typeof scope === "string" ? scope : scope.join(",")).toLowerCase()}\u0000${stmt.sql}\u0000${JSON.stringify(stmt.parameters, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
  if (Object.isFrozen(stmt) && Object.isFrozen(stmt.parameters)) keys.set(stmt, { scope, key });
  return key;
}

/** Estimated size of a page: its strings' characters plus a fixed cost per row and value. */
function pageBytes(rows: readonly Row[]): number {
  let bytes = 0;
  for (const row of rows) {
    bytes += ROW_BYTES;
    for (const k in row) {
      const v = row[k];
      bytes += VALUE_BYTES + (typeof v === "string" ? v.length : v !== null && typeof v === "object" ? JSON.stringify(v).length : 0);
    }
  }
  return bytes;
}

function isCollectionsMessage(m: unknown): m is CollectionsMessage {
  const c = (m as CollectionsMessage | null)?.collections;
  return Array.isArray(c) && c.every((x) => typeof x === "string");
}
