/**
 * SQLite through better-sqlite3: one write connection guarded by an async lock (shared with
 * the Prisma adapter, see prisma.ts) and one read connection. WAL mode gives the reader a
 * committed snapshot per statement, so reads never wait for writers and never see an open
 * transaction's changes. Prepared statements are cached per connection by SQL text.
 *
 * Planner statistics follow the data off the request path: collection DDL runs `ANALYZE` on its
 * table (core/collections/migrate.ts), a timer runs `PRAGMA optimize` once enough rows changed
 * since the last run, and closing runs it once more. `analysis_limit` bounds every ANALYZE to a
 * sample, so it costs milliseconds at any table size.
 *
 * A write that fails because the database cannot take writes (read-only, disk full, I/O error)
 * is remembered until the next write succeeds, so /health can name it (see health.ts).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Mutex } from "async-mutex";
import { classifyDriverError } from "./driver-errors.ts";
import { rowBuilder, rowsOf, type RowOf } from "./rows.ts";
import { compileOnly, executeThen, runAfterCommit, toStatement, type Answered, type Queryable, type Row, type SqlDb } from "./sql-db.ts";

const STATEMENT_CACHE_SIZE = 1000;
/** Rows an ANALYZE samples per index (SQLite's `analysis_limit`). */
const ANALYSIS_LIMIT = 1000;
/** Changed rows after which the next timer tick refreshes planner statistics. */
const OPTIMIZE_AFTER_CHANGES = 1000;
/** How often the statistics timer looks at the change count. */
const OPTIMIZE_INTERVAL_MS = 60_000;
/**
 * The write connection's page cache, in KiB (SQLite's negative `cache_size`). Writes touch the
 * right edges of the tables and indexes they append to; the 16 MiB of better-sqlite3's default
 * filled during bulk loads and stayed, next to the reader's. At 4 MiB, creates and bulk creates
 * cost the same (interleaved A/B after seeding 10,000 posts: 290 against 291 µs per create, 6.64
 * against 6.67 ms per bulk create of 100) and the peak RSS over them was 148 MiB instead of 165.
 * At 2 MiB they cost the same again (interleaved A/B, 5 rounds: 553 against 560 µs per create,
 * 6.75 against 6.83 ms per bulk create) and the resident memory after them was 2.5 MiB lower.
 */
const WRITER_CACHE_KIB = 2_000;
/**
 * The read connection's page cache, in KiB. List, contains and search read far more pages than
 * writes do: at 8 MiB the uncached list cost 4 times, contains 3 and search 2 times as much as at
 * 16 MiB (interleaved A/B on 10,000 posts, `Cache-Control: no-cache` requests). At 12 MiB they
 * cost the same as at 16 (list 4.0 against 5.1 ms, contains 2.6 / 3.4 and 7.5 / 7.2, search 8.8
 * / 10.3, sort by id 258 / 261 µs per request) and the bench's peak RSS is 4 MiB lower.
 */
const READER_CACHE_KIB = 12_000;
/** `PRAGMA optimize` mask: every table (0x10000), analysis bounded (0x10), ANALYZE where it helps (0x02). */
const OPTIMIZE_ALL_TABLES = 0x10012;

type Conn = Database.Database;

/** Transactions committed together at most (a group also ends with its event-loop turn). */
const GROUP_MAX = 64;

