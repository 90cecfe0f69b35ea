/**
 * Exporting records as CSV, JSON, NDJSON or xlsx, streamed: pages of {@link PAGE} records are
 * read by keyset (cursor) through the one list operation (rules, field access, filter and sort
 * as for a list), rendered and written with backpressure, so memory stays flat whatever the
 * size. Columns: `id, created, updated`, then the fields in schema order (or the `fields` asked
 * for), without the fields the caller may not read. Up to {@link INLINE_EXPORT} records stream
 * in the answer; more (or `background`) run as a `records.export` job with a downloadable file.
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { once } from "node:events";
import type { Expr } from "../../query/ast.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { requireSignedIn } from "../auth/guards.ts";
import { startJob, type JobTools, type JobView, type RunningJob } from "../jobs/jobs.ts";
import { listRecords } from "../records/read.ts";
import type { RecordData } from "../records/values.ts";
import { fieldAccess } from "../rules/field-access.ts";
import { MEDIA_TYPES, neutraliseFormula, type Format } from "./formats.ts";

/** Records per read. */
export const PAGE = 100;
/** Larger exports run as a job. */
export const INLINE_EXPORT = 10_000;
export const EXPORT_JOB = "records.export";

export interface ExportQuery {
  format: Format;
  filter?: Expr;
  /** FastCMS sort string (`-created,title`); default: oldest first */
  sort?: string;
  /** the fields to export (default: every field the caller may read) */
  fields?: readonly string[];
}

export interface ExportStream {
  /** file name for Content-Disposition */
  name: string;
  /** media type */
  type: string;
  stream: Readable;
}

export type ExportOutcome = ({ kind: "stream" } & ExportStream) | { kind: "job"; job: JobView };

const SYSTEM_COLUMNS = ["id", "created", "updated"] as const;

/** The export's columns: 400 for unknown fields; fields the caller may not read are left out. */
export function exportColumns(ctx: Context, def: CollectionDef, fields?: readonly string[]): string[] {
  const { readable } = fieldAccess(ctx, def, "list");
  const known = new Set(def.fields.map((f) => f.name));
  const asked = fields?.filter((f) => !(SYSTEM_COLUMNS as readonly string[]).includes(f));
  if (asked?.length) {
    const unknown = asked.filter((f) => !known.has(f));
    if (unknown.length) throw new BadRequestError(`Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((f) => `'${f}'`).join(", ")} for collection '${def.name}'`, { fields: "Unknown field" });
  }
  const wanted = asked?.length ? def.fields.filter((f) => asked.includes(f.name)) : def.fields;
  return [...SYSTEM_COLUMNS, ...wanted.filter((f) => readable === "*" || readable.has(f.name)).map((f) => f.name)];
}

/** Every matching record, page by page (keyset), as the caller may read them. */
async function* records(ctx: Context, def: CollectionDef, q: ExportQuery, columns: readonly string[], signal?: AbortSignal, onPage?: (n: number) => void): AsyncGenerator<RecordData[]> {
  const projection = new Set(columns);
  let after: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const page = await listRecords(ctx, def.name, { filter: q.filter, sort: q.sort || "created", pageSize: PAGE, skipTotal: true, after, fields: projection, cache: false });
    if (page.items.length) {
      yield page.items;
      onPage?.(page.items.length);
    }
    if (!page.hasMore || !page.nextCursor) return;
    after = page.nextCursor;
  }
}

/**
 * A CSV cell (RFC 4180): null → empty; lists and objects → JSON; booleans true/false; text that
 * a spreadsheet would run as a formula gets a leading `'` ({@link neutraliseFormula}).
 */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : typeof v === "string" ? neutraliseFormula(v) : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function flat(rec: RecordData, columns: readonly string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of columns) o[c] = rec[c] ?? null;
  return o;
}

