// One field of a collection in the editor: name, type, the options that type has (README
// "Collections"), and the server's messages next to the input they name; messages about the field
// that no input shows are listed in its box, so none is lost.
import { useState } from "preact/hooks";
import type { Collection } from "../../lib/collections.ts";
import { Checkbox, SelectField, TextAreaField, TextField } from "../../ui/field.tsx";
import { CASCADE, FIELD_TYPES, pickError, TEXT_TYPES, type DraftField, type FieldType } from "./schema-draft.ts";

const TYPE_LABELS: Record<FieldType, string> = {
  text: "Text",
  textarea: "Long text",
  editor: "Rich text (editor)",
  email: "E-mail",
  url: "URL",
  number: "Number",
  bool: "Yes / no (bool)",
  date: "Date",
  datetime: "Date and time",
  select: "Select",
  json: "JSON",
  tags: "Tags",
  reference: "Reference",
  file: "File",
  geopoint: "Geopoint",
};

/** The paths each input shows errors for (FastCMS and SnackBase spellings). */
const PATHS = {
  name: ["name"],
  type: ["type"],
  required: ["validation.required", "required"],
  unique: ["validation.unique", "unique"],
  index: ["index"],
  min: ["validation.min", "min"],
  max: ["validation.max", "max"],
  integer: ["validation.integer", "integer"],
  minLength: ["validation.min_length", "min_length"],
  maxLength: ["validation.max_length", "max_length"],
  pattern: ["validation.pattern", "pattern"],
  values: ["select.values", "validation.values", "values", "select"],
  collection: ["relation.collection", "collection", "relation"],
  cascade: ["relation.cascade_delete", "on_delete"],
  maxFiles: ["file.max_files", "max_files"],
  maxSize: ["file.max_size", "max_size"],
  mimeTypes: ["file.mime_types", "mime_types", "file"],
  defaultValue: ["default", "validation.default"],
  label: ["label"],
  hint: ["hint"],
  trigram: ["trigram"],
  id: ["id", "previous_name"],
} as const;
const SHOWN = new Set<string>(Object.values(PATHS).flat());

function defaultHint(f: DraftField): string {
  if (f.type === "bool") return "true or false";
  if (f.type === "json" || f.type === "geopoint") return f.type === "geopoint" ? 'JSON, e.g. {"lat": 52.5, "lng": 13.4}' : "any JSON value";
  if (f.type === "tags" || (f.type === "select" && f.multiple)) return "comma-separated, or a JSON list";
  if (f.type === "date") return "YYYY-MM-DD";
  if (f.type === "datetime") return "ISO 8601, e.g. 2026-01-02T03:04:05Z";
  return "given to records that leave the field empty; leave empty for none";
}

/** What the collapsed "More options" hold, in a few words. */
function optionSummary(f: DraftField): string {
  const parts: string[] = [];
  if (f.min || f.max) parts.push(`${f.min || "…"} to ${f.max || "…"}`);
  if (f.integer) parts.push("whole numbers");
  if (f.minLength || f.maxLength) parts.push(`length ${f.minLength || "0"}–${f.maxLength || "…"}`);
  if (f.pattern) parts.push("pattern");
  if (f.defaultValue) parts.push(`default ${f.defaultValue}`);
  if (f.label) parts.push(`label "${f.label}"`);
  if (f.hidden) parts.push("hidden");
  return parts.join(", ");
}

