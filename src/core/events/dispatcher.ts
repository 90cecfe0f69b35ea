/**
 * The event dispatcher: reads the `_events` outbox in `seq` order and hands each registered
 * consumer (live fan-out today; webhooks, job progress, audit next) every committed event.
 *
 * Promises:
 * - At least once, in order, per consumer. A consumer's position is durable (`_event_cursors`)
 *   and moves only after its handler resolved, so a restart — even after `kill -9` — resumes
 *   with the first event not yet handled; a crash between handling and saving repeats a batch.
 *   A handler that throws gets the same batch again later (backing off), never a later one.
 * - One dispatching instance per consumer when instances share a database: a lease in the
 *   cursor row (owner, until), renewed with every saved position and released on shutdown. An
 *   instance that dies keeps it until it runs out (LEASE_MS); then another takes over.
 * - No added latency for this instance's commits: every local commit (the in-process bus) wakes
 *   the dispatcher in the same turn of the event loop (the commits of that turn share one round);
 *   an instance without the lease asks the holder to run through the pub/sub port (`{ wake }` on
 *   the `events` channel). A short poll is the fallback.
 * - One outbox read per position and step: a round moves the consumers forward together, one
 *   batch each per step, and consumers at the same position (the usual case: every consumer keeps
 *   up) share the rows read for the first of them, so a write costs one read of the outbox however
 *   many consumers there are; each consumer still decodes its own events. Only the current step's
 *   rows are held: a backlog (a long bulk load keeps every batch full, so a round lasts as long as
 *   the load) costs one batch per position in memory, not every row the round read, and no
 *   consumer waits for another to work through it.
 * - Pruning: events every consumer has handled and older than the retention setting
 *   (`events_retention_hours`) are deleted in small batches by the instance holding a lease.
 *
 * The dispatcher never throws to its callers; failures are logged and retried. A consumer
 * that is no longer registered anywhere keeps its cursor row and so holds back pruning: delete
 * its row from `_event_cursors` when retiring it.
 */
import type { Dialect } from "../../config.ts";
import type { Row, SqlDb } from "../../db/sql-db.ts";
import type { Services } from "../context.ts";
import { eventsRetentionMs } from "../settings/features.ts";
import { latestSeq, readOutboxRows, toStoredEvents, type StoredEvent } from "./outbox.ts";

/** A consumer's handler: the next events in order. Resolve when done; throw to get them again. */
export type ConsumerHandler = (events: readonly StoredEvent[]) => Promise<void> | void;

/** The message an instance without the lease publishes on the `events` channel after a commit. */
export interface WakeMessage {
  wake: string;
}

export interface DispatcherOptions {
  /** events per read and per handler call */
  batchSize?: number;
  /** fallback poll interval (ms) */
  pollMs?: number;
  /** lease length (ms) */
  leaseMs?: number;
  /** time between pruning rounds (ms) */
  pruneEveryMs?: number;
  /** rows deleted per pruning statement */
  pruneBatch?: number;
}

interface Consumer {
  readonly name: string;
  readonly handler: ConsumerHandler;
  /** last handled seq, valid while the lease is held */
  cursor: number;
  /** epoch ms the held lease runs out; 0 = not held */
  leaseUntil: number;
  /** no attempt before this time (after a failing handler) */
  retryAt: number;
  failures: number;
  /** events handled by this instance */
  handled: number;
}

const saveText: Partial<Record<Dialect, string>> = {};

type DispatcherServices = Pick<Services, "db" | "events" | "pubsub" | "settings" | "log" | "now">;

export class EventDispatcher {
  readonly #consumers = new Map<string, Consumer>();
  readonly #opts: Required<DispatcherOptions>;
  readonly #owner: string;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopped = false;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void)[] = [];
  #pruning: Promise<number> | undefined;
  #commitWake: NodeJS.Immediate | undefined;

  constructor(
    private readonly services: DispatcherServices,
    options: DispatcherOptions = {},
  ) {
    this.#opts = { batchSize: 200, pollMs: 500, leaseMs: 5000, pruneEveryMs: 60_000, pruneBatch: 500, ...options };
    this.#owner = services.pubsub.instanceId;
  }