async function* textChunks(ctx: Context, def: CollectionDef, q: ExportQuery, columns: readonly string[], signal?: AbortSignal, onPage?: (n: number) => void): AsyncGenerator<string> {
  if (q.format === "csv") yield columns.map((c) => csvCell(c)).join(",") + "\r\n";
  if (q.format === "json") yield "[";
  let first = true;
  for await (const page of records(ctx, def, q, columns, signal, onPage)) {
    let out = "";
    for (const rec of page) {
      if (q.format === "csv") out += columns.map((c) => csvCell(rec[c])).join(",") + "\r\n";
      else if (q.format === "ndjson") out += JSON.stringify(flat(rec, columns)) + "\n";
      else {
        out += (first ? "\n" : ",\n") + JSON.stringify(flat(rec, columns));
        first = false;
      }
    }
    yield out;
  }
  if (q.format === "json") yield first ? "]\n" : "\n]\n";
}

/** An xlsx cell: lists and objects as JSON text; text made inert for spreadsheets like CSV cells. */
function xlsxCell(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return JSON.stringify(v);
  return typeof v === "string" ? neutraliseFormula(v) : v;
}

/** xlsx through exceljs's streaming writer; waits for the reader between pages. */
function xlsxStream(ctx: Context, def: CollectionDef, q: ExportQuery, columns: readonly string[], signal?: AbortSignal, onPage?: (n: number) => void): Readable {
  const out = new PassThrough();
  void (async () => {
    // exceljs is large: loaded on the first xlsx export, not at start-up
    const { default: ExcelJS } = await import("exceljs");
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const sheet = book.addWorksheet(def.name.slice(0, 31));
    sheet.addRow([...columns]).commit();
    for await (const page of records(ctx, def, q, columns, signal, onPage)) {
      for (const rec of page) sheet.addRow(columns.map((c) => xlsxCell(rec[c]))).commit();
      if (out.writableNeedDrain) await once(out, "drain");
    }
    sheet.commit();
    await book.commit();
  })().catch((e: unknown) => out.destroy(e as Error));
  return out;
}

/** The export as a stream (checks filter, sort and fields first: 400/403 before the first byte). */
export async function exportStream(ctx: Context, collection: string, q: ExportQuery, signal?: AbortSignal, onPage?: (records: number) => void): Promise<ExportStream> {
  const def = ctx.services.collections.require(collection);
  const columns = exportColumns(ctx, def, q.fields);
  // Checks access, the filter and the sort now, while an error can still be an answer.
  await listRecords(ctx, def.name, { filter: q.filter, sort: q.sort || "created", pageSize: 0, skipTotal: true });
  const stream = q.format === "xlsx" ? xlsxStream(ctx, def, q, columns, signal, onPage) : Readable.from(textChunks(ctx, def, q, columns, signal, onPage), { objectMode: false });
  return { name: `${def.name}_export.${q.format}`, type: MEDIA_TYPES[q.format], stream };
}

/**
 * Exports the records of `collection` the caller may list: a stream when at most
 * {@link INLINE_EXPORT} match and `background` is not set, else a queued job whose result is
 * the file. 401 anonymous, 403 as for a list, 404 unknown collection, 400 bad filter, sort or fields.
 */
export async function exportRecords(ctx: Context, collection: string, q: ExportQuery, opts: { background?: boolean } = {}): Promise<ExportOutcome> {
  // as the FastCMS docs say (Bearer USER_TOKEN): an export may become a job, which acts as its creator
  requireSignedIn(ctx);
  const def = ctx.services.collections.require(collection);
  exportColumns(ctx, def, q.fields);
  const count = await listRecords(ctx, def.name, { filter: q.filter, sort: q.sort || "created", pageSize: 0 });
  if (opts.background || (count.total ?? 0) > INLINE_EXPORT) {
    const job = await startJob(ctx, EXPORT_JOB, { collection: def.name, ...q }, count.total);
    return { kind: "job", job };
  }
  return { kind: "stream", ...(await exportStream(ctx, def.name, q)) };
}

/** The `records.export` job: writes the file into the job's directory (resumable: it starts over). */
export async function exportJob(job: RunningJob, tools: JobTools): Promise<{ file: { name: string; type: string }; records: number }> {
  const input = job.input as ExportQuery & { collection: string };
  const { ctx, signal, progress } = tools;
  let n = 0;
  progress(0);
  const out = await exportStream(ctx, input.collection, input, signal, (k) => progress((n += k)));
  await pipeline(out.stream, createWriteStream(join(await tools.dir(), out.name)), { signal });
  return { file: { name: out.name, type: out.type }, records: n };
}
