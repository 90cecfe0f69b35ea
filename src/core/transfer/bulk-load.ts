/**
 * After a bulk load: fresh planner statistics for the table, so the next lists are planned for
 * the new size. On SQLite `ANALYZE` and a WAL checkpoint so the write-ahead log does not stay
 * large (notes/stack-facts.md "SQLite under write bursts"); on PostgreSQL the refresh bulk creates
 * get (collections/statistics.ts: a vacuum with ANALYZE, which also lets counts read the index
 * alone, one per table at a time).
 */
import { analyzeAfterBulkLoad, BULK_ANALYZE_ROWS } from "../collections/statistics.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";

/** Refreshes statistics of `def`'s table; failures are logged (the data is committed already). */
export async function refreshAfterBulkLoad(ctx: Context, def: CollectionDef): Promise<void> {
  const { db } = ctx.services;
  try {
    if (db.dialect === "sqlite") {
      // collection names are checked identifiers ([a-z][a-z0-9_]*)
      await db.script(`ANALYZE "${def.name}"`);
      await db.script("PRAGMA wal_checkpoint(TRUNCATE)");
    } else await analyzeAfterBulkLoad(db, def.name, BULK_ANALYZE_ROWS);
  } catch (err) {
    ctx.log.warn({ err, collection: def.name }, "import: statistics not refreshed");
  }
}
