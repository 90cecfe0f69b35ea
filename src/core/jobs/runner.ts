/**
 * The job runner (one per instance, `services.jobs`): the registry of job kinds, a local queue
 * with a concurrency limit, leases so that instances sharing a database never run a job twice,
 * recovery after restarts and crashes, cancellation and progress on the pub/sub port.
 *
 * Promises (see README.md):
 * - A job is a row in `_jobs` before `start` returns; every state change is saved, then published
 *   on the `jobs` channel (all instances), where watchers (SSE, GraphQL) pick it up.
 * - Never silently lost: an unfinished job whose runner died (crash, `kill -9`) is taken by the
 *   next runner — at start-up at once when this is the only instance (memory pub/sub), else once
 *   its lease lapses — and resumed when its kind is resumable (from its checkpoint), otherwise
 *   marked failed with the reason. A graceful shutdown hands resumable jobs back to the queue.
 * - Progress is published at most every {@link PUBLISH_MS} and saved at most every
 *   {@link SAVE_MS}; the final state always is.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { v7 as uuidv7 } from "uuid";
import type { Context, Principal, Services } from "../context.ts";
import { AppError, BadRequestError } from "../errors.ts";
import type { SqlDb } from "../../db/sql-db.ts";
import { claimJob, deleteJobs, insertJob, renewLeases, rowActor, rowCheckpoint, rowInput, selectExpired, selectJob, selectOrphans, toView, updateJob, type JobRow } from "./store.ts";
import { FINAL_STATES, MAX_JOB_ERRORS, type JobHandler, type JobItemError, type JobKindOptions, type JobMessage, type JobView } from "./types.ts";

/** Jobs running at once on one instance; more wait in the local queue. */
export const MAX_RUNNING = 2;
export const LEASE_MS = 30_000;
const RENEW_MS = 10_000;
const PUBLISH_MS = 200;
const SAVE_MS = 1_000;
/** How long cancel and shutdown wait for a handler to stop. */
const STOP_WAIT_MS = 5_000;
/** Runs of one job before an interrupted one is given up. */
const MAX_ATTEMPTS = 3;
/** Finished jobs (and their files) are kept this long. */
export const JOB_RETENTION_MS = 7 * 24 * 3600_000;

interface Kind {
  handler: JobHandler;
  options: JobKindOptions;
}

interface Active {
  view: JobView;
  controller: AbortController;
  /** why the signal was aborted */
  stop?: "cancel" | "shutdown";
  errors: JobItemError[];
  lastPublish: number;
  lastSave: number;
  /** progress saves, in order */
  saving: Promise<void>;
  done: Promise<void>;
}

type Watcher = (job: JobView) => void;

