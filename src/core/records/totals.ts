/**
 * Cached list totals. A list returns an exact `total`; counting every matching row again for a
 * list repeated while its collection has not changed is the largest part of its cost on a big
 * table. So totals are remembered per COUNT statement — its SQL text and parameters, which hold
 * the collection, the account, the filter with the caller's access rule ANDed in, and the search
 * — and forgotten when the collection changes:
 *
 * - Every committed write reaches the in-process bus after commit (record events, cascades,
 *   collection changes); that invalidates the collection here at once and is announced on the
 *   pub/sub port's `collections` channel (one message per collection per tick), which
 *   invalidates it on every other instance.
 * - Rule and permission changes change the access expression, so they change the statement and
 *   never meet an old entry; collection changes (schema, rules) also invalidate as writes.
 * - An entry older than {@link TOTAL_TTL_MS} is counted again anyway: a safety net for a missed
 *   message (a Redis outage) or a write made outside Cairn.
 *
 * Invalidation is by generation: each collection has a number bumped on every change, and an
 * entry is valid only while the number it was counted under is current. A count that started
 * before a change and finishes after it is therefore never stored as current.
 */
import type { EventBus } from "../events/bus.ts";
import type { PubSub } from "../events/pubsub.ts";

/** Entries remembered at most; the least recently used is forgotten first. */
export const TOTAL_CACHE_SIZE = 5_000;
/** Age after which a cached total is counted again even without a change. */
export const TOTAL_TTL_MS = 60_000;

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

/** A COUNT statement as compiled (SQL text and parameters). */
export interface CountStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export class TotalsCache {
  readonly #entries = new Map<string, Entry>();
  /** collection name (lower case) → generation; absent = 0 */
  readonly #generations = new Map<string, number>();
  readonly #pending = new Set<string>();
  /** the count in flight per statement, with the generation it started in */
  readonly #counting = new Map<string, Counting>();
  /** per statement: the count that starts when the one in flight, of an older generation, ends */
  readonly #next = new Map<string, Promise<number>>();
  readonly #offs: (() => void)[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly size = TOTAL_CACHE_SIZE,
    private readonly ttlMs = TOTAL_TTL_MS,
  ) {}

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

  /** The current generation of a collection: pass it to {@link set} with the count it started. */
  generation(collection: string): number {
    return this.#generations.get(collection.toLowerCase()) ?? 0;
  }

  /** The cached total of the statement, when still current. */
  get(collection: string, stmt: CountStatement): number | undefined {
    const key = keyOf(collection, stmt);
    const e = this.#entries.get(key);
    if (!e) return undefined;
    this.#entries.delete(key);
    if (e.generation !== this.generation(collection) || e.expires <= this.now()) return undefined;
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
  total(collection: string, stmt: CountStatement, counter: () => Promise<number>): Promise<number> {
    const cached = this.get(collection, stmt);
    if (cached !== undefined) return Promise.resolve(cached);
    const generation = this.generation(collection);
    const key = keyOf(collection, stmt);
    const running = this.#counting.get(key);
    if (running?.generation === generation) return running.total;
    if (running) {
      let next = this.#next.get(key);
      if (!next) {
        const after = () => {
          this.#next.delete(key);
          return this.total(collection, stmt, counter);
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
          this.set(collection, stmt, generation, total);
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

  /** Remembers a total counted under `generation`; ignored when the collection changed since. */
  set(collection: string, stmt: CountStatement, generation: number, total: number): void {
    if (generation !== this.generation(collection)) return;
    const key = keyOf(collection, stmt);
    this.#entries.delete(key);
    this.#entries.set(key, { total, generation, expires: this.now() + this.ttlMs });
    if (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Forgets every total of the collection (on this instance). */
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
const keys = new WeakMap<CountStatement, { collection: string; key: string }>();

function keyOf(collection: string, stmt: CountStatement): string {
  const known = keys.get(stmt);
  if (known !== undefined && known.collection === collection) return known.key;
  const key = `${collection.toLowerCase()}\u0000${stmt.sql}\u0000${JSON.stringify(stmt.parameters, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
  if (Object.isFrozen(stmt) && Object.isFrozen(stmt.parameters)) keys.set(stmt, { collection, key });
  return key;
}

function isCollectionsMessage(m: unknown): m is CollectionsMessage {
  const c = (m as CollectionsMessage | null)?.collections;
  return Array.isArray(c) && c.every((x) => typeof x === "string");
}
