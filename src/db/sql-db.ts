/**
 * The driver-level database used by the core for collection tables and the transactional
 * outbox: compiled SQL (Kysely, compile-only) executed on better-sqlite3 or pg directly,
 * with cached prepared statements. Prisma (src/db/prisma.ts) serves the system models and
 * shares this database's connections or lock, so neither can break the other's transactions.
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable, type CompiledQuery } from "kysely";
import type { Dialect } from "../config.ts";

export type Row = Record<string, unknown>;

/** A compiled statement: SQL text with dialect placeholders plus its parameters. */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export type Queryable = Statement | CompiledQuery | Compilable;

/** What a deferred statement's answer is handed to (see {@link SqlDb.executeDeferred}). */
export type Answered<T> = (result: { rows: T[]; changes: number }) => void;

export interface SqlDb {
  readonly dialect: Dialect;
  /** compile-only query builder for this dialect (call `.compile()` or pass the builder itself) */
  readonly qb: Kysely<any>;
  /**
   * The engine has a trigram index method for `contains`: SQLite's FTS5 trigram tokenizer
   * always; PostgreSQL once the pg_trgm extension is installed (see PostgresDb.enableTrigram).
   */
  readonly trigram: boolean;
  /** true on the handle given to a `transaction` callback */
  readonly inTransaction: boolean;
  /** Rows of a read statement (on SQLite outside a transaction: the read connection). */
  query<T = Row>(q: Queryable): Promise<T[]>;
  /** Runs a writing statement; returns its rows (RETURNING) and the number of changed rows. */
  execute<T = Row>(q: Queryable): Promise<{ rows: T[]; changes: number }>;
  /**
   * Runs a writing statement whose answer the caller does not wait for: in a PostgreSQL
   * transaction it is sent at once and answered together with the COMMIT (one round trip for
   * both instead of two), and the transaction fails with its error if it fails. `then` gets its
   * rows once it ran, before the commit completes. Elsewhere it runs as {@link execute} before
   * this resolves. For the last writes of a transaction, whose result its code does not read
   * (the outbox rows).
   */
  executeDeferred<T = Row>(q: Queryable, then?: Answered<T>): Promise<void>;
  /** Runs DDL / multi-statement SQL text with no parameters. */
  script(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Nested calls join the outer transaction. `afterCommit` callbacks run once it committed.
   */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  /** Registers work to run after the current transaction commits (immediately when not in one). */
  afterCommit(fn: () => void): void;
  /** Forget cached prepared statements (after DDL). */
  resetStatements(): void;
  close(): Promise<void>;
}

export function toStatement(q: Queryable): Statement {
  if ("compile" in q && typeof q.compile === "function") return q.compile();
  return q as Statement;
}

/** A Kysely instance that only compiles (never executes) for the given dialect. */
export function compileOnly(dialect: Dialect): Kysely<any> {
  return dialect === "sqlite"
    ? new Kysely<any>({
        dialect: {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db) => new SqliteIntrospector(db),
          createQueryCompiler: () => new SqliteQueryCompiler(),
        },
      })
    : new Kysely<any>({
        dialect: {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db) => new PostgresIntrospector(db),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        },
      });
}

/** {@link SqlDb.executeDeferred} where nothing is deferred: runs the statement, then hands `then` its result. */
export async function executeThen<T>(db: SqlDb, q: Queryable, then?: Answered<T>): Promise<void> {
  const result = await db.execute<T>(q);
  then?.(result);
}

/** Runs callbacks queued with afterCommit; one failing callback does not stop the others. */
export function runAfterCommit(callbacks: (() => void)[], onError: (e: unknown) => void): void {
  for (const cb of callbacks) {
    try {
      cb();
    } catch (e) {
      onError(e);
    }
  }
}