/** Resolves true when every promise settled within `ms`, else false. */
async function settled(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class JobRunner {
  readonly #kinds = new Map<string, Kind>();
  readonly #active = new Map<string, Active>();
  readonly #queue: JobRow[] = [];
  readonly #watchers = new Map<string, Set<Watcher>>();
  #services: Services | undefined;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  /**
   * Registers a kind of job. Register every kind before the app starts (recovery at start-up
   * fails unfinished jobs of kinds nobody registered). Throws when the kind exists.
   */
  register(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
    if (this.#kinds.has(kind)) throw new Error(`job kind '${kind}' is already registered`);
    this.#kinds.set(kind, { handler, options });
  }

  get #s(): Services {
    if (!this.#services) throw new Error("job runner not started");
    return this.#services;
  }
  get #owner(): string {
    return this.#s.pubsub.instanceId;
  }
  #now(): string {
    return this.#s.now().toISOString();
  }
  #leaseEnd(): string {
    return new Date(this.#s.now().getTime() + LEASE_MS).toISOString();
  }

  /** Starts the runner: listens on the `jobs` channel and takes over orphaned jobs. */
  async start(services: Services): Promise<void> {
    this.#services = services;
    this.#unsubscribe = services.pubsub.subscribe("jobs", (m) => this.#receive(m as JobMessage));
    // Alone on the database (no Redis), no other runner can hold a lease: take every unfinished job now.
    await this.#recover(services.pubsub.kind === "memory");
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err) => services.log.warn({ err }, "jobs: background step failed")), ms);
      t.unref();
      this.#timers.push(t);
    };
    every(RENEW_MS, () => renewLeases(services.db, this.#owner, this.#leaseEnd()));
    every(RENEW_MS, () => this.#recover(false));
    every(3600_000, () => this.#prune());
  }

  /** Stops: running jobs are interrupted (resumable ones go back to the queue), leases released. */
  async stop(): Promise<void> {
    if (this.#stopped || !this.#services) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#unsubscribe?.();
    for (const a of this.#active.values()) {
      a.stop ??= "shutdown";
      a.controller.abort(new AppError("SERVICE_UNAVAILABLE", 503, "The server is shutting down"));
    }
    // A handler that ignores its signal does not hold the shutdown up for long: its lease then lapses.
    await settled(
      [...this.#active.values()].map((a) => a.done),
      STOP_WAIT_MS,
    );
    const queued = this.#queue.splice(0);
    for (const row of queued) await updateJob(this.#s.db, row.id, { lease_owner: null, lease_until: null }, this.#owner).catch(() => {});
  }

  /**
   * Creates a job acting as the caller and queues it here. Throws 400 for an unknown kind.
   * @example const job = await runner.create(ctx, "import", { file, collection })
   */
  async create(ctx: Context, kind: string, input: unknown, total: number | null = null): Promise<JobView> {
    if (!this.#kinds.has(kind)) throw new BadRequestError(`Unknown job kind '${kind}'`);
    if (this.#stopped) throw new AppError("SERVICE_UNAVAILABLE", 503, "The server is shutting down");
    const now = this.#now();
    const principal: Principal = ctx.principal;
    const row: JobRow = {
      id: uuidv7(),
      account_id: principal.accountId,
      kind,
      state: "queued",
      input: JSON.stringify(input ?? {}),
      progress_done: 0,
      progress_total: total,
      result: null,
      errors: null,
      error: null,
      checkpoint: null,
      actor: JSON.stringify(principal),
      created_by: principal.kind === "user" ? principal.userId : null,
      lease_owner: this.#owner,
      lease_until: this.#leaseEnd(),
      attempts: 0,
      created: now,
      started: null,
      finished: null,
      updated: now,
    };
    await insertJob(this.#s.db, row);
    const view = toView(row);
    this.#publish(view);
    this.#enqueue(row);
    return view;
  }

  /** The job by id (any account), or undefined. The in-memory state of a job running here is fresher than the row. */
  async find(id: string): Promise<JobView | undefined> {
    const a = this.#active.get(id);
    if (a) return { ...a.view, errors: a.errors.slice() };
    const row = await selectJob(this.#s.db, id);
    return row && toView(row);
  }

  /**
   * Cancels an unfinished job (on whichever instance runs it). Returns the job after the
   * request; a finished job is returned unchanged.
   */
  async cancel(id: string, by: string): Promise<JobView | undefined> {
    const row = await selectJob(this.#s.db, id);
    if (!row) return undefined;
    if (FINAL_STATES.has(toView(row).state)) return toView(row);
    const local = this.#active.get(id);
    if (local) {
      local.stop = "cancel";
      local.controller.abort(new AppError("BAD_REQUEST", 400, `Cancelled by ${by}`));
      if (await settled([local.done], STOP_WAIT_MS)) return this.find(id);
      // The handler has not stopped yet: the job is cancelled all the same (its late result is not kept).
      this.#s.log.warn({ job: id }, "jobs: a cancelled handler did not stop in time");
    }
    const now = this.#now();
    const queuedHere = this.#queue.findIndex((r) => r.id === id);
    if (queuedHere >= 0) this.#queue.splice(queuedHere, 1);
    await updateJob(this.#s.db, id, { state: "cancelled", error: `Cancelled by ${by}`, finished: now, updated: now, lease_owner: null, lease_until: null }, null);
    this.#s.pubsub.publish("jobs", { cancel: id } satisfies JobMessage);
    const after = await this.find(id);
    if (after) this.#publish(after);
    return after;
  }

  /** Calls `watcher` with every published state of job `id` (from any instance); returns its removal. */
  watch(id: string, watcher: Watcher): () => void {
    let set = this.#watchers.get(id);
    if (!set) this.#watchers.set(id, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0) this.#watchers.delete(id);
    };
  }

  /** Jobs queued or running on this instance (stats). */
  get load(): { running: number; queued: number } {
    return { running: this.#active.size, queued: this.#queue.length };
  }

  #receive(m: JobMessage): void {
    if (!m || typeof m !== "object") return;
    if ("cancel" in m && typeof m.cancel === "string") {
      const a = this.#active.get(m.cancel);
      if (a && !a.stop) {
        a.stop = "cancel";
        a.controller.abort(new AppError("BAD_REQUEST", 400, "Cancelled"));
      }
      return;
    }
    if ("job" in m && m.job && typeof m.job.id === "string") for (const w of this.#watchers.get(m.job.id) ?? []) w(m.job);
  }

  #publish(view: JobView): void {
    this.#s.pubsub.publish("jobs", { job: view } satisfies JobMessage);
  }

  #enqueue(row: JobRow): void {
    this.#queue.push(row);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#active.size < MAX_RUNNING && this.#queue.length) {
      const row = this.#queue.shift()!;
      this.#run(row);
    }
  }

  /** Takes unfinished jobs no runner holds: resumes or fails each (see the module comment). */
  async #recover(anyOwner: boolean): Promise<void> {
    if (this.#stopped) return;
    const { db } = this.#s;
    const orphans = await selectOrphans(db, this.#now(), this.#owner, anyOwner);
    for (const row of orphans) {
      if (this.#active.has(row.id) || this.#queue.some((r) => r.id === row.id)) continue;
      if (!(await claimJob(db, row, this.#owner, this.#leaseEnd(), this.#now()))) continue;
      const kind = this.#kinds.get(row.kind);
      const interrupted = row.state === "running";
      let reason: string | undefined;
      if (!kind) reason = `No handler for job kind '${row.kind}' on this server`;
      else if (interrupted && !kind.options.resumable) reason = `Interrupted: the server running it stopped, and '${row.kind}' jobs cannot resume`;
      else if (interrupted && Number(row.attempts) >= MAX_ATTEMPTS) reason = `Interrupted ${Number(row.attempts)} times; given up`;
      if (reason) {
        this.#s.log.warn({ job: row.id, kind: row.kind }, `jobs: ${reason}`);
        await this.#finish(row.id, { state: "failed", error: reason });
        continue;
      }
      this.#s.log.info({ job: row.id, kind: row.kind, attempt: Number(row.attempts) + 1 }, interrupted ? "jobs: resuming an interrupted job" : "jobs: taking over a queued job");
      this.#enqueue(row);
    }
  }

  async #finish(id: string, set: Record<string, unknown>): Promise<void> {
    const now = this.#now();
    await updateJob(this.#s.db, id, { ...set, finished: now, updated: now, lease_owner: null, lease_until: null }, this.#owner);
    const row = await selectJob(this.#s.db, id);
    if (row) this.#publish(toView(row));
  }

  /** The context a job acts in: its creator's principal, refused when that user is gone or disabled. */
  async #context(row: JobRow): Promise<Context> {
    const principal = rowActor(row);
    if (!principal) throw new AppError("BAD_REQUEST", 400, "The job's creator could not be read");
    if (principal.kind === "user") {
      const user = await this.#s.prisma.user.findUnique({ where: { id: principal.userId }, select: { isActive: true } });
      if (!user?.isActive) throw new AppError("FORBIDDEN", 403, "The user who started the job no longer exists or is disabled");
    }
    return { requestId: `job:${row.id}`, principal, services: this.#s, log: this.#s.log };
  }

  #run(row: JobRow): void {
    const kind = this.#kinds.get(row.kind)!;
    const now = this.#now();
    const attempts = Number(row.attempts) + 1;
    const view: JobView = { ...toView(row), state: "running", started: row.started ?? now, attempts, updated: now };
    const active: Active = { view, controller: new AbortController(), errors: view.errors.slice(), lastPublish: 0, lastSave: Date.now(), saving: Promise.resolve(), done: Promise.resolve() };
    this.#active.set(row.id, active);
    active.done = this.#execute(row, kind, active).finally(() => {
      this.#active.delete(row.id);
      this.#pump();
    });
  }

  async #execute(row: JobRow, kind: Kind, a: Active): Promise<void> {
    const { db, log, config } = this.#s;
    const id = row.id;
    try {
      const started = await updateJob(db, id, { state: "running", started: a.view.started, attempts: a.view.attempts, updated: a.view.updated, lease_until: this.#leaseEnd() }, this.#owner);
      if (!started) return; // cancelled or taken over meanwhile
      this.#publish(a.view);
      const tools = {
        ctx: await this.#context(row),
        signal: a.controller.signal,
        dir: async () => {
          const dir = join(config.dataDir, "jobs", id);
          await mkdir(dir, { recursive: true });
          return dir;
        },
        progress: (done: number, total?: number | null) => this.#progress(a, done, total),
        reportErrors: (items: readonly JobItemError[]) => {
          for (const e of items) if (a.errors.length < MAX_JOB_ERRORS) a.errors.push(e);
        },
        checkpoint: async (value: unknown, tx?: SqlDb) => {
          await updateJob(tx ?? db, id, { checkpoint: JSON.stringify(value ?? null), progress_done: a.view.progress.done, progress_total: a.view.progress.total }, this.#owner);
        },
      };
      if (a.controller.signal.aborted) throw a.controller.signal.reason;
      const job = { id, kind: row.kind, accountId: row.account_id, input: rowInput(row), checkpoint: rowCheckpoint(row), attempt: a.view.attempts, createdBy: row.created_by };
      const result = await kind.handler(job, tools);
      if (a.controller.signal.aborted) throw a.controller.signal.reason;
      await a.saving;
      const p = a.view.progress;
      await this.#finishActive(a, {
        state: "succeeded",
        result: JSON.stringify(result ?? null),
        errors: a.errors.length ? JSON.stringify(a.errors) : null,
        progress_done: p.done,
        progress_total: p.total ?? p.done,
      });
    } catch (err) {
      await a.saving.catch(() => {});
      const errors = a.errors.length ? JSON.stringify(a.errors) : null;
      if (a.stop === "shutdown") {
        if (kind.options.resumable) {
          // Back to the queue for the next start (or another instance).
          await updateJob(db, id, { state: "queued", lease_owner: null, lease_until: null, updated: this.#now(), progress_done: a.view.progress.done }, this.#owner).catch(() => {});
          return;
        }
        await this.#finishActive(a, { state: "failed", error: "Interrupted: the server shut down while it ran", errors });
        return;
      }
      if (a.stop === "cancel") {
        await this.#finishActive(a, { state: "cancelled", error: err instanceof AppError ? err.message : "Cancelled", errors });
        return;
      }
      const message = err instanceof AppError ? err.message : `Internal error (logged with job id ${id})`;
      if (!(err instanceof AppError)) log.error({ err, job: id, kind: row.kind }, "jobs: handler failed");
      await this.#finishActive(a, {
        state: "failed",
        error: message,
        errors: err instanceof AppError && err.details ? JSON.stringify([...a.errors, err.details].slice(0, MAX_JOB_ERRORS)) : errors,
      }).catch((e) => log.error({ err: e, job: id }, "jobs: could not save a failed job"));
    }
  }

  async #finishActive(a: Active, set: Record<string, unknown>): Promise<void> {
    const now = this.#now();
    const { db } = this.#s;
    const p = a.view.progress;
    set = { progress_done: p.done, progress_total: p.total, ...set };
    // Only a job still running here finishes: a cancel from elsewhere wins over a late success.
    await db.execute(
      db.qb
        .updateTable("_jobs")
        .set({ ...set, finished: now, updated: now, lease_owner: null, lease_until: null })
        .where("id", "=", a.view.id)
        .where("lease_owner", "=", this.#owner)
        .where("state", "=", "running"),
    );
    const row = await selectJob(db, a.view.id);
    if (row) this.#publish(toView(row));
  }

  #progress(a: Active, done: number, total?: number | null): void {
    if (!Number.isFinite(done)) return;
    a.view.progress = { done, total: total === undefined ? a.view.progress.total : total };
    const t = Date.now();
    if (t - a.lastPublish >= PUBLISH_MS) {
      a.lastPublish = t;
      a.view.updated = this.#now();
      this.#publish({ ...a.view, errors: [] });
    }
    if (t - a.lastSave >= SAVE_MS) {
      a.lastSave = t;
      const { done: d, total: n } = a.view.progress;
      // Not awaited by the handler: it may hold a transaction (on SQLite the save waits for it).
      a.saving = a.saving
        .then(() => updateJob(this.#s.db, a.view.id, { progress_done: d, progress_total: n, updated: this.#now() }, this.#owner))
        .then(
          () => {},
          (err) => this.#s.log.warn({ err, job: a.view.id }, "jobs: progress not saved"),
        );
    }
  }

  /** Deletes finished jobs past the retention, with their files. */
  async #prune(): Promise<void> {
    const { db, config } = this.#s;
    const before = new Date(this.#s.now().getTime() - JOB_RETENTION_MS).toISOString();
    const expired = await selectExpired(db, before, 500);
    for (const { id } of expired) await rm(join(config.dataDir, "jobs", id), { recursive: true, force: true });
    await deleteJobs(
      db,
      expired.map((r) => r.id),
    );
  }
}
