/**
 * The jobs operations every transport calls: start a job, read one or a list, cancel, watch its
 * progress, and the file a job produced. A job is visible to its creator and to superadmins;
 * to anyone else it does not exist (404).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Readable } from "node:stream";
import { requireSignedIn } from "../auth/guards.ts";
import { isSuperadmin, type Context, type Services } from "../context.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import { selectJobs, toView } from "./store.ts";
import { FINAL_STATES, JOB_STATES, type JobHandler, type JobKindOptions, type JobState, type JobView } from "./types.ts";

export type { JobHandler, JobKindOptions, JobView, RunningJob, JobTools, JobState, JobProgress } from "./types.ts";

/**
 * Registers a kind of job with its handler (call while wiring the app, before it starts).
 * @example registerJobKind(services, "backup", async (job, { progress, signal }) => ({ file: "…" }), { resumable: false })
 */
export function registerJobKind(services: Services, kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
  services.jobs.register(kind, handler, options);
}

/**
 * Starts a job of `kind` acting as the caller (401 when anonymous, 400 for an unknown kind) and
 * returns it queued; it runs in the background. `total` is the amount of work when known.
 */
export async function startJob(ctx: Context, kind: string, input: unknown, total: number | null = null): Promise<JobView> {
  requireSignedIn(ctx);
  return ctx.services.jobs.create(ctx, kind, input, total);
}

function visible(ctx: Context, job: JobView | undefined, id: string): JobView {
  if (!job || (!isSuperadmin(ctx) && (ctx.principal.kind !== "user" || job.createdBy !== ctx.principal.userId || job.accountId !== ctx.principal.accountId)))
    throw new NotFoundError(`Job '${id}' not found`);
  return job;
}

/** One job (401 anonymous, 404 when absent or not the caller's). */
export async function getJob(ctx: Context, id: string): Promise<JobView> {
  requireSignedIn(ctx);
  return visible(ctx, await ctx.services.jobs.find(id), id);
}

/** The caller's jobs (a superadmin's: all of the account), newest first; 422 for an unknown state. */
export async function listJobs(ctx: Context, q: { state?: string; limit?: number } = {}): Promise<JobView[]> {
  requireSignedIn(ctx);
  if (q.state !== undefined && !(JOB_STATES as readonly string[]).includes(q.state))
    throw new BadRequestError(`Unknown job state '${q.state}' (one of ${JOB_STATES.join(", ")})`, { state: "Unknown state" });
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const by = isSuperadmin(ctx) || ctx.principal.kind !== "user" ? null : ctx.principal.userId;
  return (await selectJobs(ctx.services.db, ctx.principal.accountId, by, limit, q.state as JobState | undefined)).map(toView);
}

/** Cancels an unfinished job of the caller's (404 like getJob); returns it. A finished job is returned as it is. */
export async function cancelJob(ctx: Context, id: string): Promise<JobView> {
  await getJob(ctx, id);
  const by = ctx.principal.kind === "user" ? ctx.principal.email : "the system";
  return visible(ctx, await ctx.services.jobs.cancel(id, by), id);
}

/**
 * Watches a job the caller may see (404 otherwise): `onUpdate` gets the current state at once,
 * then every published change until the job finishes or `stop()` is called. Returns `stop`.
 */
export async function watchJob(ctx: Context, id: string, onUpdate: (job: JobView, final: boolean) => void): Promise<() => void> {
  let last = await getJob(ctx, id);
  let stopped = false;
  const stop = ctx.services.jobs.watch(id, (job) => {
    if (stopped) return;
    // Progress may arrive from another instance out of order with the final state: never go back.
    if (FINAL_STATES.has(last.state)) return;
    last = job;
    const final = FINAL_STATES.has(job.state);
    onUpdate(job, final);
    if (final) end();
  });
  const end = () => {
    stopped = true;
    stop();
  };
  // The state may have changed between the read and the subscription: read once more.
  const fresh = await getJob(ctx, id);
  if (!stopped) {
    last = fresh;
    const final = FINAL_STATES.has(fresh.state);
    onUpdate(fresh, final);
    if (final) end();
  }
  return end;
}

/** A file a job produced (its result names it as `{ file: { name, type } }`), for download. */
export interface JobFile {
  name: string;
  type: string;
  size: number;
  open(): Readable;
}

/** The file a succeeded job produced; 404 when the job is not visible or has no file (yet, or any more). */
export async function jobResultFile(ctx: Context, id: string): Promise<JobFile> {
  const job = await getJob(ctx, id);
  const file = (job.result as { file?: { name?: unknown; type?: unknown } } | null)?.file;
  if (job.state !== "succeeded" || !file || typeof file.name !== "string") throw new NotFoundError(`Job '${id}' has no file to download${job.state === "succeeded" ? "" : ` (it is ${job.state})`}`);
  const name = basename(file.name);
  const path = join(ctx.services.config.dataDir, "jobs", id, name);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new NotFoundError(`The file of job '${id}' is no longer available`);
  return { name, type: typeof file.type === "string" ? file.type : "application/octet-stream", size: info.size, open: () => createReadStream(path) };
}
