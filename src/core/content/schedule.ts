/**
 * Scheduled publishing: every instance looks for documents whose `publish_at` or
 * `unpublish_at` has passed (one indexed query per draft-enabled collection per tick) and applies
 * each as a record update guarded by the version it read (`expectedVersion`). When several
 * instances see the same due document, the row lock (PostgreSQL) or the single writer (SQLite)
 * lets exactly one update commit; the others meet a version conflict and skip it. The schedule
 * lives in the rows, so a restart loses nothing: the next tick applies what fell due meanwhile.
 */
import type { Context, Services } from "../context.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { updateRecord } from "../records/write.ts";
import { CONTENT_FIELD as F, contentOptions } from "./options.ts";

/** How often an instance looks for due documents. */
export const SCHEDULE_INTERVAL_MS = 1000;
/** Due documents applied per collection per tick. */
const BATCH = 100;

export interface ContentScheduler {
  /** Applies what is due now; resolves with the number of documents this instance changed. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Applies the due schedules of every draft-enabled collection once, as the system principal of
 * each document's account. Returns how many documents this call changed.
 */
export async function applyDueSchedules(services: Services): Promise<number> {
  const { db } = services;
  const now = services.now().toISOString();
  let changed = 0;
  for (const def of services.collections.list()) {
    if (!contentOptions(def).drafts) continue;
    const rows = await db.query<{ id: string; account_id: string; version: number; publish_at: unknown; unpublish_at: unknown }>(
      db.qb
        .selectFrom(def.name)
        .select(["id", "account_id", "version", F.publishAt, F.unpublishAt])
        .where((eb) => eb.or([eb(F.publishAt, "<=", now), eb(F.unpublishAt, "<=", now)]))
        .limit(BATCH),
    );
    for (const row of rows) {
      const ctx: Context = { requestId: "content-schedule", principal: { kind: "system", accountId: row.account_id }, services, log: services.log };
      // the due values themselves: write-hooks.ts applies a due schedule and clears it
      const data: Record<string, unknown> = {};
      for (const f of [F.publishAt, F.unpublishAt]) if (row[f] !== null) data[f] = row[f] instanceof Date ? row[f].toISOString() : row[f];
      try {
        await updateRecord(ctx, def.name, row.id, data, { expectedVersion: Number(row.version) });
        changed++;
      } catch (e) {
        if (e instanceof ConflictError || e instanceof NotFoundError) continue; // another instance (or a writer) was first
        services.log.warn({ err: e, collection: def.name, id: row.id }, "scheduled publishing of a document failed");
      }
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
