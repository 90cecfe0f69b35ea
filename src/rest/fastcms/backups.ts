/**
 * /api/v1/backups (compat/fastcms.md §14), superadmins only: create, list, download, restore,
 * delete. Parse, call core (core/backups), render the FastCMS shapes.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { createBackup, type BackupInfo } from "../../core/backups/create-backup.ts";
import { deleteBackup, listBackups, openBackup } from "../../core/backups/manage-backups.ts";
import { restoreBackup } from "../../core/backups/restore-backup.ts";
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
  api.post(
    "/backups",
    {
      config: { operation: ADMIN },
      schema: { tags, summary: "Take a backup now (database, files and manifest in one archive)", response: { 201: backupSchema, ...errorResponses(401, 403, 503) } },
    },
    async (req, reply) => reply.status(201).send(renderBackup(await createBackup(req.ctx))),
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

  api.post<{ Params: { filename: string } }>(
    "/backups/:filename/restore",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Restore a backup (replaces the database and files; a safety backup is taken first)",
        params: nameParams,
        response: {
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
    async (req) => {
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
