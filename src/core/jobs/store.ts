/**
 * Statements on the `_jobs` table (through the core SqlDb, so a handler's checkpoint can be
 * written in the transaction that did its work). Rows ↔ {@link JobView}.
 */
import type { Principal } from "../context.ts";
import type { Row, SqlDb } from "../../db/sql-db.ts";
import { JOB_STATES, type JobItemError, type JobState, type JobView } from "./types.ts";

const T = "_jobs";

export interface JobRow {
  id: string;
  account_id: string;
  kind: string;
  state: string;
  input: string;
  progress_done: number | bigint;
  progress_total: number | bigint | null;
  result: string | null;
  errors: string | null;
  error: string | null;
  checkpoint: string | null;
  actor: string;
  created_by: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  attempts: number | bigint;
  created: string;
  started: string | null;
  finished: string | null;
  updated: string;
}

function parse(text: string | null): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const isState = (s: string): s is JobState => (JOB_STATES as readonly string[]).includes(s);

/** Row → view. */
export function toView(r: JobRow): JobView {
  const errors = parse(r.errors);
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    state: isState(r.state) ? r.state : "failed",
    progress: { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total) },
    result: parse(r.result),
    errors: Array.isArray(errors) ? (errors as JobItemError[]) : [],
    error: r.error,
    createdBy: r.created_by,
    attempts: Number(r.attempts),
    created: r.created,
    started: r.started,
    finished: r.finished,
    updated: r.updated,
  };
}

export function rowInput(r: JobRow): unknown {
  return parse(r.input);
}
export function rowCheckpoint(r: JobRow): unknown {
  return parse(r.checkpoint);
}
export function rowActor(r: JobRow): Principal | null {
  const p = parse(r.actor) as Principal | null;
  return p && typeof p === "object" && typeof p.kind === "string" && typeof p.accountId === "string" ? p : null;
}

export async function insertJob(db: SqlDb, row: JobRow): Promise<void> {
  await db.execute(db.qb.insertInto(T).values({ ...row }));
}

export async function selectJob(db: SqlDb, id: string): Promise<JobRow | undefined> {
  const rows = await db.query<JobRow>(db.qb.selectFrom(T).selectAll().where("id", "=", id));
  return rows[0];
}

/** Jobs of an account (or of one creator in it), newest first. */
export async function selectJobs(db: SqlDb, accountId: string, createdBy: string | null, limit: number, state?: JobState): Promise<JobRow[]> {
  let q = db.qb.selectFrom(T).selectAll().where("account_id", "=", accountId);
  if (createdBy !== null) q = q.where("created_by", "=", createdBy);
  if (state) q = q.where("state", "=", state);
  return db.query<JobRow>(q.orderBy("created", "desc").orderBy("id", "desc").limit(limit));
}

/** Unfinished jobs another runner may take: no lease, a lapsed one, or (with `anyOwner`) any. */
export async function selectOrphans(db: SqlDb, now: string, owner: string, anyOwner: boolean): Promise<JobRow[]> {
  let q = db.qb.selectFrom(T).selectAll().where("state", "in", ["queued", "running"]);
  if (anyOwner) q = q.where((eb) => eb.or([eb("lease_owner", "is", null), eb("lease_owner", "!=", owner)]));
  else q = q.where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]));
  return db.query<JobRow>(q.orderBy("created").limit(100));
}

/** Takes an orphan for `owner` unless another runner took it first; true when taken. */
export async function claimJob(db: SqlDb, row: JobRow, owner: string, until: string, now: string): Promise<boolean> {
  let q = db.qb.updateTable(T).set({ lease_owner: owner, lease_until: until, updated: now }).where("id", "=", row.id).where("state", "in", ["queued", "running"]);
  q = row.lease_owner === null ? q.where("lease_owner", "is", null) : q.where("lease_owner", "=", row.lease_owner);
  return (await db.execute(q)).changes === 1;
}

/** Renews this owner's leases on its unfinished jobs. */
export async function renewLeases(db: SqlDb, owner: string, until: string): Promise<void> {
  await db.execute(db.qb.updateTable(T).set({ lease_until: until }).where("lease_owner", "=", owner).where("state", "in", ["queued", "running"]));
}

/** Applies `set` to a job this owner holds (or any unfinished one when owner is null); true when it applied. */
export async function updateJob(db: SqlDb, id: string, set: Row, owner: string | null): Promise<boolean> {
  let q = db.qb.updateTable(T).set(set).where("id", "=", id);
  if (owner !== null) q = q.where("lease_owner", "=", owner);
  else q = q.where("state", "in", ["queued", "running"]);
  return (await db.execute(q)).changes === 1;
}

/** Finished jobs older than `before`, oldest first. */
export async function selectExpired(db: SqlDb, before: string, limit: number): Promise<{ id: string }[]> {
  return db.query<{ id: string }>(db.qb.selectFrom(T).select("id").where("state", "in", ["succeeded", "failed", "cancelled"]).where("finished", "<", before).limit(limit));
}

export async function deleteJobs(db: SqlDb, ids: readonly string[]): Promise<void> {
  if (ids.length) await db.execute(db.qb.deleteFrom(T).where("id", "in", ids));
}
