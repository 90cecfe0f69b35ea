/**
 * GraphQL system fields for backups and stats (superadmins): `backups`, `stats`,
 * `createBackup`, `restoreBackup`, `deleteBackup`. Each calls the core operation
 * (core/backups, core/stats) and shapes its result.
 */
import { createBackup, type BackupInfo } from "../core/backups/create-backup.ts";
import { deleteBackup, listBackups, type BackupPage } from "../core/backups/manage-backups.ts";
import { restoreBackup, type RestoreResult } from "../core/backups/restore-backup.ts";
import { startBackupJob, startRestoreJob } from "../core/backups/backup-jobs.ts";
import { ADMIN } from "../core/policy/operation.ts";
import { getStats, type Stats } from "../core/stats/get-stats.ts";
import type { Builder } from "./builder.ts";

/** Adds the backup and stats types and fields. */
export function addBackupFields(b: Builder): void {
  const backup = b.objectRef<BackupInfo>("Backup").implement({
    description: "A backup archive in <data dir>/backups (database, files, manifest).",
    fields: (t) => ({
      id: t.exposeString("id"),
      filename: t.exposeString("filename"),
      sizeBytes: t.exposeFloat("sizeBytes"),
      created: t.field({ type: "DateTime", resolve: (x) => x.created }),
      database: t.exposeString("database", { description: "sqlite or postgres: the database it was taken from" }),
      reason: t.exposeString("reason", { description: "manual, scheduled or pre_restore" }),
      rows: t.exposeInt("rows"),
      collections: t.exposeInt("collections"),
      files: t.exposeInt("files"),
    }),
  });
  const page = b.objectRef<BackupPage>("BackupPage").implement({
    fields: (t) => ({
      items: t.field({ type: [backup], resolve: (p) => p.items }),
      page: t.exposeInt("page"),
      perPage: t.exposeInt("perPage"),
      total: t.exposeInt("total"),
      totalPages: t.exposeInt("totalPages"),
    }),
  });
  const restore = b.objectRef<RestoreResult>("BackupRestore").implement({
    fields: (t) => ({
      id: t.exposeString("id"),
      filename: t.exposeString("filename"),
      database: t.exposeString("database"),
      rows: t.exposeInt("rows"),
      collections: t.exposeInt("collections"),
      files: t.exposeInt("files"),
      safetyBackup: t.field({ type: backup, resolve: (r) => r.safetyBackup }),
    }),
  });
  const consumer = b.objectRef<Stats["outbox"]["consumers"][number]>("OutboxConsumerStats").implement({
    fields: (t) => ({ name: t.exposeString("name"), lastSeq: t.exposeInt("lastSeq"), lag: t.exposeInt("lag") }),
  });
  const stats = b.objectRef<Stats>("Stats").implement({
    description: "This instance's live figures (GET /api/v1/stats).",
    fields: (t) => ({
      startedAt: t.field({ type: "DateTime", resolve: (s) => s.startedAt }),
      uptimeSeconds: t.exposeInt("uptimeSeconds"),
      requestsPerMinute: t.exposeInt("requestsPerMinute"),
      requestsTotal: t.exposeInt("requestsTotal"),
      websocketConnections: t.int({ resolve: (s) => s.realtime.websocketConnections }),
      authenticatedConnections: t.int({ resolve: (s) => s.realtime.authenticatedConnections }),
      uniqueUsers: t.int({ resolve: (s) => s.realtime.uniqueUsers }),
      sseStreams: t.int({ resolve: (s) => s.realtime.sseStreams }),
      subscriptions: t.int({ resolve: (s) => s.realtime.subscriptions }),
      outboxLatestSeq: t.int({ resolve: (s) => s.outbox.latestSeq }),
      outboxLag: t.int({ resolve: (s) => s.outbox.lag }),
      outboxConsumers: t.field({ type: [consumer], resolve: (s) => s.outbox.consumers }),
      jobsRunning: t.int({ resolve: (s) => s.jobs.running }),
      jobsQueued: t.int({ resolve: (s) => s.jobs.queued }),
      databaseKind: t.string({ resolve: (s) => s.database.kind }),
      databaseSizeBytes: t.float({ resolve: (s) => s.database.sizeBytes }),
    }),
  });

  b.queryFields((t) => ({
    backups: t.field({
      type: page,
      extensions: { operation: ADMIN },
      description: "Backups, newest first (superadmins).",
      args: { page: t.arg.int(), perPage: t.arg.int() },
      resolve: (_r, args, { cairn }) => listBackups(cairn, { page: args.page ?? undefined, perPage: args.perPage ?? undefined }),
    }),
    stats: t.field({
      type: stats,
      extensions: { operation: ADMIN },
      description: "Live figures of this instance (superadmins).",
      resolve: (_r, _a, { cairn }) => getStats(cairn),
    }),
  }));
  b.mutationFields((t) => ({
    createBackup: t.field({
      type: backup,
      extensions: { operation: ADMIN },
      description: "Takes a backup now, within the request (see startBackup for a job).",
      resolve: (_r, _a, { cairn }) => createBackup(cairn),
    }),
    startBackup: t.field({
      type: "ID",
      extensions: { operation: ADMIN },
      description: "Queues a backup as a job; returns the job id (watch it with job(id) or jobProgress(id)).",
      resolve: async (_r, _a, { cairn }) => (await startBackupJob(cairn)).id,
    }),
    startRestore: t.field({
      type: "ID",
      extensions: { operation: ADMIN },
      description: "Queues the restore of a backup as a job; returns the job id.",
      args: { filename: t.arg.string({ required: true, description: "backup id or file name" }) },
      resolve: async (_r, args, { cairn }) => (await startRestoreJob(cairn, args.filename)).id,
    }),
    restoreBackup: t.field({
      type: restore,
      extensions: { operation: ADMIN },
      description: "Replaces the database and files with a backup's (a safety backup is taken first).",
      args: { filename: t.arg.string({ required: true, description: "backup id or file name" }) },
      resolve: (_r, args, { cairn }) => restoreBackup(cairn, args.filename),
    }),
    deleteBackup: t.field({
      type: "Boolean",
      extensions: { operation: ADMIN },
      args: { filename: t.arg.string({ required: true, description: "backup id or file name" }) },
      resolve: async (_r, args, { cairn }) => {
        await deleteBackup(cairn, args.filename);
        return true;
      },
    }),
  }));
}
