// A collection definition as the form edits it (strings for every input), and the conversions
// from the REST answer and back to a create/update body in the FastCMS shape of README
// "Collections". Field ids travel back so a renamed field keeps its data.
import type { Collection, CollectionField } from "../../lib/collections.ts";

export const FIELD_TYPES = ["text", "textarea", "editor", "email", "url", "number", "bool", "date", "datetime", "select", "json", "tags", "reference", "file", "geopoint"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const TEXT_TYPES: ReadonlySet<string> = new Set(["text", "textarea", "editor", "email", "url"]);
export const CASCADE = ["set_null", "restrict", "cascade", "no_action"] as const;
export const RULES = ["list_rule", "view_rule", "create_rule", "update_rule", "delete_rule"] as const;
export type RuleKey = (typeof RULES)[number];

export interface DraftField {
  /** local key for rendering and for matching errors to the row that caused them */
  key: string;
  /** the server's field id (absent for new fields) */
  id?: string;
  /** the name the field had when the page opened (shown when it is renamed) */
  savedName?: string;
  name: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  index: boolean;
  min: string;
  max: string;
  integer: boolean;
  minLength: string;
  maxLength: string;
  pattern: string;
  /** select values, one per line */
  values: string;
  multiple: boolean;
  collection: string;
  cascade: string;
  maxFiles: string;
  maxSize: string;
  mimeTypes: string;
  /** `""` no default; otherwise text (JSON for json, tags, geopoint and multiple selects) */
  defaultValue: string;
  label: string;
  hint: string;
  hidden: boolean;
  /** `""` the type's default, `on` or `off` */
  trigram: "" | "on" | "off";
}

/** A rule: `locked` = null (superadmins; role permissions decide), `public` = "" (everyone), or an expression. */
export interface RuleDraft {
  mode: "locked" | "public" | "expression";
  text: string;
}

export interface Draft {
  name: string;
  fields: DraftField[];
  /** fields the content workflow adds from the options (status, slug, …): not edited, not sent */
  workflowFields: string[];
  rules: Record<RuleKey, RuleDraft>;
  /** collection options as JSON text */
  options: string;
}

let counter = 0;
const newKey = () => `f${++counter}`;

export function emptyField(type: FieldType = "text"): DraftField {
  return {
    key: newKey(),
    name: "",
    type,
    required: false,
    unique: false,
    index: type === "reference",
    min: "",
    max: "",
    integer: false,
    minLength: "",
    maxLength: "",
    pattern: "",
    values: "",
    multiple: false,
    collection: "",
    cascade: "set_null",
    maxFiles: "",
    maxSize: "",
    mimeTypes: "",
    defaultValue: "",
    label: "",
    hint: "",
    hidden: false,
    trigram: "",
  };
}

export function emptyDraft(): Draft {
  const locked = (): RuleDraft => ({ mode: "locked", text: "" });
  return { name: "", fields: [], workflowFields: [], rules: { list_rule: locked(), view_rule: locked(), create_rule: locked(), update_rule: locked(), delete_rule: locked() }, options: "{}" };
}

const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

function defaultText(f: CollectionField, type: FieldType): string {
  if (f.default === null || f.default === undefined) return "";
  if (typeof f.default === "string" && !["json", "tags", "geopoint"].includes(type)) return f.default;
  return JSON.stringify(f.default);
}

export function fieldFromServer(f: CollectionField): DraftField {
  const type = (f.type === "relation" ? "reference" : f.type) as FieldType;
  const o = f.options ?? {};
  const v = f.validation ?? {};
  return {
    ...emptyField(type),
    id: f.id,
    savedName: f.name,
    name: f.name,
    required: f.required,
    unique: f.unique,
    index: f.index && !f.unique,
    min: str(v.min ?? o.min),
    max: str(v.max ?? o.max),
    integer: Boolean(v.integer ?? o.integer),
    minLength: str(v.min_length ?? o.min_length),
    maxLength: str(v.max_length ?? o.max_length),
    pattern: str(v.pattern ?? o.pattern),
    values: (f.select?.values ?? (o.values as string[] | undefined) ?? []).join("\n"),
    multiple: Boolean(f.relation?.multiple ?? o.multiple),
    collection: f.relation?.collection ?? str(o.collection),
    cascade: f.relation?.cascade_delete ?? str(o.cascade_delete || "set_null"),
    maxFiles: str(o.max_files),
    maxSize: str(o.max_size),
    mimeTypes: ((o.mime_types as string[] | undefined) ?? []).join(", "),
    defaultValue: defaultText(f, type),
    label: f.label ?? "",
    hint: f.hint ?? "",
    hidden: f.hidden,
    trigram: o.trigram === true ? "on" : o.trigram === false ? "off" : "",
  };
}

/** The content workflow's own fields have fixed ids (`content-status`, …); the server adds them from the options. */
const isWorkflowField = (f: CollectionField) => f.id.startsWith("content-");

export function draftFromServer(c: Collection): Draft {
  return {
    name: c.name,
    fields: c.schema.filter((f) => !isWorkflowField(f)).map(fieldFromServer),
    workflowFields: c.schema.filter(isWorkflowField).map((f) => f.name),
    rules: Object.fromEntries(RULES.map((k) => [k, ruleFromServer(c[k])])) as Record<RuleKey, RuleDraft>,
    options: JSON.stringify(c.options ?? {}, null, 2),
  };
}

function ruleFromServer(rule: string | null): RuleDraft {
  if (rule === null) return { mode: "locked", text: "" };
  if (rule.trim() === "" || rule.trim() === "true") return { mode: "public", text: "" };
  return { mode: "expression", text: rule };
}

/** A rule as the API takes it. */
export function ruleValue(r: RuleDraft): string | null {
  return r.mode === "locked" ? null : r.mode === "public" ? "" : r.text;
}

/** A number input's value: a number when it parses, else the text (the server names it). */
const num = (s: string): number | string | undefined => (s.trim() === "" ? undefined : Number.isFinite(Number(s)) ? Number(s) : s);
const list = (s: string, sep: RegExp) =>
  s
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);

