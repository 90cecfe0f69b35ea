/**
 * Planner statistics after bulk loads. A table that grew by many rows at once misleads the
 * planner until its statistics follow: SQLite's timer (db/sqlite.ts) catches up within a minute,
 * PostgreSQL's autovacuum later still (and never where it is off). On SQLite the refresh is that
 * timer's, run at once. Bulk paths report the rows they wrote here; once a table has received
 * {@link BULK_ANALYZE_ROWS} rows this way (in one load or several), it is refreshed — on
 * PostgreSQL by a vacuum with ANALYZE, after flushing its GIN indexes' pending lists, whose size
 * the planner otherwise charges to every trigram and full-text index scan (and neither ANALYZE
 * nor this vacuum flushes).
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { SqliteDb } from "../../db/sqlite.ts";
import { q } from "./ddl.ts";

/** Rows loaded in bulk into one table after which it is analysed. */
export const BULK_ANALYZE_ROWS = 1000;

/** Per table: rows loaded since its last refresh, and whether a refresh is running. */
interface Load {
  rows: number;
  running: boolean;
}

const loads = new WeakMap<SqlDb, Map<string, Load>>();

/**
 * Notes `rows` rows written to `table` by a bulk path (bulk create, imports) and refreshes the
 * table's statistics once enough have accumulated. One refresh per table runs at a time: rows
 * loaded meanwhile are taken by one more refresh when it ends (concurrent VACUUMs or ANALYZEs
 * of one table queue on its lock, and bulk loads report faster than a refresh runs on a large
 * table). Call it after the load committed, with the root handle. Resolves true when this call
 * refreshed. Database errors propagate (callers off the request path log them).
 * @example await analyzeAfterBulkLoad(db, "posts", 100_000)
 */
export async function analyzeAfterBulkLoad(db: SqlDb, table: string, rows: number): Promise<boolean> {
  let tables = loads.get(db);
  if (!tables) loads.set(db, (tables = new Map()));
  let load = tables.get(table);
  if (!load) tables.set(table, (load = { rows: 0, running: false }));
  load.rows += rows;
  if (load.running || load.rows < BULK_ANALYZE_ROWS) return false;
  load.running = true;
  try {
    while (load.rows >= BULK_ANALYZE_ROWS) {
      load.rows = 0;
      await refresh(db, table);
    }
    return true;
  } finally {
    load.running = false;
  }
}

/**
 * SQLite: the refresh its timer runs (db/sqlite.ts), now; it also makes the read connection
 * reload the statistics. The FTS5 trigram tables are left to their own automerge: an 'optimize'
 * rewrites a whole index into one segment — O(table), seconds on a large table — and blocked
 * every request for that long each time a bulk load passed the threshold.
 *
 * PostgreSQL: the GIN pending lists flushed, then `VACUUM (ANALYZE)`, not only `ANALYZE`: the
 * vacuum marks the loaded pages all-visible, which lets a count or a page read the index alone
 * (an index-only scan) instead of every heap page — what autovacuum does after inserts, later,
 * when it is on. `INDEX_CLEANUP OFF`: a load leaves no dead rows for the indexes to lose, and the
 * cleanup pass reads every page of each GIN index (seconds for the trigram indexes of a large
 * table); without it the vacuum reads only the pages not yet all-visible.
 */
async function refresh(db: SqlDb, table: string): Promise<void> {
  if (db instanceof SqliteDb) {
    await db.optimizeIfChanged(0);
    return;
  }
  if (db.dialect !== "postgres") return;
  const flush = sql`SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
    WHERE i.indrelid = to_regclass(${q(table)}) AND a.amname = 'gin'`;
  await db.query(flush.compile(db.qb));
  await db.script(`VACUUM (ANALYZE, INDEX_CLEANUP OFF) ${q(table)}`);
}
