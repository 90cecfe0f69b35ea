/**
 * PostgreSQL through a pg pool. Transactions take a dedicated client; timestamps come back as
 * ISO-8601 strings and int8 as numbers, so rows look the same as on SQLite.
 */
import pg from "pg";
import { rowBuilder, rowsOf } from "./rows.ts";
import { compileOnly, executeThen, runAfterCommit, toStatement, type Answered, type Queryable, type Row, type SqlDb } from "./sql-db.ts";

const { Pool, types } = pg;

const parseAnyTimestamp = (v: string) => new Date(v.includes("T") || v.endsWith("Z") || /[+-]\d\d(:?\d\d)?$/.test(v) ? v : `${v}Z`).toISOString();

/** `from` up to `to` (exclusive) of `v` are ASCII digits. */
function digits(v: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * A timestamp as ISO-8601 in UTC with milliseconds (what `Date#toISOString` prints). The usual
 * case, PostgreSQL's ISO output of a UTC time (`YYYY-MM-DD HH:MM:SS[.ffffff][+00]`: a session in
 * UTC, or `timestamp`), is rewritten as text (digits past the milliseconds dropped, as Date does):
 * a list page holds two per row, and a Date round trip or a regular expression match (its match
 * array and captures) costs several times more and allocates several objects per value. Other
 * offsets, years before 1000 or after 9999 and BC dates go through Date as before.
 * @example parseTimestamp("2026-12-04 09:32:45.869+00") // "2026-12-04T09:32:45.869Z"
 */
export function parseTimestamp(v: string): string {
  // without the "+00" of a UTC timestamptz: 19 (no fraction) or 21…26 (1 to 6 fraction digits)
  const end = v.length >= 22 && v.charCodeAt(v.length - 3) === 43 && v.charCodeAt(v.length - 2) === 48 && v.charCodeAt(v.length - 1) === 48 ? v.length - 3 : v.length;
  const fraction = end - 20;
  if (
    (end !== 19 && (fraction < 1 || fraction > 6 || v.charCodeAt(19) !== 46 || !digits(v, 20, end))) ||
    v.charCodeAt(0) === 48 ||
    !digits(v, 0, 4) ||
    v.charCodeAt(4) !== 45 ||
    !digits(v, 5, 7) ||
    v.charCodeAt(7) !== 45 ||
    !digits(v, 8, 10) ||
    v.charCodeAt(10) !== 32 ||
    !digits(v, 11, 13) ||
    v.charCodeAt(13) !== 58 ||
    !digits(v, 14, 16) ||
    v.charCodeAt(16) !== 58 ||
    !digits(v, 17, 19)
  )
    return parseAnyTimestamp(v);
  const date = v.slice(0, 10);
  if (fraction >= 3) return `${date}T${v.slice(11, 23)}Z`;
  return `${date}T${v.slice(11, 19)}.${end === 19 ? "000" : v.slice(20, end).padEnd(3, "0")}Z`;
}

/** Type parsers for this pool only (no global pg.types mutation). */
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    switch (oid) {
      case 1184: // timestamptz
      case 1114: // timestamp (stored as UTC)
        return parseTimestamp;
      case 20: // int8: counts; values above 2^53 do not occur in our columns
        return (v: string) => Number(v);
      case 1082: // date: keep 'YYYY-MM-DD'
        return (v: string) => v;
      default:
        return types.getTypeParser(oid, format as any);
    }
  },
};

type Client = pg.Pool | pg.PoolClient;

/**
 * How long opening a database connection may take before the request is answered 503 (a
 * dropped network, a stopped host). Waiting for a free pooled connection is not bounded by it:
 * under load a request queues for a connection rather than failing (see {@link QUEUE_TIMEOUT_MS}).
 */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * How long a request may queue for a free pooled connection. Far above any wait under load (32
 * concurrent requests on 10 connections wait tens of milliseconds), so it only ends a wait that
 * would never finish (every connection held by a stalled statement) with a 503.
 */
export const QUEUE_TIMEOUT_MS = 60_000;

