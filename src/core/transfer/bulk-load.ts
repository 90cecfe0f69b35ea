/**
 * After a bulk load: fresh planner statistics for the table (ANALYZE on both databases, so the
 * next lists are planned for the new size) and, on SQLite, a WAL checkpoint so the write-ahead
 * log does not stay large (notes/stack-facts.md "SQLite under write bursts").
 */
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";

/** Refreshes statistics of `def`'s table; failures are logged (the data is committed already). */
export async function refreshAfterBulkLoad(ctx: Context, def: CollectionDef): Promise<void> {
  const { db } = ctx.services;
  try {
    // collection names are checked identifiers ([a-z][a-z0-9_]*)
    await db.script(`ANALYZE "${def.name}"`);
    if (db.dialect === "sqlite") await db.script("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (err) {
    ctx.log.warn({ err, collection: def.name }, "import: statistics not refreshed");
  }
}