/** The default as the server expects it; text that is not JSON where JSON is needed goes as text (the server names it). */
function defaultValue(f: DraftField): unknown {
  const t = f.defaultValue;
  if (t.trim() === "") return undefined;
  const json = () => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  };
  if (f.type === "number") return num(t);
  if (f.type === "bool") return t === "true" ? true : t === "false" ? false : t;
  if (f.type === "json" || f.type === "geopoint") return json();
  if (f.type === "tags" || (f.type === "select" && f.multiple) || (f.type === "reference" && f.multiple)) return t.trim().startsWith("[") ? json() : list(t, /,/);
  return t;
}

export function fieldBody(f: DraftField): Record<string, unknown> {
  const validation: Record<string, unknown> = { required: f.required, unique: f.unique };
  const body: Record<string, unknown> = { name: f.name.trim(), type: f.type, validation, index: f.index };
  if (f.id) body.id = f.id;
  if (f.type === "number") {
    validation.min = num(f.min);
    validation.max = num(f.max);
    if (f.integer) validation.integer = true;
  }
  if (TEXT_TYPES.has(f.type)) {
    validation.min_length = num(f.minLength);
    validation.max_length = num(f.maxLength);
    if (f.pattern) validation.pattern = f.pattern;
    if (f.trigram) body.trigram = f.trigram === "on";
  }
  if (f.type === "select") body.select = { values: list(f.values, /\n/), multiple: f.multiple };
  if (f.type === "reference") body.relation = { collection: f.collection, cascade_delete: f.cascade, multiple: f.multiple };
  if (f.type === "file") {
    const file: Record<string, unknown> = {};
    if (f.maxFiles.trim()) file.max_files = num(f.maxFiles);
    if (f.maxSize.trim()) file.max_size = num(f.maxSize);
    if (f.mimeTypes.trim()) file.mime_types = list(f.mimeTypes, /,/);
    body.file = file;
  }
  const d = defaultValue(f);
  if (d !== undefined) body.default = d;
  if (f.label.trim()) body.label = f.label.trim();
  if (f.hint.trim()) body.hint = f.hint.trim();
  if (f.hidden) body.hidden = true;
  for (const k of Object.keys(validation)) if (validation[k] === undefined) delete validation[k];
  return body;
}

/** The create/update body; `options` that is not a JSON object is reported as the field error `options`. */
export function collectionBody(d: Draft): { body: Record<string, unknown>; optionsError: string | null } {
  const body: Record<string, unknown> = { name: d.name.trim(), schema: d.fields.map(fieldBody) };
  for (const k of RULES) body[k] = ruleValue(d.rules[k]);
  let optionsError: string | null = null;
  try {
    const options = JSON.parse(d.options.trim() || "{}") as unknown;
    if (typeof options !== "object" || options === null || Array.isArray(options)) optionsError = "must be a JSON object, e.g. {}";
    else body.options = options;
  } catch (err) {
    optionsError = `is not valid JSON: ${(err as Error).message}`;
  }
  return { body, optionsError };
}

/**
 * The server's per-path messages (`schema[2].validation.min`) for the field sent at `index`:
 * keyed by the rest of the path (`validation.min`).
 */
export function errorsOfField(fields: Record<string, string>, index: number): Record<string, string> {
  const prefix = new RegExp(`^(schema|fields)\\[${index}\\]\\.?`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (prefix.test(k)) out[k.replace(prefix, "") || "field"] = v;
  return out;
}

/** The first message among several spellings of one option's path. */
export function pickError(errs: Record<string, string>, ...keys: string[]): string | null {
  for (const k of keys) if (errs[k]) return errs[k]!;
  return null;
}
