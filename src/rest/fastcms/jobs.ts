/**
 * `/api/v1/jobs…`: read a job, list, cancel, follow its progress as Server-Sent Events, and
 * download the file it produced. Parse → core (core/jobs/jobs.ts) → render snake_case.
 */
import type { FastifyInstance } from "fastify";
import { cancelJob, getJob, jobResultFile, listJobs, watchJob, type JobView } from "../../core/jobs/jobs.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";
import { errorResponses } from "../errors.ts";

const tags = ["jobs"];

/** Core job → REST shape. */
export function renderJob(j: JobView) {
  const file = (j.result as { file?: unknown } | null)?.file;
  return {
    id: j.id,
    kind: j.kind,
    state: j.state,
    progress: j.progress,
    result: j.result,
    errors: j.errors,
    error: j.error,
    created_by: j.createdBy,
    attempts: j.attempts,
    created: j.created,
    started: j.started,
    finished: j.finished,
    updated: j.updated,
    download_url: j.state === "succeeded" && file ? `/api/v1/jobs/${j.id}/download` : null,
  };
}

export const jobSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    kind: { type: "string" },
    state: { type: "string", enum: ["queued", "running", "succeeded", "failed", "cancelled"] },
    progress: { type: "object", properties: { done: { type: "integer" }, total: { type: ["integer", "null"] } } },
    result: {},
    errors: { type: "array", items: { type: "object", additionalProperties: true } },
    error: { type: ["string", "null"] },
    created_by: { type: ["string", "null"] },
    attempts: { type: "integer" },
    created: { type: "string" },
    started: { type: ["string", "null"] },
    finished: { type: ["string", "null"] },
    updated: { type: "string" },
    download_url: { type: ["string", "null"] },
  },
} as const;

const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 100 } } } as const;

export function registerJobRoutes(api: FastifyInstance): void {
  api.get<{ Querystring: { state?: string; limit?: number } }>(
    "/jobs",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Your jobs (superadmins: all of the account), newest first",
        querystring: { type: "object", properties: { state: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 200 } } },
        response: { 200: { type: "object", properties: { items: { type: "array", items: jobSchema } } }, ...errorResponses(400, 401, 422) },
      },
    },
    async (req) => ({ items: (await listJobs(req.ctx, req.query)).map(renderJob) }),
  );

  api.get<{ Params: { id: string } }>(
    "/jobs/:id",
    { config: { operation: READ }, schema: { tags, summary: "A job: state, progress, result, errors", params: idParams, response: { 200: jobSchema, ...errorResponses(401, 404) } } },
    async (req) => renderJob(await getJob(req.ctx, req.params.id)),
  );

  api.post<{ Params: { id: string } }>(
    "/jobs/:id/cancel",
    {
      config: { operation: WRITE },
      schema: { tags, summary: "Cancel a queued or running job (work already committed stays)", params: idParams, response: { 200: jobSchema, ...errorResponses(401, 404) } },
    },
    async (req) => renderJob(await cancelJob(req.ctx, req.params.id)),
  );

  api.get<{ Params: { id: string } }>(
    "/jobs/:id/download",
    { config: { operation: READ }, schema: { tags, summary: "The file a finished job produced (e.g. an export)", params: idParams, response: errorResponses(401, 404) } },
    async (req, reply) => {
      const file = await jobResultFile(req.ctx, req.params.id);
      reply.header("content-type", file.type);
      reply.header("content-length", String(file.size));
      reply.header("content-disposition", `attachment; filename="${file.name.replace(/["\\\r\n]/g, "_")}"`);
      reply.header("x-content-type-options", "nosniff");
      return reply.send(file.open());
    },
  );

  api.get<{ Params: { id: string } }>(
    "/jobs/:id/events",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Progress as Server-Sent Events: one `job` event per change (the job as JSON), ending after the final state",
        params: idParams,
        response: errorResponses(401, 404),
      },
    },
    async (req, reply) => {
      // Checks access (404/401 as JSON) before the stream starts.
      await getJob(req.ctx, req.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
      res.write(": job progress\n\n");
      let stop: (() => void) | undefined;
      const keepAlive = setInterval(() => res.write(": ping\n\n"), 15_000);
      const close = () => {
        clearInterval(keepAlive);
        stop?.();
        if (!res.writableEnded) res.end();
      };
      req.raw.on("close", close);
      try {
        stop = await watchJob(req.ctx, req.params.id, (job, final) => {
          if (res.writableEnded) return;
          res.write(`event: job\nid: ${job.updated}\ndata: ${JSON.stringify(renderJob(job))}\n\n`);
          if (final) setImmediate(close);
        });
      } catch (err) {
        res.write(`event: error\ndata: ${JSON.stringify({ message: err instanceof Error && "status" in err ? err.message : "Internal error" })}\n\n`);
        close();
      }
    },
  );
}
