/**
 * `getStats` (superadmins): what an operator looks at first — open realtime connections and
 * subscriptions, requests per minute, how far the event outbox's consumers are behind, running
 * maintenance work, the database's kind and size, and uptime. Cheap: three small queries (the
 * newest event, the consumers' cursors, the database size), no table scans.
 */
import { stat } from "node:fs/promises";
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context, Services } from "../context.ts";
import { latestSeq } from "../events/outbox.ts";
import type { RealtimeCounts } from "./runtime-stats.ts";

export interface OutboxStats {
  /** sequence number of the newest event */
  latestSeq: number;
  /** events the slowest consumer has not handled yet */
  lag: number;
  consumers: { name: string; lastSeq: number; lag: number }[];
}

export interface Stats {
  startedAt: string;
  uptimeSeconds: number;
  requestsPerMinute: number;
  requestsTotal: number;
  realtime: RealtimeCounts;
  outbox: OutboxStats;
  /** jobs (imports, exports, backups, restores) running and waiting on this instance */
  jobs: { running: number; queued: number };
  database: { kind: "sqlite" | "postgres"; sizeBytes: number };
  /** how events reach other instances: `redis` (REDIS_URL) or `memory` (this instance only) */
  pubsubBackend: "redis" | "memory";
}

/** Stats of this instance and its database. @throws 401/403 */
export async function getStats(ctx: Context): Promise<Stats> {
  requireSuperadmin(ctx);
  const { services } = ctx;
  const [outbox, sizeBytes] = await Promise.all([outboxStats(services), databaseSize(services)]);
  const { runtime } = services;
  return {
    startedAt: runtime.startedAt.toISOString(),
    uptimeSeconds: runtime.uptimeSeconds(),
    requestsPerMinute: runtime.requestsPerMinute(),
    requestsTotal: runtime.requestsTotal,
    realtime: runtime.realtime(),
    outbox,
    jobs: services.jobs.load,
    database: { kind: services.db.dialect, sizeBytes },
    pubsubBackend: services.config.redisUrl ? "redis" : "memory",
  };
}

/** The outbox's newest event and each consumer's position. */
export async function outboxStats(services: Pick<Services, "db">): Promise<OutboxStats> {
  const { db } = services;
  const [seq, cursors] = await Promise.all([latestSeq(db), db.query<{ consumer: string; last_seq: unknown }>(db.qb.selectFrom("_event_cursors").select(["consumer", "last_seq"]).orderBy("consumer"))]);
  const consumers = cursors.map((c) => ({ name: c.consumer, lastSeq: Number(c.last_seq), lag: Math.max(0, seq - Number(c.last_seq)) }));
  return { latestSeq: seq, lag: consumers.reduce((m, c) => Math.max(m, c.lag), 0), consumers };
}

/** Bytes the database takes: SQLite's file plus its write-ahead log; PostgreSQL's `pg_database_size`. */
export async function databaseSize(services: Pick<Services, "db" | "config">): Promise<number> {
  const { db, config } = services;
  if (db.dialect === "postgres") {
    const [row] = await db.query<{ size: unknown }>({ sql: "SELECT pg_database_size(current_database()) AS size", parameters: [] });
    return Number(row?.size ?? 0);
  }
  const file = config.databaseUrl.replace(/^file:/, "");
  let total = 0;
  for (const f of [file, `${file}-wal`])
    total += await stat(f).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}
