/**
 * Fullfinity export and import through the shared transfer core (core/transfer) and its jobs:
 *   POST /api/export/{model}  {ids, fields, format: xlsx|csv}      → the file (over 10,000 → 202 + job)
 *   POST /api/import/{model}  multipart `file` + `mapping` JSON    → the counts (over 1,000 rows → 202 + job)
 * The job is followed at /api/v1/jobs/{id} (and its `/download`), as for every dialect.
 */
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply } from "fastify";
import { rm } from "node:fs/promises";
import { BadRequestError, PayloadTooLargeError } from "../../core/errors.ts";
import type { JobView } from "../../core/jobs/jobs.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { exportRecords } from "../../core/transfer/export.ts";
import { importRecords } from "../../core/transfer/import.ts";
import { maxImportSize, stageImportFile, uploadFormat } from "../../core/transfer/stage-file.ts";
import type { Expr } from "../../query/ast.ts";
import { modelParams } from "./records.ts";

const tags = ["fullfinity"];

function queued(reply: FastifyReply, job: JobView, message: string) {
  return reply
    .status(202)
    .header("location", `/api/v1/jobs/${job.id}`)
    .send({ message, job_id: job.id, status: job.state, status_url: `/api/v1/jobs/${job.id}` });
}

/** The `mapping` form field: a JSON object of column → field names. */
function parseMapping(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('mapping must be JSON such as {"Name": "name"}', { mapping: "Invalid JSON" });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string"))
    throw new BadRequestError('mapping must be an object of column → field names such as {"Name": "name"}', { mapping: "Must map column names to field names" });
  return Object.assign(Object.create(null) as Record<string, string>, value);
}

export async function registerFullfinityTransfer(api: FastifyInstance): Promise<void> {
  if (!api.hasContentTypeParser("multipart/form-data")) await api.register(multipart, { limits: { files: 1, fields: 10, parts: 12 } });

  api.post<{ Params: { model: string }; Body: { ids?: string[] | null; fields?: string[] | null; format?: "xlsx" | "csv" } }>(
    "/api/export/:model",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Export records (the given ids, or all) as xlsx or csv",
        params: modelParams,
        body: {
          type: "object",
          properties: {
            ids: { type: ["array", "null"], items: { type: "string", maxLength: 200 }, maxItems: 1000 },
            fields: { type: ["array", "null"], items: { type: "string", maxLength: 200 }, maxItems: 200 },
            format: { type: "string", enum: ["xlsx", "csv"], default: "xlsx" },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body ?? {};
      const filter: Expr | undefined = b.ids ? { kind: "compare", op: "in", left: { kind: "field", name: "id" }, right: { kind: "value", value: b.ids } } : undefined;
      const out = await exportRecords(req.ctx, req.params.model, { format: b.format ?? "xlsx", filter, fields: b.fields ?? undefined });
      if (out.kind === "job") return queued(reply, out.job, "Export queued");
      reply.header("content-type", out.type);
      reply.header("content-disposition", `attachment; filename="${out.name}"`);
      reply.header("x-content-type-options", "nosniff");
      return reply.send(out.stream);
    },
  );

  api.post<{ Params: { model: string } }>(
    "/api/import/:model",
    { config: { operation: WRITE }, schema: { tags, summary: "Import records from a csv or xlsx file (multipart `file` + `mapping` JSON)", consumes: ["multipart/form-data"], params: modelParams } },
    async (req, reply) => {
      if (!req.isMultipart()) throw new BadRequestError("Send the file as multipart/form-data in the field 'file'", { file: "Required" });
      req.ctx.services.collections.require(req.params.model);
      let path: string | undefined;
      let format: ReturnType<typeof uploadFormat> | undefined;
      let mapping: Record<string, string> | undefined;
      try {
        for await (const part of req.parts({ limits: { fileSize: maxImportSize(req.ctx.services) + 1 } })) {
          if (part.type === "file") {
            if (part.fieldname !== "file" || path) {
              part.file.resume();
              throw new BadRequestError("Send one file in the multipart field 'file'", { file: "Required" });
            }
            format = uploadFormat(part.filename, undefined);
            path = await stageImportFile(req.ctx, part.file, format);
            if (part.file.truncated) throw new PayloadTooLargeError("The file is larger than the import limit (setting max_import_size)");
          } else if (part.fieldname === "mapping" && typeof part.value === "string" && part.value.trim() !== "") mapping = parseMapping(part.value);
        }
        if (!path || !format) throw new BadRequestError("Send the file in the multipart field 'file'", { file: "Required" });
      } catch (e) {
        if (path) await rm(path, { force: true });
        throw e;
      }
      const out = await importRecords(req.ctx, req.params.model, path, { format, ...(mapping ? { mapping } : {}) });
      if ("job" in out) return queued(reply, out.job, "Import queued");
      const r = out.result;
      return { message: `Imported ${r.imported} of ${r.total} rows`, imported: r.imported, created: r.created, updated: r.updated, failed: r.failed, errors: r.errors };
    },
  );
}