/** pg's client with its own connect timeout (the pool's `connectionTimeoutMillis` would also bound the queue). */
class TimedClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/**
 * Distinct statement texts that get a server-side prepared statement (pg `name`): each is parsed
 * and analysed once per connection, then only bound and executed, as a hand-written pg server
 * does. Texts past the cap (generated statements vary with filters, IN lists, field sets) run
 * unnamed, so neither this map nor the prepared statements on each connection grow without bound.
 */
const MAX_NAMED_STATEMENTS = 2000;

/** Names of the prepared statements, per statement text; a new generation after DDL. */
class StatementNames {
  #names = new Map<string, string>();
  #generation = 0;

  nameOf(sql: string): string | undefined {
    let name = this.#names.get(sql);
    if (name === undefined && this.#names.size < MAX_NAMED_STATEMENTS) {
      name = `c${this.#generation}_${this.#names.size}`;
      this.#names.set(sql, name);
    }
    return name;
  }

  /**
   * Forgets every name: after DDL a statement prepared before it may no longer describe its
   * table (PostgreSQL refuses a prepared `SELECT *` whose columns changed). The old statements
   * stay on their connections, unused, until the connection closes.
   */
  reset(): void {
    this.#names = new Map();
    this.#generation++;
  }
}

/** PostgreSQL refused a prepared statement whose result columns changed since it was prepared. */
const isStalePlan = (e: unknown) => (e as { code?: unknown })?.code === "0A000" && /cached plan must not change result type/.test(String((e as Error).message));

async function run<T>(client: Client, q: Queryable, names: StatementNames, retry: boolean): Promise<{ rows: T[]; changes: number }> {
  const { sql, parameters } = toStatement(q);
  const name = names.nameOf(sql);
  let res: pg.QueryResult;
  try {
    res = await client.query({ text: sql, values: parameters as unknown[], rowMode: "array", ...(name === undefined ? {} : { name }) });
  } catch (e) {
    if (name === undefined || !isStalePlan(e)) throw e;
    // Another instance changed the table: new names from now on. Outside a transaction the
    // statement failed as a whole and is run again, unnamed; inside one the transaction is aborted.
    names.reset();
    if (!retry) throw e;
    res = await client.query({ text: sql, values: parameters as unknown[], rowMode: "array" });
  }
  return { rows: rowsOf<T>(res.rows as unknown[][], () => rowBuilder(res.fields.map((f) => f.name))), changes: res.rowCount ?? 0 };
}

export class PostgresDb implements SqlDb {
  readonly dialect = "postgres" as const;
  readonly qb = compileOnly("postgres");
  readonly inTransaction = false;
  readonly pool: pg.Pool;
  readonly names = new StatementNames();
  /** pg_trgm is installed (set by {@link enableTrigram} at start-up) */
  trigram = false;

