/**
 * Import and export of records (compat/fastcms.md §7, README "Import and export"):
 *   GET  /collections/{c}/records/export/csv?filter=&sort=&fields=   (also /export/{format}, /export?format=)
 *   POST /collections/{c}/records/import/csv   multipart `file`      (also /import/{format}, /import)
 * Small work answers at once (a streamed attachment; 201 with the counts); large work answers
 * 202 with a job (`GET /api/v1/jobs/{id}`). Parse → core (core/transfer) → render.
 */
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { rm } from "node:fs/promises";
import { BadRequestError, PayloadTooLargeError, ValidationError } from "../../core/errors.ts";
import type { JobView } from "../../core/jobs/jobs.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { exportRecords } from "../../core/transfer/export.ts";
import { parseFormat } from "../../core/transfer/formats.ts";
import { importRecords, type ImportResult } from "../../core/transfer/import.ts";
import { maxImportSize, stageImportFile, uploadFormat } from "../../core/transfer/stage-file.ts";
import { FilterError, type Expr } from "../../query/ast.ts";
import { parseExpression } from "../../query/parse-expression.ts";
import { errorResponses } from "../errors.ts";
import { jobSchema, renderJob } from "./jobs.ts";

const tags = ["import/export"];
const collectionParams = { type: "object", required: ["collection"], properties: { collection: { type: "string", maxLength: 100 } } } as const;
const formatParams = {
  type: "object",
  required: ["collection", "format"],
  properties: { collection: { type: "string", maxLength: 100 }, format: { type: "string", maxLength: 10 } },
} as const;
/** the path parameters of a route with or without `{format}` (OpenAPI lists only those in the path) */
const params = (withFormat: boolean) => (withFormat ? formatParams : collectionParams);

type ExportQs = { filter?: string; sort?: string; fields?: string; format?: string; background?: boolean };
type ImportQs = { mode?: string; key?: string; upsert_key?: string; atomic?: boolean; format?: string; skip_validation?: boolean };

function parseFilter(text: string | undefined): Expr | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return parseExpression(text);
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
    throw e;
  }
}

/** 202 body for work that runs as a job. */
function accepted(reply: FastifyReply, job: JobView) {
  const view = renderJob(job);
  return reply
    .status(202)
    .header("location", `/api/v1/jobs/${job.id}`)
    .send({ job_id: job.id, status: job.state, status_url: `/api/v1/jobs/${job.id}`, events_url: `/api/v1/jobs/${job.id}/events`, job: view });
}

/** Core import result → FastCMS answer (`errors` null when none). */
export function renderImport(r: ImportResult) {
  return { imported: r.imported, total: r.total, errors: r.errors.length ? r.errors : null, created: r.created, updated: r.updated, failed: r.failed };
}

const importResult = {
  type: "object",
  properties: {
    imported: { type: "integer" },
    total: { type: "integer" },
    errors: { type: ["array", "null"], items: { type: "object", properties: { row: { type: "integer" }, field: { type: ["string", "null"] }, error: { type: "string" } } } },
    created: { type: "integer" },
    updated: { type: "integer" },
    failed: { type: "integer" },
  },
} as const;
const jobAccepted = {
  type: "object",
  properties: { job_id: { type: "string" }, status: { type: "string" }, status_url: { type: "string" }, events_url: { type: "string" }, job: jobSchema },
} as const;

