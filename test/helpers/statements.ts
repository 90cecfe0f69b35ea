/**
 * Watching the SQL the core runs, for statement-count and query-plan tests: one recorder that
 * wraps a database handle's `query` (and optionally `execute` and `executeDeferred`, and the
 * handles of its transactions) until restored, and the plan of a recorded statement on either database.
 */
import type { SqlDb } from "../../src/db/sql-db.ts";

/** A compiled statement as the core ran it. */
export interface Stmt {
  sql: string;
  parameters: readonly unknown[];
}

export interface StatementRecorder {
  readonly statements: Stmt[];
  readonly count: number;
  /** the SQL text of each statement */
  texts(): string[];
  reset(): void;
  restore(): void;
}

const compiled = (q: any): Stmt => (typeof q?.compile === "function" ? q.compile() : typeof q?.sql === "string" ? q : { sql: String(q), parameters: [] });

/**
 * Records the statements run on `db`: reads (`query`) always, writes (`execute`,
 * `executeDeferred`) with `writes`, and those of its transactions with `transactions`.
 */
export function recordStatements(db: SqlDb, opts: { writes?: boolean; transactions?: boolean } = {}): StatementRecorder {
  const statements: Stmt[] = [];
  const wrap = (target: SqlDb): (() => void) => {
    const { query, execute, executeDeferred } = target;
    (target as { query: SqlDb["query"] }).query = function (this: SqlDb, q: any) {
      statements.push(compiled(q));
      return query.call(this, q);
    } as SqlDb["query"];
    if (opts.writes) {
      (target as { execute: SqlDb["execute"] }).execute = function (this: SqlDb, q: any) {
        statements.push(compiled(q));
        return execute.call(this, q);
      } as SqlDb["execute"];
      // on SQLite it runs through `execute` (recorded there); on PostgreSQL it does not
      if (target.dialect === "postgres") {
        (target as { executeDeferred: SqlDb["executeDeferred"] }).executeDeferred = function (this: SqlDb, q: any, then?: any) {
          statements.push(compiled(q));
          return executeDeferred.call(this, q, then);
        } as SqlDb["executeDeferred"];
      }
    }
    return () => Object.assign(target, opts.writes ? { query, execute, executeDeferred } : { query });
  };
  const unwrap = wrap(db);
  const transaction = db.transaction;
  if (opts.transactions) {
    (db as { transaction: SqlDb["transaction"] }).transaction = function (this: SqlDb, fn) {
      return transaction.call(this, (tx) => {
        wrap(tx);
        return fn(tx);
      });
    } as SqlDb["transaction"];
  }
  return {
    statements,
    get count() {
      return statements.length;
    },
    texts: () => statements.map((s) => s.sql),
    reset: () => void statements.splice(0),
    restore: () => {
      unwrap();
      if (opts.transactions) (db as { transaction: SqlDb["transaction"] }).transaction = transaction;
    },
  };
}

/** The query plan of a statement as text; on PostgreSQL with sequential scans disabled (test tables are small). */
export async function explain(db: SqlDb, s: Stmt): Promise<string> {
  if (db.dialect === "sqlite") return (await db.query<{ detail: string }>({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, parameters: s.parameters })).map((r) => r.detail).join("\n");
  return db.transaction(async (tx) => {
    await tx.execute({ sql: "SET LOCAL enable_seqscan = off", parameters: [] });
    const rows = await tx.query<Record<string, string>>({ sql: `EXPLAIN ${s.sql}`, parameters: s.parameters });
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
}
