/**
 * Importing records from a CSV, JSON, NDJSON or xlsx file (compat/fastcms.md §7, issue 9):
 * rows are read streamed, converted per field type, validated like any create (or update, in an
 * upsert), and written in batches of {@link BATCH_ROWS} — one INSERT per batch. Files of more
 * than {@link INLINE_ROWS} rows run as a `records.import` job (202 in the transports).
 *
 * - Best effort (default): failing rows are reported as `{row, field, error}` and the others are
 *   written; each batch commits with the job's checkpoint, so a job interrupted by a restart
 *   resumes after the last committed batch (nothing twice, nothing lost).
 * - `atomic`: one transaction; any failing row → 422 listing the rows, nothing written. The job's
 *   checkpoint, marked committed, is saved in that transaction: a job interrupted by a restart
 *   before the commit starts again from the first row; one interrupted after it (before the job
 *   was marked succeeded) answers with the committed counts instead of importing the rows twice.
 * - `mode: "upsert"` matches rows on `key` (`id`, or a unique field): a match is updated (its
 *   update rule applies), others are inserted (an `id` given in an upsert by id is kept).
 */
import { rm } from "node:fs/promises";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { AppError, BadRequestError } from "../errors.ts";
import { requireSignedIn } from "../auth/guards.ts";
import type { JobTools, RunningJob, JobView } from "../jobs/jobs.ts";
import { startJob } from "../jobs/jobs.ts";
import { recordAccess } from "../rules/access.ts";
import { writeBatch } from "./import-batch.ts";
import { convertRow, type ConvertedRow, type RowError } from "./import-rows.ts";
import type { Format } from "./formats.ts";
import { countRows, readRows, type SourceRow } from "./sources.ts";
import { refreshAfterBulkLoad } from "./bulk-load.ts";

/** Rows per transaction and INSERT. */
export const BATCH_ROWS = 500;
/** Files with more rows run as a job. */
export const INLINE_ROWS = 1000;
/** Errors kept in an answer at most (the counts stay exact). */
export const MAX_REPORTED_ERRORS = 1000;
export const IMPORT_JOB = "records.import";

export interface ImportOptions {
  format: Format;
  mode?: "insert" | "upsert";
  /** upsert key: `id` (default) or a unique field */
  key?: string;
  atomic?: boolean;
  /** file column → field (Fullfinity `mapping`): only the mapped columns are read, under the field's name */
  mapping?: Readonly<Record<string, string>>;
}

export interface ImportResult {
  /** rows written (created + updated) */
  imported: number;
  created: number;
  updated: number;
  /** rows with values read from the file */
  total: number;
  /** failing rows (at most {@link MAX_REPORTED_ERRORS}) */
  errors: RowError[];
  /** all failing rows */
  failed: number;
}

export type ImportOutcome = { result: ImportResult } | { job: JobView };

/** What a job saves after each committed batch (best effort), or with the one transaction (atomic). */
interface Checkpoint {
  row: number;
  created: number;
  updated: number;
  total: number;
  failed: number;
  errors: RowError[];
  /** atomic: saved in the import's transaction, so present only once its rows are committed */
  committed?: boolean;
}

export interface ImportHooks {
  signal?: AbortSignal;
  /** rows read so far */
  progress?(rows: number): void;
  /** resume after this checkpoint */
  resume?: Checkpoint | null;
  /** saves the checkpoint in the transaction that wrote the rows (each batch's; atomic: the one, marked committed) */
  checkpoint?(state: Checkpoint, tx: Context["services"]["db"]): Promise<void>;
}

/** Checks the options against the collection: 400 for an unknown mode or an upsert key that is neither `id` nor a unique field. */
export function checkImportOptions(def: CollectionDef, opts: ImportOptions): { key: string | null; atomic: boolean } {
  if (opts.mapping) {
    const unknown = Object.values(opts.mapping).filter((f) => f !== "id" && !def.fields.some((d) => d.name === f));
    if (unknown.length)
      throw new BadRequestError(`The mapping names unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((f) => `'${f}'`).join(", ")} of '${def.name}'`, {
        mapping: `Unknown field '${unknown[0]}'`,
      });
  }
  const mode = opts.mode ?? "insert";
  if (mode !== "insert" && mode !== "upsert") throw new BadRequestError(`Unknown import mode '${String(mode)}' (insert or upsert)`, { mode: "Must be insert or upsert" });
  if (mode === "insert") {
    if (opts.key !== undefined && opts.key !== "") throw new BadRequestError("An upsert key is only used with mode=upsert", { key: "Only with mode=upsert" });
    return { key: null, atomic: !!opts.atomic };
  }
  const key = opts.key || "id";
  if (key !== "id" && !def.fields.some((f) => f.name === key && f.unique))
    throw new BadRequestError(`The upsert key must be id or a unique field of '${def.name}'; '${key}' is not`, { key: "Must be id or a unique field" });
  return { key, atomic: !!opts.atomic };
}