export function FieldEditor({
  field: f,
  index,
  count,
  errors,
  collections,
  selfName,
  onChange,
  onMove,
  onRemove,
}: {
  field: DraftField;
  index: number;
  count: number;
  errors: Record<string, string>;
  collections: Collection[];
  selfName: string;
  onChange: (next: DraftField) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}) {
  const set = <K extends keyof DraftField>(k: K, v: DraftField[K]) => onChange({ ...f, [k]: v });
  const err = (k: keyof typeof PATHS) => pickError(errors, ...PATHS[k]);
  const rest = Object.entries(errors).filter(([k]) => !SHOWN.has(k));
  const n = index + 1;
  const [open, setOpen] = useState(false);
  const moreKeys = ["min", "max", "integer", "minLength", "maxLength", "pattern", "maxFiles", "maxSize", "mimeTypes", "defaultValue", "label", "hint", "trigram"] as const;
  const moreOpen = open || moreKeys.some((k) => err(k));
  const summary = optionSummary(f);
  const targets = [...new Set([...collections.map((c) => c.name), ...(selfName ? [selfName] : [])])].sort();
  return (
    <fieldset class={`field-card${Object.keys(errors).length ? " has-errors" : ""}`}>
      <legend>
        Field {n}
        {f.name ? ` · ${f.name}` : ""}
      </legend>
      {f.savedName && f.savedName !== f.name && <p class="hint">Renamed from {f.savedName}: its data is kept.</p>}
      {rest.length > 0 && (
        <ul class="field-error" role="alert">
          {rest.map(([k, v]) => (
            <li key={k}>
              {k === "field" ? "" : `${k}: `}
              {v}
            </li>
          ))}
        </ul>
      )}
      <div class="field-main">
        <TextField label="Name" value={f.name} onValue={(v) => set("name", v)} error={err("name") ?? err("id")} autoComplete="off" spellcheck={false} />
        <SelectField
          label="Type"
          value={f.type}
          onValue={(v) => onChange({ ...f, type: v as FieldType, index: f.id ? f.index : v === "reference" })}
          error={err("type")}
          options={FIELD_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
        />
        {f.type === "select" && <TextAreaField label="Values" rows={2} value={f.values} onValue={(v) => set("values", v)} error={err("values")} hint="one value per line" />}
        {f.type === "reference" && (
          <>
            <SelectField
              label="Target collection"
              value={f.collection}
              onValue={(v) => set("collection", v)}
              error={err("collection")}
              options={[{ value: "", label: "Choose a collection" }, ...targets.map((t) => ({ value: t, label: t === selfName ? `${t} (this collection)` : t }))]}
            />
            <SelectField
              label="When the target is deleted"
              value={f.cascade}
              onValue={(v) => set("cascade", v)}
              error={err("cascade")}
              options={CASCADE.map((c) => ({ value: c, label: { set_null: "Set to empty", restrict: "Refuse the delete", cascade: "Delete this record too", no_action: "Do nothing" }[c] }))}
            />
          </>
        )}
      </div>
      <div class="field-bar">
        <div class="field-flags">
          <Checkbox label="Required" checked={f.required} onChecked={(v) => set("required", v)} />
          <Checkbox label="Unique" checked={f.unique} onChecked={(v) => set("unique", v)} />
          <Checkbox label="Index" checked={f.index || f.unique} disabled={f.unique} onChecked={(v) => set("index", v)} />
          {(f.type === "select" || f.type === "reference") && <Checkbox label="Multiple" checked={f.multiple} onChecked={(v) => set("multiple", v)} />}
        </div>
        <div class="field-actions">
          <button type="button" class="ghost" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move field ${n} up`}>
            ↑
          </button>
          <button type="button" class="ghost" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move field ${n} down`}>
            ↓
          </button>
          <button type="button" class="danger" onClick={onRemove} aria-label={`Remove field ${n}`}>
            Remove
          </button>
        </div>
      </div>
      {(err("required") || err("unique") || err("index")) && (
        <p class="field-error" role="alert">
          {err("required") ?? err("unique") ?? err("index")}
        </p>
      )}
      <details class="field-more" open={moreOpen} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>
          More options<span class="visually-hidden"> of field {n}</span>
          {summary && <span class="more-summary"> · {summary}</span>}
        </summary>
        <div class="field-grid">
          {f.type === "number" && (
            <>
              <TextField label="Minimum" type="number" value={f.min} onValue={(v) => set("min", v)} error={err("min")} />
              <TextField label="Maximum" type="number" value={f.max} onValue={(v) => set("max", v)} error={err("max")} />
            </>
          )}
          {TEXT_TYPES.has(f.type) && (
            <>
              <TextField label="Minimum length" type="number" min={0} value={f.minLength} onValue={(v) => set("minLength", v)} error={err("minLength")} />
              <TextField label="Maximum length" type="number" min={0} value={f.maxLength} onValue={(v) => set("maxLength", v)} error={err("maxLength")} />
              <TextField label="Pattern" value={f.pattern} onValue={(v) => set("pattern", v)} error={err("pattern")} hint="regular expression, anchored at the start" spellcheck={false} />
              <SelectField
                label="Trigram index"
                value={f.trigram}
                onValue={(v) => set("trigram", v as DraftField["trigram"])}
                error={err("trigram")}
                hint="serves contains (~) filters"
                options={[
                  { value: "", label: f.type === "textarea" || f.type === "editor" ? "Default (off)" : "Default (on)" },
                  { value: "on", label: "On" },
                  { value: "off", label: "Off" },
                ]}
              />
            </>
          )}
          {f.type === "file" && (
            <>
              <TextField label="Maximum files" type="number" min={1} value={f.maxFiles} onValue={(v) => set("maxFiles", v)} error={err("maxFiles")} hint="default 1" />
              <TextField label="Maximum size (bytes)" type="number" min={1} value={f.maxSize} onValue={(v) => set("maxSize", v)} error={err("maxSize")} hint="default 5 MiB" />
              <TextField label="Allowed types" value={f.mimeTypes} onValue={(v) => set("mimeTypes", v)} error={err("mimeTypes")} hint="MIME types, comma-separated; empty: any" />
            </>
          )}
          <TextField label="Default" value={f.defaultValue} onValue={(v) => set("defaultValue", v)} error={err("defaultValue")} hint={defaultHint(f)} />
          <TextField label="Label" value={f.label} onValue={(v) => set("label", v)} error={err("label")} hint="shown to editors instead of the name" />
          <TextField label="Hint" value={f.hint} onValue={(v) => set("hint", v)} error={err("hint")} hint="help text for editors" />
        </div>
        <div class="field-flags">
          {f.type === "number" && <Checkbox label="Whole numbers only" checked={f.integer} onChecked={(v) => set("integer", v)} />}
          <Checkbox label="Hidden" checked={f.hidden} onChecked={(v) => set("hidden", v)} />
        </div>
        {err("integer") && (
          <p class="field-error" role="alert">
            {err("integer")}
          </p>
        )}
      </details>
    </fieldset>
  );
}
