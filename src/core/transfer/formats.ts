/**
 * The file formats records are exported to and imported from, with their media types and file
 * name extensions.
 */
import { BadRequestError } from "../errors.ts";

export const FORMATS = ["csv", "json", "ndjson", "xlsx"] as const;
export type Format = (typeof FORMATS)[number];

export const MEDIA_TYPES: Readonly<Record<Format, string>> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The format named `name` (case-insensitive); 400 naming the allowed ones otherwise. */
export function parseFormat(name: string | undefined, fallback: Format = "csv"): Format {
  if (name === undefined || name === "") return fallback;
  const f = name.toLowerCase();
  if ((FORMATS as readonly string[]).includes(f)) return f as Format;
  throw new BadRequestError(`Unknown format '${name}' (one of ${FORMATS.join(", ")})`, { format: `Must be one of ${FORMATS.join(", ")}` });
}

/** The format of an uploaded file from its name (`.csv`, `.json`, `.ndjson`/`.jsonl`, `.xlsx`), or undefined. */
export function formatOfName(name: string): Format | undefined {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === "jsonl") return "ndjson";
  return ext && (FORMATS as readonly string[]).includes(ext) ? (ext as Format) : undefined;
}

/** Text a spreadsheet would run as a formula: it starts with `= + - @`, a tab or a carriage return (after any `'`). */
const FORMULA_LIKE = /^'*[=+\-@\t\r]/;

/**
 * A text cell of a CSV or xlsx export, made inert for spreadsheets (OWASP "CSV injection"): text
 * starting with `= + - @`, a tab or a carriage return gets a leading `'`. Text that already
 * starts with `'` before one of those gets one more, so {@link restoreFormulaText} undoes it exactly.
 * @example neutraliseFormula("=SUM(A1:A9)") // "'=SUM(A1:A9)"
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_LIKE.test(text) ? `'${text}` : text;
}

/** The inverse of {@link neutraliseFormula}, for CSV and xlsx imports: `'=x` → `=x`, `''=x` → `'=x`. */
export function restoreFormulaText(text: string): string {
  return text.startsWith("'") && FORMULA_LIKE.test(text) ? text.slice(1) : text;
}
