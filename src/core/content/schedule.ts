/**
 * Scheduled publishing: every instance looks for documents whose `publish_at` or
 * `unpublish_at` has passed (one statement per tick over every draft-enabled collection, an
 * indexed range read on each of the two columns; nothing when no collection has drafts) and applies
 * each as a record update guarded by the version it read (`expectedVersion`). When several
 * instances see the same due document, the row lock (PostgreSQL) or the single writer (SQLite)
 * lets exactly one update commit; the others meet a version conflict and skip it. The schedule
 * lives in the rows, so a restart loses nothing: the next tick applies what fell due meanwhile.
 */
import { sql } from "kysely";
import type { CollectionDef } from "../collections/types.ts";
import type { Context, Services } from "../context.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { updateRecord } from "../records/write.ts";
import { CONTENT_FIELD as F, contentOptions } from "./options.ts";

/** How often an instance looks for due documents. */
export const SCHEDULE_INTERVAL_MS = 1000;
/** Due documents applied per tick (more are applied at the next ticks). */
const BATCH = 100;

export interface ContentScheduler {
  /** Applies what is due now; resolves with the number of documents this instance changed. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

type DueRow = { doc_type: string; id: string; account_id: string; version: number; publish_at: unknown; unpublish_at: unknown };

/**
 * The due documents of every draft-enabled collection, at most {@link BATCH}: one statement (a
 * UNION ALL of one indexed range read per collection on `publish_at` / `unpublish_at`).
 */
async function dueDocuments(services: Services, defs: readonly CollectionDef[], now: string): Promise<DueRow[]> {
  const { db } = services;
  const branches = defs.map(
    (def) =>
      sql`SELECT CAST(${def.name} AS TEXT) AS doc_type, id, account_id, version, ${sql.ref(F.publishAt)}, ${sql.ref(F.unpublishAt)} FROM ${sql.table(def.name)} WHERE ${sql.ref(F.publishAt)} <= ${now} OR ${sql.ref(F.unpublishAt)} <= ${now}`,
  );
  return db.query<DueRow>(sql`${sql.join(branches, sql` UNION ALL `)} LIMIT ${BATCH}`.compile(db.qb));
}

/**
 * Applies the due schedules of every draft-enabled collection once, as the system principal of
 * each document's account. Returns how many documents this call changed. Costs one indexed
 * query when nothing is due (none without draft-enabled collections).
 */
export async function applyDueSchedules(services: Services): Promise<number> {
  const defs = services.collections.list().filter((def) => contentOptions(def).drafts);
  if (defs.length === 0) return 0;
  let changed = 0;
  for (const row of await dueDocuments(services, defs, services.now().toISOString())) {
    const ctx: Context = { requestId: "content-schedule", principal: { kind: "system", accountId: row.account_id }, services, log: services.log };
    // the due values themselves: write-hooks.ts applies a due schedule and clears it
    const data: Record<string, unknown> = {};
    for (const f of [F.publishAt, F.unpublishAt] as const) if (row[f] !== null) data[f] = row[f] instanceof Date ? row[f].toISOString() : row[f];
    try {
      await updateRecord(ctx, row.doc_type, row.id, data, { expectedVersion: Number(row.version) });
      changed++;
    } catch (e) {
      if (e instanceof ConflictError || e instanceof NotFoundError) continue; // another instance (or a writer) was first
      services.log.warn({ err: e, collection: row.doc_type, id: row.id }, "scheduled publishing of a document failed");
    }
  }
  return changed;
}

/** Starts the schedule loop of this instance (one tick at a time). */
export function startContentSchedule(services: Services, intervalMs = SCHEDULE_INTERVAL_MS): ContentScheduler {
  let running: Promise<number> = Promise.resolve(0);
  let stopped = false;
  const tick = () => {
    running = running
      .then(() => (stopped ? 0 : applyDueSchedules(services)))
      .catch((err: unknown) => {
        services.log.warn({ err }, "scheduled publishing failed");
        return 0;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    runOnce() {
      tick();
      return running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