export async function registerTransferRoutes(api: FastifyInstance): Promise<void> {
  // Multipart in this scope only (unless a parent scope parses it already).
  if (!api.hasContentTypeParser("multipart/form-data")) await api.register(multipart, { limits: { files: 1, fields: 20, parts: 25 } });

  const exportHandler = async (req: FastifyRequest<{ Params: { collection: string; format?: string }; Querystring: ExportQs }>, reply: FastifyReply) => {
    const qs = req.query;
    const format = parseFormat(req.params.format ?? qs.format);
    const fields = qs.fields
      ?.split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    const out = await exportRecords(req.ctx, req.params.collection, { format, filter: parseFilter(qs.filter), sort: qs.sort, fields }, { background: qs.background });
    if (out.kind === "job") return accepted(reply, out.job);
    reply.header("content-type", out.type);
    reply.header("content-disposition", `attachment; filename="${out.name}"`);
    reply.header("x-content-type-options", "nosniff");
    return reply.send(out.stream);
  };
  const exportSchema = (summary: string, withFormat: boolean) => ({
    tags,
    summary,
    params: params(withFormat),
    querystring: {
      type: "object",
      properties: {
        filter: { type: "string", maxLength: 4096 },
        sort: { type: "string", maxLength: 500 },
        fields: { type: "string", maxLength: 4096, description: "comma list of fields (id, created, updated always come first)" },
        format: { type: "string", description: "csv (default), json, ndjson, xlsx" },
        background: { type: "boolean", description: "run as a job whatever the size" },
      },
    },
    response: { 202: jobAccepted, ...errorResponses(400, 401, 403, 404) },
  });
  api.get(
    "/collections/:collection/records/export",
    { config: { operation: READ }, schema: exportSchema("Export records (format=csv|json|ndjson|xlsx); over 10,000 → 202 + job", false) },
    exportHandler,
  );
  api.get(
    "/collections/:collection/records/export/:format",
    { config: { operation: READ }, schema: exportSchema("Export records as csv, json, ndjson or xlsx; over 10,000 → 202 + job", true) },
    exportHandler,
  );

  const importHandler = async (req: FastifyRequest<{ Params: { collection: string; format?: string }; Querystring: ImportQs }>, reply: FastifyReply) => {
    if (!req.isMultipart()) throw new BadRequestError("Send the file as multipart/form-data in the field 'file'", { file: "Required" });
    // Checks that need no upload come first (nothing is read for a request that will fail).
    req.ctx.services.collections.require(req.params.collection);
    // the size limit is enforced while staging (413 naming it); multipart's own limit is set above it
    const part = await req.file({ limits: { fileSize: maxImportSize(req.ctx.services) + 1 } });
    // 422 like a missing required form field in FastCMS (and like POST /files)
    if (!part || part.fieldname !== "file") throw new ValidationError("Send the file in the multipart field 'file'", { file: "Required" });
    const qs = req.query;
    const format = uploadFormat(part.filename, req.params.format ?? qs.format);
    const path = await stageImportFile(req.ctx, part.file, format);
    if (part.file.truncated) {
      await rm(path, { force: true });
      throw new PayloadTooLargeError(`The file is larger than the import limit (setting max_import_size)`);
    }
    const out = await importRecords(req.ctx, req.params.collection, path, { format, mode: qs.mode as "insert" | "upsert" | undefined, key: qs.key ?? qs.upsert_key, atomic: qs.atomic });
    if ("job" in out) return accepted(reply, out.job);
    return reply.status(201).send(renderImport(out.result));
  };
  const importSchema = (summary: string, withFormat: boolean) => ({
    tags,
    summary,
    consumes: ["multipart/form-data"],
    params: params(withFormat),
    querystring: {
      type: "object",
      properties: {
        mode: { type: "string", enum: ["insert", "upsert"], default: "insert" },
        key: { type: "string", maxLength: 100, description: "upsert key: id (default) or a unique field" },
        upsert_key: { type: "string", maxLength: 100 },
        atomic: { type: "boolean", default: false, description: "all rows or none (422 listing the failing rows)" },
        format: { type: "string", description: "csv, json, ndjson, xlsx (default: from the file name)" },
        skip_validation: { type: "boolean", description: "accepted for FastCMS clients; Cairn always validates" },
      },
    },
    response: { 201: importResult, 202: jobAccepted, ...errorResponses(400, 401, 403, 404, 413, 422) },
  });
  const config = { operation: WRITE };
  api.post("/collections/:collection/records/import", { config, schema: importSchema("Import records from a file (multipart `file`); over 1,000 rows → 202 + job", false) }, importHandler);
  api.post(
    "/collections/:collection/records/import/:format",
    { config, schema: importSchema("Import records from a csv, json, ndjson or xlsx file (multipart `file`); over 1,000 rows → 202 + job", true) },
    importHandler,
  );
}