  /**
   * Adds a consumer. Its first position is the newest event at that moment (the first
   * registration ever); afterwards it resumes where it stopped. Call before or after `start`.
   */
  register(name: string, handler: ConsumerHandler): void {
    if (this.#consumers.has(name)) throw new Error(`event consumer '${name}' is already registered`);
    this.#consumers.set(name, { name, handler, cursor: 0, leaseUntil: 0, retryAt: 0, failures: 0, handled: 0 });
    if (this.#started) {
      this.#ensureCursors()
        .then(() => this.wake(true))
        .catch((err: unknown) => this.services.log.error({ err, consumer: name }, "events: could not create the consumer's cursor"));
    }
  }

  /** Starts dispatching: creates missing cursor rows, then listens for commits and polls. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#ensureCursors();
    const { events, pubsub } = this.services;
    this.#unsubscribe.push(events.subscribe(() => this.#localCommit()));
    this.#unsubscribe.push(
      pubsub.subscribe("events", (m, d) => {
        if (!d.local && isWake(m)) this.wake();
      }),
    );
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#opts.pollMs, () => this.wake(true));
    every(this.#opts.pruneEveryMs, () => void this.prune());
    this.wake(true);
  }

  /** Runs a dispatch round now (or right after the one running). `acquire`: also try to take free leases. */
  wake(acquire = false): void {
    if (this.#stopped || !this.#started) return;
    if (this.#running) {
      this.#again ||= true;
      return;
    }
    this.#running = this.#loop(acquire).finally(() => (this.#running = undefined));
  }

  /** Resolves when no dispatch round is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running || this.#commitWake) {
      if (this.#running) await this.#running;
      else await new Promise((r) => setImmediate(r)); // the pending wake runs first
    }
  }

  /** Per consumer: events this instance handled, and whether it holds the lease now. */
  stats(): Map<string, { handled: number; leased: boolean }> {
    const now = Date.now();
    return new Map([...this.#consumers].map(([n, c]) => [n, { handled: c.handled, leased: c.leaseUntil > now }]));
  }

  /** Stops dispatching and releases this instance's leases. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    clearImmediate(this.#commitWake);
    this.#commitWake = undefined;
    for (const off of this.#unsubscribe) off();
    await this.idle();
    await this.#pruning?.catch(() => 0);
    const { db } = this.services;
    await db
      .execute(db.qb.updateTable("_event_cursors").set({ lease_owner: null, lease_until: null }).where("lease_owner", "=", this.#owner))
      .catch((err: unknown) => this.services.log.warn({ err }, "events: could not release the dispatch leases"));
  }

  /**
   * Deletes events that every consumer has handled and that are older than the retention, in
   * batches (each its own short statement). Only an instance holding a lease prunes. Returns the
   * number deleted.
   */
  prune(): Promise<number> {
    if (this.#pruning || this.#stopped) return this.#pruning ?? Promise.resolve(0);
    const run = this.#prune().catch((err: unknown) => {
      this.services.log.error({ err }, "events: pruning failed");
      return 0;
    });
    this.#pruning = run.finally(() => (this.#pruning = undefined));
    return this.#pruning;
  }

  async #prune(): Promise<number> {
    const now = Date.now();
    if (![...this.#consumers.values()].some((c) => c.leaseUntil > now)) return 0;
    const { db } = this.services;
    const [row] = await db.query<{ seq: unknown }>(db.qb.selectFrom("_event_cursors").select((eb) => eb.fn.min("last_seq").as("seq")));
    if (row?.seq == null) return 0;
    const delivered = Number(row.seq);
    const cutoff = new Date(this.services.now().getTime() - eventsRetentionMs(this.services)).toISOString();
    let total = 0;
    for (;;) {
      if (this.#stopped) break;
      const batch = db.qb.selectFrom("_events").select("seq").where("seq", "<=", delivered).where("created", "<", cutoff).orderBy("seq").limit(this.#opts.pruneBatch);
      const { changes } = await db.execute(db.qb.deleteFrom("_events").where("seq", "in", batch));
      total += changes;
      if (changes < this.#opts.pruneBatch) break;
      await new Promise((r) => setImmediate(r)); // let requests run between batches
    }
    if (total) this.services.log.debug({ deleted: total }, "events: pruned delivered events");
    return total;
  }

  /**
   * A local commit (one call per event) wakes the dispatcher on the next turn of the event loop,
   * not at once: the commits of every request handled in this turn then share one round (one
   * outbox read and one saved position per consumer) instead of one round each, and a bulk write
   * of 100 events sends one wake message, not 100. The delay is the rest of the current turn.
   */
  #localCommit(): void {
    if (this.#commitWake) return;
    this.#commitWake = setImmediate(() => {
      this.#commitWake = undefined;
      const now = Date.now();
      const free = [...this.#consumers.values()].some((c) => c.leaseUntil <= now);
      if (free) this.services.pubsub.publish("events", { wake: this.#owner } satisfies WakeMessage);
      this.wake();
    });
  }

  async #loop(acquire: boolean): Promise<void> {
    do {
      this.#again = false;
      let active = await this.#each(this.#consumers.values(), (c) => this.#ready(c, acquire));
      acquire = false;
      // Steps until every consumer is through: one batch each per step, the rows of a step shared
      // by the consumers at the same position and dropped after it.
      while (active.length > 0) {
        const reads = new Map<number, Promise<readonly Row[]>>();
        active = await this.#each(active, (c) => this.#step(c, reads));
      }
    } while (this.#again && !this.#stopped);
  }

  /**
   * Runs `fn` for each consumer in turn; returns those it answered true for. A consumer whose
   * `fn` throws backs off. Stopping ends it early, with none.
   */
  async #each(consumers: Iterable<Consumer>, fn: (c: Consumer) => Promise<boolean>): Promise<Consumer[]> {
    const kept: Consumer[] = [];
    for (const c of consumers) {
      if (this.#stopped) return [];
      try {
        if (await fn(c)) kept.push(c);
      } catch (err) {
        this.#failed(c, err);
      }
    }
    return kept;
  }

  #failed(c: Consumer, err: unknown): void {
    c.failures++;
    c.retryAt = Date.now() + Math.min(30_000, 250 * 2 ** Math.min(c.failures, 7));
    this.services.log.error({ err, consumer: c.name, failures: c.failures }, "events: consumer failed; retrying");
  }

  /** Whether `c` takes part in this round: not backing off, and holding its lease (taken or renewed here). */
  async #ready(c: Consumer, acquire: boolean): Promise<boolean> {
    if (Date.now() < c.retryAt) return false;
    const left = c.leaseUntil - Date.now();
    // Take a lease this instance does not hold only on the poll. Renew a held one early (about
    // every second with the default poll), so a busy event loop does not lose it to a stall.
    if (left <= 0 && !acquire) return false;
    return left >= this.#opts.leaseMs * 0.8 || (await this.#takeLease(c));
  }

  /** Hands `c` its next batch (read once per position in `reads`). True when more may follow. */
  async #step(c: Consumer, reads: Map<number, Promise<readonly Row[]>>): Promise<boolean> {
    let rows = reads.get(c.cursor);
    if (!rows) reads.set(c.cursor, (rows = readOutboxRows(this.services.db, c.cursor, this.#opts.batchSize)));
    const batch = toStoredEvents(await rows);
    if (batch.length === 0 || this.#stopped) return false;
    await c.handler(batch);
    c.failures = 0;
    c.handled += batch.length;
    if (!(await this.#save(c, batch[batch.length - 1]!.seq))) return false;
    return batch.length >= this.#opts.batchSize;
  }

  /** Takes or renews the lease; reads the durable position. False when another instance holds it. */
  async #takeLease(c: Consumer): Promise<boolean> {
    const { db } = this.services;
    const now = this.services.now();
    const until = new Date(now.getTime() + this.#opts.leaseMs);
    const q = db.qb
      .updateTable("_event_cursors")
      .set({ lease_owner: this.#owner, lease_until: until.toISOString(), updated: now.toISOString() })
      .where("consumer", "=", c.name)
      .where((eb) => eb.or([eb("lease_owner", "=", this.#owner), eb("lease_owner", "is", null), eb("lease_until", "is", null), eb("lease_until", "<", now.toISOString())]))
      .returning("last_seq");
    const { rows } = await db.execute<{ last_seq: unknown }>(q);
    if (!rows[0]) {
      c.leaseUntil = 0;
      return false;
    }
    if (c.leaseUntil <= Date.now()) c.cursor = Number(rows[0].last_seq); // newly taken: someone else may have moved it
    c.leaseUntil = Date.now() + this.#opts.leaseMs;
    return true;
  }

  /** Saves the position (and renews the lease). False when the lease was lost meanwhile. */
  async #save(c: Consumer, seq: number): Promise<boolean> {
    const { db } = this.services;
    const now = this.services.now();
    // runs after every commit: SQL compiled once per dialect
    const text = (saveText[db.dialect] ??= db.qb
      .updateTable("_event_cursors")
      .set({ last_seq: 0, lease_until: "", updated: "" })
      .where("consumer", "=", "")
      .where("lease_owner", "=", "")
      .compile().sql);
    const { changes } = await db.execute({ sql: text, parameters: [seq, new Date(now.getTime() + this.#opts.leaseMs).toISOString(), now.toISOString(), c.name, this.#owner] });
    if (changes === 0) {
      c.leaseUntil = 0;
      this.services.log.warn({ consumer: c.name }, "events: dispatch lease lost to another instance");
      return false;
    }
    c.cursor = seq;
    c.leaseUntil = Date.now() + this.#opts.leaseMs;
    return true;
  }

  /** Creates the cursor rows of new consumers at the newest event. */
  async #ensureCursors(): Promise<void> {
    const { db } = this.services;
    const start = await latestSeq(db);
    const now = this.services.now().toISOString();
    for (const c of this.#consumers.values()) await insertCursor(db, c.name, start, now);
  }
}

async function insertCursor(db: SqlDb, consumer: string, lastSeq: number, now: string): Promise<void> {
  await db.execute(
    db.qb
      .insertInto("_event_cursors")
      .values({ consumer, last_seq: lastSeq, lease_owner: null, lease_until: null, updated: now })
      .onConflict((oc) => oc.column("consumer").doNothing()),
  );
}

function isWake(m: unknown): m is WakeMessage {
  return typeof m === "object" && m !== null && typeof (m as WakeMessage).wake === "string";
}