interface GroupMember {
  fn: (tx: SqlDb) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

interface Group {
  /** takes members */
  open: boolean;
  size: number;
  queue: GroupMember[];
}

function bindable(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return v;
}

/**
 * A prepared statement. One that returns rows reads them as arrays (better-sqlite3's raw mode)
 * and builds each row object with a builder made for its columns: better-sqlite3's own objects
 * look every column's name up again for every row, which made reading a page of 31 posts cost
 * 90 µs instead of 61.
 */
class Prepared {
  readonly reader: boolean;
  /** the builder of this statement's rows, kept with their column count */
  #rows: { count: number; build: RowOf } | undefined;
  constructor(readonly stmt: Database.Statement) {
    this.reader = stmt.reader;
    if (this.reader) stmt.raw(true);
  }
  all<T>(params: unknown[]): T[] {
    const raw = this.stmt.all(...params) as unknown[][];
    // Collection DDL resets the caches (resetStatements); the length check is a second guard
    // for a statement SQLite prepared again after a schema change.
    if (raw.length && this.#rows?.count !== raw[0]!.length) {
      const names = this.stmt.columns().map((c) => c.name);
      this.#rows = { count: names.length, build: rowBuilder(names) };
    }
    return rowsOf<T>(raw, () => this.#rows!.build);
  }
  run(params: unknown[] = []): Database.RunResult {
    return this.stmt.run(...params);
  }
}

class StatementCache {
  #map = new Map<string, Prepared>();
  constructor(private readonly conn: Conn) {}
  get(sql: string): Prepared {
    let stmt = this.#map.get(sql);
    if (!stmt) {
      if (this.#map.size >= STATEMENT_CACHE_SIZE) this.#map.clear();
      stmt = new Prepared(this.conn.prepare(sql));
      this.#map.set(sql, stmt);
    }
    return stmt;
  }
  clear() {
    this.#map.clear();
  }
}

export function openSqliteFile(file: string, readonly = false): Conn {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const conn = new Database(file);
  conn.pragma("busy_timeout = 5000");
  if (!readonly) {
    conn.pragma("journal_mode = WAL");
    conn.pragma("synchronous = NORMAL");
    conn.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  } else {
    conn.pragma("query_only = ON");
    conn.pragma(`cache_size = -${READER_CACHE_KIB}`);
  }
  conn.pragma("foreign_keys = ON");
  return conn;
}

export class SqliteDb implements SqlDb {
  readonly dialect = "sqlite" as const;
  readonly trigram = true;
  readonly qb = compileOnly("sqlite");
  readonly inTransaction = false;
  /** Serialises every write on the database file, from this class and from Prisma. */
  readonly lock = new Mutex();
  readonly writer: Conn;
  readonly #reader: Conn;
  readonly #writes: StatementCache;
  readonly #reads: StatementCache;
  #writeFailure: { reason: string; needsWrite: boolean } | undefined;
  /** rows changed since planner statistics were last refreshed */
  #changes = 0;
  readonly #optimizeTimer: NodeJS.Timeout;
  /** the group of transactions running now, while it takes members (see `transaction`) */
  #group: Group | undefined;

  constructor(
    readonly file: string,
    private readonly onAfterCommitError: (e: unknown) => void = () => {},
  ) {
    this.writer = openSqliteFile(file);
    this.#reader = openSqliteFile(file, true);
    this.#writes = new StatementCache(this.writer);
    this.#reads = new StatementCache(this.#reader);
    this.writer.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
    this.#optimizeTimer = setInterval(() => void this.optimizeIfChanged().catch(onAfterCommitError), OPTIMIZE_INTERVAL_MS);
    this.#optimizeTimer.unref();
  }

  /**
   * Refreshes planner statistics (`PRAGMA optimize` over every table: ANALYZE where a table grew
   * or shrank enough to matter) when at least `minChanges` rows changed since the last refresh.
   * Returns whether it ran. Called by the timer; never on a request.
   */
  async optimizeIfChanged(minChanges = OPTIMIZE_AFTER_CHANGES): Promise<boolean> {
    if (this.#changes < minChanges) return false;
    await this.lock.runExclusive(() => {
      this.#changes = 0;
      this.writer.pragma(`optimize = ${OPTIMIZE_ALL_TABLES}`);
      // A connection reads statistics with the schema; only DDL makes it reload. The reader
      // reloads them explicitly (a read of sqlite_stat1, refused under query_only).
      this.#reader.pragma("query_only = OFF");
      try {
        this.#reader.exec("ANALYZE sqlite_schema");
      } finally {
        this.#reader.pragma("query_only = ON");
      }
      this.#reads.clear();
    });
    return true;
  }

  async query<T = Row>(q: Queryable): Promise<T[]> {
    const { sql, parameters } = toStatement(q);
    return this.#reads.get(sql).all<T>(parameters.map(bindable));
  }

  executeDeferred<T = Row>(q: Queryable, then?: Answered<T>): Promise<void> {
    return executeThen(this, q, then);
  }

  async execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }> {
    if (this.lock.isLocked()) return this.lock.runExclusive(() => this.#write(() => this.executeOnWriter<T>(q)));
    // Synchronous driver: nothing can interleave with this call, no need to take the lock.
    return this.#write(() => this.executeOnWriter<T>(q));
  }

  /** Runs a write, remembering whether the database took it (see the module comment). */
  #write<T>(fn: () => T, succeeded = true): T {
    try {
      const result = fn();
      if (succeeded) this.#writeFailure = undefined;
      return result;
    } catch (e) {
      this.#noteWriteFailure(e);
      throw e;
    }
  }

