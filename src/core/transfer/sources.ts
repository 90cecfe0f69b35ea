/**
 * Readers turning an import file into rows, streamed: CSV through csv-parse, NDJSON line by
 * line, xlsx through exceljs's streaming reader (first worksheet), JSON (an array of objects, or
 * an object with an `items` array) item by item through a streaming parser (json-items.ts). Each row carries its number as the
 * user sees it: CSV and xlsx count the header as row 1; JSON counts items and NDJSON lines from 1.
 * Column names are trimmed; for CSV and xlsx the first row names the columns.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parse as parseCsv } from "csv-parse";
import { BadRequestError } from "../errors.ts";
import { restoreFormulaText, type Format } from "./formats.ts";
import { jsonItems } from "./json-items.ts";

export interface SourceRow {
  /** the row's number in the file (see the module comment) */
  row: number;
  /** column → cell (text for CSV; typed for JSON, NDJSON and xlsx) */
  cells: Map<string, unknown>;
}

/** A CSV or xlsx row by its header; text cells lose the `'` an export put before formula-like text. */
function fromHeader(header: unknown[], values: unknown[], row: number): SourceRow {
  const cells = new Map<string, unknown>();
  header.forEach((name, i) => {
    const v = values[i];
    if (typeof name === "string" && name !== "" && i < values.length) cells.set(name, typeof v === "string" ? restoreFormulaText(v) : v);
  });
  return { row, cells };
}

async function* csvRows(path: string): AsyncGenerator<SourceRow> {
  const parser = createReadStream(path).pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  let header: string[] | undefined;
  let n = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      n++;
      if (!header) {
        header = record.map((h) => h.trim());
        continue;
      }
      yield fromHeader(header, record, n);
    }
  } catch (e) {
    throw new BadRequestError(`The CSV file is malformed near row ${n + 1}: ${(e as Error).message.replace(/\s+at .*$/s, "")}`);
  }
}

function objectRow(value: unknown, row: number, what: string): SourceRow {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BadRequestError(`${what} ${row} is not an object`);
  // FastCMS record shape: user fields under `data`.
  const o = value as Record<string, unknown>;
  const data =
    typeof o.data === "object" && o.data !== null && !Array.isArray(o.data) && Object.keys(o).every((k) => ["id", "data", "created", "updated", "version", "owner_id", "expand"].includes(k))
      ? { id: o.id, ...(o.data as object) }
      : o;
  return { row, cells: new Map(Object.entries(data)) };
}

async function* ndjsonRows(path: string): AsyncGenerator<SourceRow> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new BadRequestError(`Line ${n} is not valid JSON`);
    }
    yield objectRow(value, n, "Line");
  }
}

async function* jsonRows(path: string): AsyncGenerator<SourceRow> {
  let n = 0;
  for await (const item of jsonItems(path)) yield objectRow(item, ++n, "Item");
}

/** An exceljs cell value as a plain value: rich text and hyperlinks as text, formulas as their result. */
function cellValue(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== "object" || v instanceof Date) return v ?? null;
  const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
  if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join("");
  if ("result" in o) return cellValue(o.result);
  if (typeof o.text === "string") return o.text;
  if (o.error !== undefined) return String(o.error);
  return JSON.stringify(v);
}

async function* xlsxRows(path: string): AsyncGenerator<SourceRow> {
  // exceljs is large: loaded on the first xlsx import, not at start-up
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(path), { worksheets: "emit", sharedStrings: "cache", hyperlinks: "ignore", styles: "ignore", entries: "emit" });
  let header: unknown[] | undefined;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        // row.values is 1-based and sparse
        const values = (row.values as unknown[]).slice(1).map(cellValue);
        if (!header) {
          header = values.map((h) => (typeof h === "string" ? h.trim() : h === null || h === undefined ? "" : String(h)));
          continue;
        }
        if (values.every((v) => v === null || v === undefined || v === "")) continue;
        yield fromHeader(header, values, row.number);
      }
      break; // the first worksheet only
    }
  } catch (e) {
    if (e instanceof BadRequestError) throw e;
    throw new BadRequestError("The file is not a readable xlsx workbook");
  }
}

/** The rows of an import file in `format`. Malformed files → 400 naming where. */
export function readRows(path: string, format: Format): AsyncGenerator<SourceRow> {
  switch (format) {
    case "csv":
      return csvRows(path);
    case "ndjson":
      return ndjsonRows(path);
    case "json":
      return jsonRows(path);
    case "xlsx":
      return xlsxRows(path);
  }
}

/** Counts rows up to `limit + 1` (stops reading there): tells whether a file has more than `limit`. */
export async function countRows(path: string, format: Format, limit: number): Promise<number> {
  let n = 0;
  const rows = readRows(path, format);
  try {
    for await (const _ of rows) if (++n > limit) break;
  } finally {
    await rows.return(undefined);
  }
  return n;
}
