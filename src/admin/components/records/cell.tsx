// One grid cell, drawn by the field's type: booleans as ✓/✗, dates in the browser's locale,
// tags and multiple selects as chips, references as a short label of the target (from `expand`)
// linking to it, files as thumbnails, JSON and long text cut short (the whole value on hover).
import type { ComponentChildren } from "preact";
import type { CollectionField } from "../../lib/collections.ts";
import { href } from "../../lib/router.ts";
import { FileThumb, type FileValue } from "./file-thumb.tsx";

export interface RecordRow {
  id: string;
  data: Record<string, unknown>;
  created: string;
  updated: string;
  version?: number;
  expand?: Record<string, unknown> | null;
}

const empty = (
  <span class="cell-empty">
    <span aria-hidden="true">–</span>
    <span class="visually-hidden">empty</span>
  </span>
);

const ALIASES: Record<string, string> = { boolean: "bool", relation: "reference", richText: "editor" };

/** The field's type with the accepted aliases (`relation`, `boolean`, `richText`) resolved. */
export function kindOf(f: { type: string }): string {
  return ALIASES[f.type] ?? f.type;
}

export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// One formatter each (toLocaleString with options builds a new one per call: slow for a page of rows).
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const number = new Intl.NumberFormat();

/** A date-time in the browser's locale, the exact UTC value on hover. */
export function When({ iso }: { iso: string }) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <>{iso}</>;
  return (
    <time dateTime={iso} title={iso}>
      {dateTime.format(d)}
    </time>
  );
}

function chips(values: unknown[]): ComponentChildren {
  return (
    <span class="chips">
      {values.slice(0, 6).map((v, i) => (
        <span class="chip" key={i}>
          {String(v)}
        </span>
      ))}
      {values.length > 6 && <span class="chip more">+{values.length - 6}</span>}
    </span>
  );
}

/** A few words of a referenced record: its name, title, label or e-mail, else its first text. */
function labelOf(target: unknown): string | null {
  const data = (target as { data?: Record<string, unknown> } | null)?.data;
  if (!data) return null;
  for (const k of ["name", "title", "label", "email", "slug"]) if (typeof data[k] === "string" && data[k]) return data[k] as string;
  const first = Object.values(data).find((v) => typeof v === "string" && v.length > 0 && v.length < 200);
  return typeof first === "string" ? first : null;
}

function reference(field: CollectionField, id: string, target: unknown) {
  const label = labelOf(target);
  const collection = field.relation?.collection ?? "";
  return (
    <a key={id} class="ref" href={href(`/collections/${encodeURIComponent(collection)}/records/${encodeURIComponent(id)}`)} title={`${collection} ${id}`}>
      {label ? cut(label, 30) : `${id.slice(0, 8)}…`}
    </a>
  );
}

export function Cell({ field, row }: { field: CollectionField; row: RecordRow }) {
  const v = row.data[field.name];
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) return empty;
  switch (kindOf(field)) {
    case "bool":
      return v ? (
        <span class="bool-yes">
          <span aria-hidden="true">✓</span>
          <span class="visually-hidden">yes</span>
        </span>
      ) : (
        <span class="bool-no">
          <span aria-hidden="true">✗</span>
          <span class="visually-hidden">no</span>
        </span>
      );
    case "number":
      return <>{typeof v === "number" ? number.format(v) : String(v)}</>;
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      if (!m) return <>{String(v)}</>;
      const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      return (
        <time dateTime={String(v)} title={String(v)}>
          {dateOnly.format(d)}
        </time>
      );
    }
    case "datetime":
      return <When iso={String(v)} />;
    case "tags":
      return chips(Array.isArray(v) ? v : [v]);
    case "select":
      return chips(Array.isArray(v) ? v : [v]);
    case "reference": {
      const expanded = row.expand?.[field.name];
      if (Array.isArray(v)) {
        const targets = Array.isArray(expanded) ? (expanded as { id: string }[]) : [];
        return (
          <span class="chips">
            {(v as string[]).slice(0, 4).map((id) =>
              reference(
                field,
                id,
                targets.find((t) => t?.id === id),
              ),
            )}
          </span>
        );
      }
      return reference(field, String(v), expanded);
    }
    case "file": {
      const files = (Array.isArray(v) ? v : [v]).filter((f): f is FileValue => Boolean(f && typeof f === "object" && "url" in f));
      return (
        <span class="chips">
          {files.slice(0, 3).map((f) => (
            <FileThumb key={f.id} file={f} />
          ))}
          {files.length > 3 && <span class="chip more">+{files.length - 3}</span>}
        </span>
      );
    }
    case "json": {
      const text = JSON.stringify(v);
      return <code title={cut(text, 1000)}>{cut(text, 28)}</code>;
    }
    case "geopoint": {
      const p = v as { lat?: number; lng?: number };
      return <>{`${p.lat ?? "?"}, ${p.lng ?? "?"}`}</>;
    }
    case "editor": {
      const text = String(v)
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      return <span title={cut(text, 1000)}>{cut(text, 60)}</span>;
    }
    default: {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      return <span title={text.length > 60 ? cut(text, 1000) : undefined}>{cut(text, 60)}</span>;
    }
  }
}