  #noteWriteFailure(e: unknown): void {
    const failure = classifyDriverError(e);
    if (failure?.kind !== "unavailable") return;
    // Only a full disk or an I/O error needs a real write to show it has passed; probeWrite sees the rest.
    const code = String((e as { code?: unknown }).code ?? "");
    this.#writeFailure = { reason: failure.reason, needsWrite: /^SQLITE_(FULL|IOERR)/.test(code) };
  }

  /** Why the last write failed when the database could not take it; undefined once a write succeeded. */
  get writeFailure(): string | undefined {
    return this.#writeFailure?.reason;
  }

  /**
   * Takes and releases the write lock on the file (BEGIN IMMEDIATE; ROLLBACK): throws when the
   * database is read-only or locked, and forgets such a failure of an earlier write once it passes.
   */
  async probeWrite(): Promise<void> {
    await this.lock.runExclusive(() => {
      this.#writes.get("BEGIN IMMEDIATE").run();
      this.#writes.get("ROLLBACK").run();
      if (this.#writeFailure && !this.#writeFailure.needsWrite) this.#writeFailure = undefined;
    });
  }

  /** Runs a statement on the write connection; the caller holds the lock or is in a transaction. */
  executeOnWriter<T>(q: Queryable): { rows: T[]; changes: number } {
    const { sql, parameters } = toStatement(q);
    const stmt = this.#writes.get(sql);
    const params = parameters.map(bindable);
    if (stmt.reader) {
      const rows = stmt.all<T>(params);
      return { rows, changes: rows.length };
    }
    const { changes } = stmt.run(params);
    this.#changes += changes;
    return { rows: [], changes };
  }

  queryOnWriter<T>(q: Queryable): T[] {
    const { sql, parameters } = toStatement(q);
    return this.#writes.get(sql).all<T>(parameters.map(bindable));
  }

  async script(sql: string): Promise<void> {
    await this.lock.runExclusive(() => this.writer.exec(sql));
    this.resetStatements();
  }

  /**
   * Runs `fn` in a transaction: all of its writes commit, or none. Transactions started while
   * one is running, or in the same turn of the event loop, share one SQLite transaction (group
   * commit): each runs alone in turn inside its own SAVEPOINT (a failing one rolls back to it and
   * rejects; the others go on), and the group commits once no member is left to run — at the end
   * of the turn, or after {@link GROUP_MAX} members. One commit then writes the pages that every
   * member changed (a full-text index writes a new segment per commit, the bulk of a small
   * write's cost). Every member's promise settles after that commit, never before; its
   * after-commit callbacks run then, in member order. A member that changed the schema ends its
   * group. When the whole transaction is lost (disk full, I/O error), every member not yet
   * committed rejects.
   */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const member: GroupMember = { fn: fn as GroupMember["fn"], resolve: resolve as GroupMember["resolve"], reject };
      if (this.#group?.open && this.#group.size < GROUP_MAX) {
        this.#group.size++;
        this.#group.queue.push(member);
        return;
      }
      void this.#runGroup(member);
    });
  }

