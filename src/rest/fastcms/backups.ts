/**
 * /api/v1/backups (compat/fastcms.md §14), superadmins only: create, list, download, restore,
 * delete. Parse, call core (core/backups), render the FastCMS shapes.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Services } from "../../core/context.ts";
import { createBackup, type BackupInfo } from "../../core/backups/create-backup.ts";
import { deleteBackup, listBackups, openBackup } from "../../core/backups/manage-backups.ts";
import { restoreBackup } from "../../core/backups/restore-backup.ts";
import { startBackupJob, startRestoreJob } from "../../core/backups/backup-jobs.ts";
import type { JobView } from "../../core/jobs/jobs.ts";
import { jobSchema, renderJob } from "./jobs.ts";
import { ADMIN } from "../../core/policy/operation.ts";
import { errorResponses } from "../errors.ts";

const tags = ["backups"];

const backupProperties = {
  id: { type: "string" },
  filename: { type: "string" },
  size: { type: "integer" },
  size_bytes: { type: "integer" },
  path: { type: "string", description: "relative to the data directory" },
  status: { type: "string" },
  created: { type: "string", format: "date-time" },
  database: { type: "string", enum: ["sqlite", "postgres"] },
  reason: { type: "string", enum: ["manual", "scheduled", "pre_restore"] },
  rows: { type: "integer" },
  collections: { type: "integer" },
  files: { type: "integer" },
} as const;
const backupSchema = { type: "object", properties: backupProperties } as const;
const waitQuery = {
  type: "object",
  properties: { wait: { type: "boolean", default: false, description: "true: run within the request and answer with the result instead of 202 + a job" } },
} as const;
const acceptedSchema = {
  type: "object",
  properties: { job_id: { type: "string" }, status: { type: "string" }, job: jobSchema, message: { type: "string" } },
} as const;

/** 202 with the queued job and where to watch it. */
function accepted(reply: FastifyReply, job: JobView, what: string) {
  return reply
    .status(202)
    .header("location", `/api/v1/jobs/${job.id}`)
    .send({ job_id: job.id, status: job.state, job: renderJob(job), message: `${what} runs as job ${job.id}: GET /api/v1/jobs/${job.id} (or /events) for its progress and result` });
}

const nameParams = { type: "object", required: ["filename"], properties: { filename: { type: "string", maxLength: 300, description: "backup id or file name" } } } as const;

/** A backup in the FastCMS shape (plus database, reason and counts). */
export function renderBackup(b: BackupInfo) {
  return {
    id: b.id,
    filename: b.filename,
    size: b.sizeBytes,
    size_bytes: b.sizeBytes,
    path: `backups/${b.filename}`,
    status: "completed",
    created: b.created,
    database: b.database,
    reason: b.reason,
    rows: b.rows,
    collections: b.collections,
    files: b.files,
  };
}

export function registerBackupRoutes(api: FastifyInstance, _services: Services): void {
  api.post<{ Querystring: { wait?: boolean } }>(
    "/backups",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Take a backup (database, files and manifest in one archive): 202 + a job, or 201 + the backup with ?wait=true",
        querystring: waitQuery,
        response: { 201: backupSchema, 202: acceptedSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async (req, reply) => {
      if (req.query.wait) return reply.status(201).send(renderBackup(await createBackup(req.ctx)));
      return accepted(reply, await startBackupJob(req.ctx), "The backup");
    },
  );

  api.get<{ Querystring: { page?: number; per_page?: number } }>(
    "/backups",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "List backups, newest first",
        querystring: { type: "object", properties: { page: { type: "integer", minimum: 1, default: 1 }, per_page: { type: "integer", minimum: 1, maximum: 100, default: 20 } } },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: backupSchema }, page: { type: "integer" }, per_page: { type: "integer" }, total: { type: "integer" }, total_pages: { type: "integer" } },
          },
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (req) => {
      const page = await listBackups(req.ctx, { page: req.query.page, perPage: req.query.per_page });
      return { items: page.items.map(renderBackup), page: page.page, per_page: page.perPage, total: page.total, total_pages: page.totalPages };
    },
  );

  api.get<{ Params: { filename: string } }>(
    "/backups/:filename",
    {
      config: { operation: ADMIN },
      schema: { tags, summary: "Download a backup archive (.tar.gz)", params: nameParams, response: { ...errorResponses(400, 401, 403, 404) } },
    },
    async (req, reply) => {
      const { filename, size, stream } = await openBackup(req.ctx, req.params.filename);
      return reply
        .header("content-type", "application/gzip")
        .header("content-length", String(size))
        .header("content-disposition", `attachment; filename="${filename}"`)
        .header("x-content-type-options", "nosniff")
        .send(stream);
    },
  );

  api.post<{ Params: { filename: string }; Querystring: { wait?: boolean } }>(
    "/backups/:filename/restore",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Restore a backup (replaces the database and files; a safety backup is taken first): 202 + a job, or 200 + the result with ?wait=true",
        params: nameParams,
        querystring: waitQuery,
        response: {
          202: acceptedSchema,
          200: {
            type: "object",
            properties: {
              status: { type: "string" },
              id: { type: "string" },
              filename: { type: "string" },
              database: { type: "string" },
              rows: { type: "integer" },
              collections: { type: "integer" },
              files: { type: "integer" },
              safety_backup: backupSchema,
              message: { type: "string" },
            },
          },
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      if (!req.query.wait) return accepted(reply, await startRestoreJob(req.ctx, req.params.filename), "The restore");
      const r = await restoreBackup(req.ctx, req.params.filename);
      return {
        status: "restored",
        id: r.id,
        filename: r.filename,
        database: r.database,
        rows: r.rows,
        collections: r.collections,
        files: r.files,
        safety_backup: renderBackup(r.safetyBackup),
        message: `Restored ${r.filename}; the state before it is in ${r.safetyBackup.filename}`,
      };
    },
  );

  api.delete<{ Params: { filename: string } }>(
    "/backups/:filename",
    {
      config: { operation: ADMIN },
      schema: { tags, summary: "Delete a backup", params: nameParams, response: { 200: { type: "object", properties: { deleted: { type: "boolean" } } }, ...errorResponses(400, 401, 403, 404) } },
    },
    async (req) => {
      await deleteBackup(req.ctx, req.params.filename);
      return { deleted: true };
    },
  );
}