  constructor(
    connectionString: string,
    private readonly onAfterCommitError: (e: unknown) => void = () => {},
    max = 10,
    /** an idle pooled connection was lost (the server restarted, the network dropped) */
    onIdleConnectionError: (e: unknown) => void = onAfterCommitError,
  ) {
    // A server that does not answer (a dropped network, a stopped host) fails the request after
    // CONNECT_TIMEOUT_MS with a clear 503 rather than holding it for the OS's TCP timeout; a
    // request waiting for one of the pool's connections waits (up to QUEUE_TIMEOUT_MS).
    // Prepared statements are planned for their parameters every time, as unnamed ones are: a
    // generic plan would serve `title ILIKE $1` the same way for a rare and a common word.
    this.pool = new Pool({
      connectionString,
      max,
      types: typeParsers,
      Client: TimedClient,
      connectionTimeoutMillis: QUEUE_TIMEOUT_MS,
      options: "-c plan_cache_mode=force_custom_plan",
      // A statement is sent without waiting for the answers of those sent before it on the
      // connection (pg's pipeline mode): a transaction's BEGIN travels with its first statement
      // and its COMMIT with its deferred last ones (see `transaction`). Statements still run one
      // after another, in the order sent; every caller awaits its own.
      pipeline: true,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on("error", (e) => onIdleConnectionError(e));
  }

  /**
   * Installs pg_trgm when missing (`CREATE EXTENSION IF NOT EXISTS`) so `contains` filters can
   * use trigram indexes. Without the privilege to create it, resolves false: collections keep
   * no trigram indexes and `contains` scans, which the caller logs once. Never throws for that.
   */
  async enableTrigram(): Promise<boolean> {
    try {
      const [row] = (await this.pool.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).rows;
      if (!row) await this.pool.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
      this.trigram = true;
    } catch {
      this.trigram = false;
    }
    return this.trigram;
  }

  async query<T = Row>(q: Queryable): Promise<T[]> {
    return (await run<T>(this.pool, q, this.names, true)).rows;
  }

  execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }> {
    return run<T>(this.pool, q, this.names, true);
  }

  async script(sql: string): Promise<void> {
    try {
      await this.pool.query(sql);
    } finally {
      this.names.reset();
    }
  }

  executeDeferred<T = Row>(q: Queryable, then?: Answered<T>): Promise<void> {
    return executeThen(this, q, then);
  }

  /**
   * Runs `fn` in a transaction on one pooled connection. Round trips saved by pipelining: BEGIN
   * is sent without waiting for its answer, so it reaches the server with the first statement;
   * COMMIT is sent right behind the statements `fn` deferred (`executeDeferred`: the outbox
   * rows), whose answers arrive with the COMMIT's. A create is then two round trips instead of
   * four. When a deferred statement failed, the server ended the transaction (a COMMIT of a
   * failed transaction rolls back) and its error is the one thrown, also when a later statement
   * failed only because the transaction was aborted.
   */
  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new PostgresTx(client, this.qb, this.trigram, this.names);
    let result: T;
    try {
      const begin = client.query("BEGIN");
      begin.catch(() => {}); // awaited below; a failed BEGIN also fails the statements behind it
      try {
        result = await fn(tx);
        await begin;
        const commit = client.query("COMMIT");
        commit.catch(() => {}); // awaited below, after the deferred statements' answers
        const failed = await tx.deferredFailure();
        await commit;
        if (failed) throw failed.error;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw (await tx.deferredFailure())?.error ?? e;
      }
    } finally {
      tx.closed = true;
      client.release();
      // Statements prepared inside the transaction, before its DDL was visible to others.
      if (tx.ddl) this.names.reset();
    }
    runAfterCommit(tx.callbacks, this.onAfterCommitError);
    return result;
  }

  afterCommit(fn: () => void): void {
    runAfterCommit([fn], this.onAfterCommitError);
  }

  resetStatements(): void {
    this.names.reset();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PostgresTx implements SqlDb {
  readonly dialect = "postgres" as const;
  readonly inTransaction = true;
  readonly callbacks: (() => void)[] = [];
  closed = false;
  /** DDL ran in this transaction (statement names are renewed when it ends) */
  ddl = false;
  /** statements sent by executeDeferred, answered by the time the COMMIT is */
  readonly #deferred: Promise<void>[] = [];
  constructor(
    private readonly client: pg.PoolClient,
    readonly qb: PostgresDb["qb"],
    readonly trigram: boolean,
    private readonly names: StatementNames,
  ) {}
  #open() {
    if (this.closed) throw new Error("transaction already finished");
  }
  async query<T = Row>(q: Queryable): Promise<T[]> {
    this.#open();
    return (await run<T>(this.client, q, this.names, false)).rows;
  }
  execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }> {
    this.#open();
    return run<T>(this.client, q, this.names, false);
  }
  async executeDeferred<T = Row>(q: Queryable, then?: Answered<T>): Promise<void> {
    this.#open();
    const answered = run<T>(this.client, q, this.names, false).then(then);
    answered.catch(() => {}); // reported by deferredFailure
    this.#deferred.push(answered);
  }
  /** The first error of a deferred statement, once every deferred statement was answered. */
  async deferredFailure(): Promise<{ error: unknown } | undefined> {
    for (const answered of this.#deferred) {
      try {
        await answered;
      } catch (error) {
        return { error };
      }
    }
    return undefined;
  }
  async script(sql: string): Promise<void> {
    this.#open();
    this.ddl = true;
    try {
      await this.client.query(sql);
    } finally {
      this.names.reset();
    }
  }
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  afterCommit(fn: () => void): void {
    this.callbacks.push(fn);
  }
  resetStatements(): void {
    this.names.reset();
  }
  async close(): Promise<void> {}
}