/** Imports rows into `def` (see the module comment); resolves with the counts and failing rows. */
export async function runImport(ctx: Context, def: CollectionDef, rows: AsyncIterable<SourceRow>, opts: ImportOptions, hooks: ImportHooks = {}): Promise<ImportResult> {
  const { key, atomic } = checkImportOptions(def, opts);
  const { db } = ctx.services;
  const r = hooks.resume;
  const state: Checkpoint = r ? { ...r, errors: [...r.errors] } : { row: 0, created: 0, updated: 0, total: 0, failed: 0, errors: [] };
  /** The state after a batch: `base` plus its counts and failing rows. */
  const after = (base: Checkpoint, row: number, created: number, updated: number, errs: readonly RowError[]): Checkpoint => {
    const errors = base.errors.length < MAX_REPORTED_ERRORS && errs.length ? [...base.errors, ...errs].slice(0, MAX_REPORTED_ERRORS) : base.errors;
    return { row, created: base.created + created, updated: base.updated + updated, total: base.total, failed: base.failed + new Set(errs.map((e) => e.row)).size, errors };
  };
  const report = (errs: RowError[]) => Object.assign(state, after(state, state.row, 0, 0, errs));
  let read = r ? r.row : 0;
  let rowsRead = 0;

  const flush = async (batch: ConvertedRow[], tx?: typeof db) => {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1]!.row;
    if (tx) {
      // atomic: inside the one transaction; once any row failed nothing more is written (it all rolls back)
      if (state.failed > 0) return;
      const errs: RowError[] = [];
      const res = await writeBatch(ctx, tx, def, batch, { key }, errs);
      Object.assign(state, after(state, last, res.created, res.updated, errs));
      return;
    }
    try {
      // The batch, its counts and the checkpoint commit together; the state moves only after the commit.
      const next = await db.transaction(async (t) => {
        const errs: RowError[] = [];
        const res = await writeBatch(ctx, t, def, batch, { key }, errs);
        const n = after(state, last, res.created, res.updated, errs);
        await hooks.checkpoint?.(n, t);
        return n;
      });
      Object.assign(state, next);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== "CONFLICT") throw e;
      // A unique violation somewhere in the batch: write its rows one by one to find it.
      for (const row of batch) {
        let next: Checkpoint;
        try {
          next = await db.transaction(async (t) => {
            const errs: RowError[] = [];
            const res = await writeBatch(ctx, t, def, [row], { key }, errs);
            const n = after(state, row.row, res.created, res.updated, errs);
            await hooks.checkpoint?.(n, t);
            return n;
          });
        } catch (inner) {
          if (!(inner instanceof AppError) || inner.code !== "CONFLICT") throw inner;
          // (a failed statement ends a PostgreSQL transaction: the checkpoint gets its own)
          const field = typeof inner.details?.field === "string" ? inner.details.field : null;
          next = after(state, row.row, 0, 0, [{ row: row.row, field, error: inner.message }]);
          const n = next;
          if (hooks.checkpoint) await db.transaction((t) => hooks.checkpoint!(n, t));
        }
        Object.assign(state, next);
      }
    }
  };

  const consume = async (tx?: typeof db) => {
    let batch: ConvertedRow[] = [];
    for await (const src of rows) {
      rowsRead++;
      if (src.row <= read) continue; // committed before a restart
      read = src.row;
      const c = convertRow(def, src, key);
      if ("empty" in c) continue;
      state.total++;
      if ("errors" in c) report(c.errors);
      else if (!(atomic && state.failed > 0)) batch.push(c.ok);
      if (batch.length >= BATCH_ROWS) {
        hooks.signal?.throwIfAborted();
        await flush(batch, tx);
        batch = [];
        hooks.progress?.(rowsRead);
      }
    }
    await flush(batch, tx);
    hooks.progress?.(rowsRead);
  };

  // conversion errors are found while reading, validation errors when a batch is written: by row
  const byRow = () => [...state.errors].sort((a, b) => a.row - b.row);
  if (atomic) {
    await db.transaction(async (tx) => {
      await consume(tx);
      if (state.failed > 0) {
        const n = state.failed;
        state.errors = byRow();
        throw new AppError(
          "VALIDATION_ERROR",
          422,
          `Import failed: ${n} row${n > 1 ? "s" : ""} with errors; nothing was imported (first: row ${state.errors[0]!.row}${state.errors[0]!.field ? `, field '${state.errors[0]!.field}'` : ""}: ${state.errors[0]!.error})`,
          {
            errors: state.errors,
            failed: n,
            total: state.total,
          },
        );
      }
      // committed with the rows: a restart after the commit must not import them again
      await hooks.checkpoint?.({ ...state, errors: byRow(), committed: true }, tx);
    });
  } else await consume();
  if (state.created > 0) await refreshAfterBulkLoad(ctx, def);
  return resultOf({ ...state, errors: byRow() });
}

