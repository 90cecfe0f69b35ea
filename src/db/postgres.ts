/**
 * PostgreSQL through a pg pool. Transactions take a dedicated client; timestamps come back as
 * ISO-8601 strings and int8 as numbers, so rows look the same as on SQLite.
 */
import pg from "pg";
import { compileOnly, runAfterCommit, toStatement, type Queryable, type Row, type SqlDb } from "./sql-db.ts";

const { Pool, types } = pg;

const parseTimestamp = (v: string) => new Date(v.includes("T") || v.endsWith("Z") || /[+-]\d\d(:?\d\d)?$/.test(v) ? v : `${v}Z`).toISOString();

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

/** How long a request waits for a database connection before it is answered 503. */
export const CONNECT_TIMEOUT_MS = 5000;

async function run<T>(client: Client, q: Queryable): Promise<{ rows: T[]; changes: number }> {
  const { sql, parameters } = toStatement(q);
  const res = await client.query({ text: sql, values: parameters as unknown[] });
  return { rows: res.rows as T[], changes: res.rowCount ?? 0 };
}

export class PostgresDb implements SqlDb {
  readonly dialect = "postgres" as const;
  readonly qb = compileOnly("postgres");
  readonly inTransaction = false;
  readonly pool: pg.Pool;
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
    // CONNECT_TIMEOUT_MS with a clear 503 rather than holding it for the OS's TCP timeout.
    this.pool = new Pool({ connectionString, max, types: typeParsers, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
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
    return (await run<T>(this.pool, q)).rows;
  }

  execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }> {
    return run<T>(this.pool, q);
  }

  async script(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new PostgresTx(client, this.qb, this.trigram);
    let result: T;
    try {
      await client.query("BEGIN");
      try {
        result = await fn(tx);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      }
    } finally {
      tx.closed = true;
      client.release();
    }
    runAfterCommit(tx.callbacks, this.onAfterCommitError);
    return result;
  }

  afterCommit(fn: () => void): void {
    runAfterCommit([fn], this.onAfterCommitError);
  }

  resetStatements(): void {}

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PostgresTx implements SqlDb {
  readonly dialect = "postgres" as const;
  readonly inTransaction = true;
  readonly callbacks: (() => void)[] = [];
  closed = false;
  constructor(
    private readonly client: pg.PoolClient,
    readonly qb: PostgresDb["qb"],
    readonly trigram: boolean,
  ) {}
  #open() {
    if (this.closed) throw new Error("transaction already finished");
  }
  async query<T = Row>(q: Queryable): Promise<T[]> {
    this.#open();
    return (await run<T>(this.client, q)).rows;
  }
  execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }> {
    this.#open();
    return run<T>(this.client, q);
  }
  async script(sql: string): Promise<void> {
    this.#open();
    await this.client.query(sql);
  }
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  afterCommit(fn: () => void): void {
    this.callbacks.push(fn);
  }
  resetStatements(): void {}
  async close(): Promise<void> {}
}
