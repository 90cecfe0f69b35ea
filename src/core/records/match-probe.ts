/**
 * How many rows an FTS5 query matches, roughly: whether it reaches a bound, counted up to that
 * bound (the count stops there, so a common word costs no more than a rare one) and remembered
 * per (table, query, bound) for {@link PROBE_TTL_MS}. Plans that depend on the number of matches
 * ask here (contains-index.ts: trigram index or ordered scan; search.ts: how a relevance page is
 * read). A stale answer only costs speed, never correctness.
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";

/** How long a probe's answer is reused. */
export const PROBE_TTL_MS = 60_000;
/** Probe answers remembered per database. */
const PROBE_CACHE_SIZE = 2_000;

const probes = new WeakMap<SqlDb, Map<string, { atLeast: boolean; expires: number }>>();

/**
 * Whether `match` finds at least `bound` rows in the FTS5 table `table`.
 * @example await matchesAtLeast(db, "_fts_posts", '"lorem"*', 500) // true: a common word
 */
export async function matchesAtLeast(db: SqlDb, table: string, match: string, bound: number, now = Date.now()): Promise<boolean> {
  let cache = probes.get(db);
  if (!cache) probes.set(db, (cache = new Map()));
  const key = `${table}\0${bound}\0${match}`;
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.atLeast;
  const fts = sql.table(table);
  const stmt = sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${fts} WHERE ${fts} MATCH ${match} LIMIT ${bound})`;
  const [row] = await db.query<{ n: number }>(stmt.compile(db.qb));
  const atLeast = Number(row?.n ?? 0) >= bound;
  if (cache.size >= PROBE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.delete(key);
  cache.set(key, { atLeast, expires: now + PROBE_TTL_MS });
  return atLeast;
}
