/**
 * The database's part of `/health`: can it answer a query, and (SQLite) can it take writes.
 * PostgreSQL: one `SELECT 1` on the pool. SQLite: `SELECT 1` on the read connection, the write
 * lock taken and released on the file (fails when the database is read-only), and the reason
 * the last write failed when the database could not take it (disk full, I/O error) until a
 * write succeeds again. Each check answers within `timeoutMs` or counts as failed.
 */
import { classifyDriverError } from "./driver-errors.ts";
import type { SqlDb } from "./sql-db.ts";
import { SqliteDb } from "./sqlite.ts";

export type DatabaseHealth = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly readonly: boolean };

const SELECT_ONE = { sql: "SELECT 1", parameters: [] } as const;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const reasonOf = (e: unknown): string => {
  const failure = classifyDriverError(e);
  if (failure?.kind === "unavailable") return failure.reason;
  return e instanceof Error && /^no answer within/.test(e.message) ? `the database did not answer (${e.message})` : "the database check failed";
};

/** Checks the database (see the module comment); never throws. */
export async function checkDatabase(db: SqlDb, timeoutMs = 2000): Promise<DatabaseHealth> {
  try {
    await withTimeout(db.query(SELECT_ONE), timeoutMs);
  } catch (e) {
    return { ok: false, reason: reasonOf(e), readonly: false };
  }
  if (!(db instanceof SqliteDb)) return { ok: true };
  try {
    await withTimeout(db.probeWrite(), timeoutMs);
  } catch (e) {
    return { ok: false, reason: reasonOf(e), readonly: true };
  }
  const failure = db.writeFailure;
  return failure ? { ok: false, reason: `${failure} (the last write failed)`, readonly: true } : { ok: true };
}
