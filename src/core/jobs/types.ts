/**
 * Shapes of the jobs module (see README.md): a job's state as stored and shown, what a kind's
 * handler receives, and the messages jobs publish on the pub/sub port.
 */
import type { Context } from "../context.ts";
import type { SqlDb } from "../../db/sql-db.ts";

export const JOB_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(["succeeded", "failed", "cancelled"]);

export interface JobProgress {
  done: number;
  /** null while unknown */
  total: number | null;
}

/** A per-item problem a handler reports (e.g. an import row that did not convert). */
export type JobItemError = Record<string, unknown>;

/** A job as the API shows it (domain shape; each transport renders its own names). */
export interface JobView {
  id: string;
  accountId: string;
  kind: string;
  state: JobState;
  progress: JobProgress;
  /** the handler's result once succeeded, else null */
  result: unknown;
  /** per-item problems the handler reported (at most {@link MAX_JOB_ERRORS}) */
  errors: JobItemError[];
  /** why it failed or was cancelled; null otherwise */
  error: string | null;
  createdBy: string | null;
  attempts: number;
  created: string;
  started: string | null;
  finished: string | null;
  updated: string;
}

/** What a handler is given about its job. */
export interface RunningJob {
  readonly id: string;
  readonly kind: string;
  readonly accountId: string;
  readonly input: unknown;
  /** what a previous attempt saved with `checkpoint` (resumed jobs), else null */
  readonly checkpoint: unknown;
  /** 1 on the first run, more when resumed after a restart */
  readonly attempt: number;
  readonly createdBy: string | null;
}

export interface JobTools {
  /** the creator's context (same principal as when the job was started) */
  readonly ctx: Context;
  /** aborted when the job is cancelled or the server shuts down; stop soon and throw `signal.reason` */
  readonly signal: AbortSignal;
  /** a private directory for the job's files (created on first use); removed when the job is pruned */
  dir(): Promise<string>;
  /** Reports progress; cheap to call often (published and saved at most a few times a second). */
  progress(done: number, total?: number | null): void;
  /** Adds per-item problems to the job's `errors` (kept up to {@link MAX_JOB_ERRORS}). */
  reportErrors(items: readonly JobItemError[]): void;
  /**
   * Saves what a resumed attempt needs to continue. Pass the transaction that did the work (`tx`)
   * to save it atomically with it: a restart then resumes exactly after that work.
   */
  checkpoint(value: unknown, tx?: SqlDb): Promise<void>;
}

/** A kind's handler: resolves with the result (JSON), throws to fail the job. */
export type JobHandler = (job: RunningJob, tools: JobTools) => Promise<unknown>;

export interface JobKindOptions {
  /**
   * true when the handler can run again after a restart interrupted it (from its checkpoint, or
   * from the start when repeating is harmless). Otherwise an interrupted job is marked failed
   * with the reason.
   */
  resumable?: boolean;
}

/** Messages on the `jobs` pub/sub channel. */
export type JobMessage = { job: JobView } | { cancel: string };

export const MAX_JOB_ERRORS = 1000;
