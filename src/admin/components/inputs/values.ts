// Record values in the form: each field type has a draft shape its input edits (text for
// numbers and JSON, lists for tags…), made from the API's value when a record opens and turned
// back into the API's value on save. A draft that cannot become a value (bad JSON, "1x" as a
// number) is a problem shown next to its input, and the record is not sent.
import type { CollectionField } from "../../lib/collections.ts";

export interface FileInfo {
  id: string;
  name: string;
  size?: number;
  type?: string;
  url?: string;
}

export interface GeoDraft {
  lat: string;
  lng: string;
  alt: string;
}

/** The field's type with the server's aliases folded (relation → reference, boolean → bool…). */
export function kindOf(field: CollectionField): string {
  const t = field.type;
  if (t === "relation") return "reference";
  if (t === "boolean") return "bool";
  if (t === "richText") return "editor";
  return t;
}

export function isMultiple(field: CollectionField): boolean {
  const kind = kindOf(field);
  if (kind === "select") return (field.select?.max_select ?? 1) > 1 || field.options?.multiple === true;
  if (kind === "reference") return field.relation?.multiple === true || field.options?.multiple === true;
  return false;
}

const numberText = (v: unknown) => (typeof v === "number" ? String(v) : "");

/** The draft an input starts from: the record's value, or for a new record the field's default. */
export function toDraft(field: CollectionField, value: unknown): unknown {
  const kind = kindOf(field);
  switch (kind) {
    case "number":
      return numberText(value);
    case "bool":
      return value === true;
    case "json":
      return value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
    case "tags":
      return Array.isArray(value) ? value.map(String) : [];
    case "file":
      return Array.isArray(value) ? value.map((f) => (typeof f === "string" ? { id: f, name: f } : (f as FileInfo))) : [];
    case "geopoint": {
      const g = (value ?? {}) as { lat?: unknown; lng?: unknown; alt?: unknown };
      return { lat: numberText(g.lat), lng: numberText(g.lng), alt: numberText(g.alt) } satisfies GeoDraft;
    }
    case "select":
    case "reference":
      if (isMultiple(field)) return Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : [];
      return typeof value === "string" ? value : "";
    default:
      return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  }
}

function parseNumber(text: string, what = "a number"): { value: number | null } | { problem: string } {
  const t = text.trim();
  if (t === "") return { value: null };
  const n = Number(t);
  return Number.isFinite(n) ? { value: n } : { problem: `'${t}' is not ${what}` };
}

/** The API value of a draft, or the problem that keeps it from being one. */
export function fromDraft(field: CollectionField, draft: unknown): { value: unknown } | { problem: string } {
  const kind = kindOf(field);
  switch (kind) {
    case "number":
      return parseNumber(String(draft ?? ""));
    case "bool":
      return { value: draft === true };
    case "json": {
      const text = String(draft ?? "").trim();
      if (text === "") return { value: null };
      try {
        return { value: JSON.parse(text) };
      } catch (err) {
        return { problem: `Not valid JSON: ${(err as Error).message}` };
      }
    }
    case "tags":
    case "file": {
      const list = draft as (string | FileInfo)[];
      const ids = list.map((x) => (typeof x === "string" ? x : x.id));
      return { value: ids.length ? ids : null };
    }
    case "geopoint": {
      const g = draft as GeoDraft;
      if (!g.lat.trim() && !g.lng.trim() && !g.alt.trim()) return { value: null };
      const lat = parseNumber(g.lat, "a latitude");
      const lng = parseNumber(g.lng, "a longitude");
      const alt = parseNumber(g.alt, "an altitude");
      for (const p of [lat, lng, alt]) if ("problem" in p) return p;
      const [la, ln, al] = [lat, lng, alt].map((p) => (p as { value: number | null }).value);
      if (la === null || ln === null) return { problem: "Give both latitude and longitude, or neither" };
      return { value: al === null ? { lat: la, lng: ln } : { lat: la, lng: ln, alt: al } };
    }
    case "select":
    case "reference":
      if (isMultiple(field)) {
        const list = draft as string[];
        return { value: list.length ? list : null };
      }
      return { value: draft === "" ? null : draft };
    default: {
      const s = String(draft ?? "");
      return { value: s === "" ? null : s };
    }
  }
}

/** A stable text of a value, to tell which fields a PATCH must send. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The server's message for a field: its own key, or the first key under it (`place.lat`). */
export function errorFor(fields: Record<string, string>, name: string): string | null {
  if (fields[name]) return fields[name]!;
  const key = Object.keys(fields).find((k) => k.startsWith(`${name}.`) || k.startsWith(`${name}[`));
  return key ? `${key.slice(name.length).replace(/^\./, "")}: ${fields[key]}` : null;
}

/** The label of a field: its `label`, else its name. */
export function labelOf(field: CollectionField): string {
  return field.label || field.name;
}
