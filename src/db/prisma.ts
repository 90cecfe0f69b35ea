/**
 * The Prisma client for system models, wired to share the core database safely:
 * - PostgreSQL: the adapter uses the core's pg pool.
 * - SQLite: the adapter keeps its own connection, but every plain query and every whole
 *   interactive transaction takes the core's write lock. This closes the better-sqlite3
 *   adapter trap where a query from another request, issued while a transaction is open,
 *   runs inside it (dirty reads, writes rolled back with it), and it keeps Prisma's writes
 *   from colliding with the core's transactions on the database file.
 */
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { PostgresDb } from "./postgres.ts";
import type { SqliteDb } from "./sqlite.ts";
import type { SqlDb } from "./sql-db.ts";

export type Prisma = PrismaClient;

async function lockedSqliteFactory(db: SqliteDb): Promise<SqlDriverAdapterFactory> {
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  const inner = new PrismaBetterSqlite3({ url: db.file, timeout: 5000 });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await inner.connect();
      const lock = db.lock;
      const wrapped: SqlDriverAdapter = Object.create(adapter);
      wrapped.queryRaw = (q: SqlQuery) => lock.runExclusive(() => adapter.queryRaw(q));
      wrapped.executeRaw = (q: SqlQuery) => lock.runExclusive(() => adapter.executeRaw(q));
      wrapped.executeScript = (s: string) => lock.runExclusive(() => adapter.executeScript(s));
      wrapped.startTransaction = async (level) => {
        const release = await lock.acquire();
        let tx: Transaction;
        try {
          tx = await adapter.startTransaction(level);
        } catch (e) {
          release();
          throw e;
        }
        const done = (fn: () => Promise<void>) => async () => {
          try {
            await fn();
          } finally {
            release();
          }
        };
        const txWrapped: Transaction = Object.create(tx);
        txWrapped.commit = done(() => tx.commit());
        txWrapped.rollback = done(() => tx.rollback());
        return txWrapped;
      };
      return wrapped;
    },
  };
}

/**
 * Creates the Prisma client bound to the core database (see the module comment). Only the
 * dialect's generated client and adapter are loaded: the other's are never needed.
 */
export async function createPrisma(db: SqlDb): Promise<Prisma> {
  if (db.dialect === "postgres") {
    const [{ PrismaPg }, { PrismaClient: PrismaClientPg }] = await Promise.all([import("@prisma/adapter-pg"), import("../generated/prisma-pg/client.ts")]);
    return new PrismaClientPg({ adapter: new PrismaPg((db as PostgresDb).pool) }) as unknown as PrismaClient;
  }
  const [adapter, { PrismaClient: PrismaClientSqlite }] = await Promise.all([lockedSqliteFactory(db as SqliteDb), import("../generated/prisma/client.ts")]);
  return new PrismaClientSqlite({ adapter });
}
