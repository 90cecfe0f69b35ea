/**
 * Typed conversion of imported cells per field type (compat/fastcms.md §7). Text cells (CSV,
 * spreadsheet strings) are converted: number → integer, or float with a `.`/exponent; bool
 * accepts true/1/yes/y/on and false/0/no/n/off; json and geopoint are parsed; select, reference,
 * file and tags are parsed as JSON when the cell starts with `[` (tags and multiple select or
 * reference also accept `a, b`). Typed values (JSON, NDJSON, spreadsheet numbers, booleans and
 * dates) are kept as they are and checked by the record validation like any write.
 */
import type { FieldDef } from "../collections/types.ts";

export type Converted = { value: unknown } | { problem: string };

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const TRUE = new Set(["true", "1", "yes", "y", "on"]);
const FALSE = new Set(["false", "0", "no", "n", "off"]);

function parseJson(text: string, what: string): Converted {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { problem: `'${clip(text)}' is not valid JSON${what}` };
  }
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** A list cell: JSON when it starts with `[`, else comma-separated (only for list fields). */
function listCell(text: string, multiple: boolean): Converted {
  if (text.startsWith("[")) return parseJson(text, " (a list)");
  if (!multiple) return { value: text };
  return {
    value: text
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  };
}

/** Converts one text cell for `field`; empty cells never reach here. */
export function convertText(field: FieldDef, raw: string): Converted {
  const text = field.type === "text" || field.type === "textarea" || field.type === "editor" ? raw : raw.trim();
  switch (field.type) {
    case "number":
      if (INT.test(text)) return { value: Number.parseInt(text, 10) };
      if (FLOAT.test(text)) return { value: Number.parseFloat(text) };
      return { problem: `'${clip(text)}' is not a number` };
    case "bool": {
      const t = text.toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { problem: `'${clip(text)}' is not a boolean (true/false, 1/0, yes/no)` };
    }
    case "json":
      return parseJson(text, "");
    case "geopoint":
      return parseJson(text, ' (expected {"lat":…,"lng":…})');
    case "tags":
      return listCell(text, true);
    case "file":
      return listCell(text, true);
    case "select":
    case "reference":
      return listCell(text, !!field.options.multiple);
    default:
      return { value: text };
  }
}

/** Converts a typed cell (spreadsheet or JSON value) for `field`. */
export function convertCell(field: FieldDef, raw: unknown): Converted {
  if (typeof raw === "string") return convertText(field, raw);
  if (raw instanceof Date) return { value: field.type === "date" ? raw.toISOString().slice(0, 10) : field.type === "datetime" ? raw.toISOString() : raw.toISOString() };
  if (typeof raw === "number" && (field.type === "text" || field.type === "textarea")) return { value: String(raw) };
  if (typeof raw === "number" && field.type === "bool" && (raw === 0 || raw === 1)) return { value: raw === 1 };
  return { value: raw };
}