/** The answer for a final checkpoint (its errors in row order). */
function resultOf(state: Checkpoint): ImportResult {
  return { imported: state.created + state.updated, created: state.created, updated: state.updated, total: state.total, errors: state.errors, failed: state.failed };
}

/** The file's rows, with the columns renamed by `mapping` (only mapped columns kept) when given. */
async function* sourceRows(path: string, opts: ImportOptions): AsyncGenerator<SourceRow> {
  const mapping = opts.mapping ? new Map(Object.entries(opts.mapping)) : undefined;
  for await (const row of readRows(path, opts.format)) {
    if (!mapping) {
      yield row;
      continue;
    }
    const cells = new Map<string, unknown>();
    for (const [column, value] of row.cells) {
      const field = mapping.get(column);
      if (field !== undefined) cells.set(field, value);
    }
    yield { row: row.row, cells };
  }
}

/** What an import job is given. */
interface ImportJobInput extends ImportOptions {
  collection: string;
  path: string;
}

/**
 * Imports a staged file (stage-file.ts) into `collection` as the caller: at most
 * {@link INLINE_ROWS} rows now (`{result}`), more as a job (`{job}`, queued). The file is deleted
 * when the import ends. 401 anonymous, 403/401 when the create rule denies the caller outright,
 * 404 unknown collection, 400 bad options or a malformed file, 422 an atomic import with errors.
 */
export async function importRecords(ctx: Context, collection: string, path: string, opts: ImportOptions): Promise<ImportOutcome> {
  let handedOver = false;
  try {
    requireSignedIn(ctx);
    const def = ctx.services.collections.require(collection);
    if (def.type === "view") throw new BadRequestError(`'${def.name}' is a view collection; records cannot be imported into it`);
    checkImportOptions(def, opts);
    recordAccess(ctx, def, "create");
    if ((await countRows(path, opts.format, INLINE_ROWS)) > INLINE_ROWS) {
      const input: ImportJobInput = { ...opts, collection: def.name, path };
      const job = await startJob(ctx, IMPORT_JOB, input);
      handedOver = true;
      return { job };
    }
    return { result: await runImport(ctx, def, sourceRows(path, opts), opts) };
  } finally {
    if (!handedOver) await rm(path, { force: true });
  }
}

/** The `records.import` job: resumable after the last committed batch (best effort), or from the start unless its one transaction had committed (atomic). */
export async function importJob(job: RunningJob, tools: JobTools): Promise<ImportResult> {
  const input = job.input as ImportJobInput;
  const { ctx, signal, progress } = tools;
  try {
    const saved = job.checkpoint as Checkpoint | null;
    if (input.atomic && saved?.committed) {
      // the previous run's transaction committed before the restart interrupted it: the rows are in
      await rm(input.path, { force: true });
      return resultOf(saved);
    }
    const def = ctx.services.collections.require(input.collection);
    const total = await countRows(input.path, input.format, Number.MAX_SAFE_INTEGER).catch((e: unknown) => {
      if ((e as { code?: string }).code === "ENOENT") throw new AppError("BAD_REQUEST", 400, "The uploaded file is no longer available");
      throw e;
    });
    const resume = input.atomic ? null : (job.checkpoint as Checkpoint | null);
    progress(0, total);
    const result = await runImport(ctx, def, sourceRows(input.path, input), input, {
      signal,
      resume,
      progress: (rows) => progress(rows, total),
      checkpoint: (state, tx) => tools.checkpoint(state, tx),
    }).catch((e: unknown) => {
      if (e instanceof AppError && Array.isArray(e.details?.errors)) tools.reportErrors(e.details.errors as unknown as Record<string, unknown>[]);
      throw e instanceof AppError ? new AppError(e.code, e.status, e.message) : e;
    });
    await rm(input.path, { force: true });
    return result;
  } catch (e) {
    // Interrupted by a shutdown: keep the file for the resumed run.
    if (!(signal.aborted && (signal.reason as AppError | undefined)?.code === "SERVICE_UNAVAILABLE")) await rm(input.path, { force: true });
    throw e;
  }
}