  async #runGroup(first: GroupMember): Promise<void> {
    const group: Group = { open: true, size: 1, queue: [first] };
    this.#group = group;
    const release = await this.lock.acquire();
    const done: { member: GroupMember; tx: SqliteTx; result: unknown }[] = [];
    let began = false;
    let waited = false;
    try {
      for (;;) {
        const member = group.queue.shift();
        if (!member) {
          if (waited || !began) break;
          // the rest of this turn: the requests handled in it join the group
          await new Promise((r) => setImmediate(r));
          waited = true;
          continue;
        }
        if (!began) {
          try {
            // Prepared once: exec() re-parses the text on every transaction (measured ~34 µs per create).
            this.#write(() => this.#writes.get("BEGIN IMMEDIATE").run(), false);
          } catch (e) {
            member.reject(e);
            continue;
          }
          began = true;
        }
        const tx = new SqliteTx(this);
        try {
          this.#writes.get("SAVEPOINT cairn_member").run();
          const result = await member.fn(tx);
          this.#writes.get("RELEASE cairn_member").run();
          done.push({ member, tx, result });
        } catch (e) {
          this.#noteWriteFailure(e);
          if (this.writer.inTransaction) {
            this.#writes.get("ROLLBACK TO cairn_member").run();
            this.#writes.get("RELEASE cairn_member").run();
          } else {
            // the database rolled the whole transaction back: nothing of the group is written
            began = false;
            for (const d of done.splice(0)) d.member.reject(e);
          }
          member.reject(e);
        } finally {
          tx.closed = true;
        }
        if (tx.ddl) break;
      }
    } finally {
      group.open = false;
      if (this.#group === group) this.#group = undefined;
    }
    // members that joined after a schema change run in the next group
    for (const member of group.queue.splice(0)) this.transaction(member.fn).then(member.resolve, member.reject);
    // nothing written (every member failed): end the transaction without a commit, which would
    // count as a write that succeeded (see writeFailure)
    if (began && done.length === 0) {
      this.#writes.get("ROLLBACK").run();
      began = false;
    }
    if (began) {
      try {
        this.#write(() => this.#writes.get("COMMIT").run());
      } catch (e) {
        this.#noteWriteFailure(e);
        if (this.writer.inTransaction) this.#writes.get("ROLLBACK").run();
        release();
        for (const d of done) d.member.reject(e);
        return;
      }
    }
    release();
    if (done.some((d) => d.tx.ddl)) this.resetStatements();
    for (const d of done) {
      runAfterCommit(d.tx.callbacks, this.onAfterCommitError);
      d.member.resolve(d.result);
    }
  }

  afterCommit(fn: () => void): void {
    runAfterCommit([fn], this.onAfterCommitError);
  }

  resetStatements(): void {
    this.#writes.clear();
    this.#reads.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.#optimizeTimer);
    await this.lock.runExclusive(() => {
      this.#reader.close();
      try {
        this.writer.pragma(`optimize = ${OPTIMIZE_ALL_TABLES}`);
      } catch {
        /* a read-only or failing database keeps its old statistics */
      }
      try {
        this.writer.pragma("wal_checkpoint(TRUNCATE)");
      } catch {
        /* another connection may still read; the checkpoint is an optimisation */
      }
      this.writer.close();
    });
  }
}

class SqliteTx implements SqlDb {
  readonly dialect = "sqlite" as const;
  readonly trigram = true;
  readonly inTransaction = true;
  readonly qb;
  readonly callbacks: (() => void)[] = [];
  closed = false;
  ddl = false;
  constructor(private readonly db: SqliteDb) {
    this.qb = db.qb;
  }
  #open() {
    if (this.closed) throw new Error("transaction already finished");
  }
  async query<T = Row>(q: Queryable): Promise<T[]> {
    this.#open();
    return this.db.queryOnWriter<T>(q);
  }
  async execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }> {
    this.#open();
    return this.db.executeOnWriter<T>(q);
  }
  executeDeferred<T = Row>(q: Queryable, then?: Answered<T>): Promise<void> {
    return executeThen(this, q, then);
  }
  async script(sql: string): Promise<void> {
    this.#open();
    this.ddl = true;
    this.db.writer.exec(sql);
  }
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  afterCommit(fn: () => void): void {
    this.callbacks.push(fn);
  }
  resetStatements(): void {
    this.db.resetStatements();
  }
  async close(): Promise<void> {}
}
