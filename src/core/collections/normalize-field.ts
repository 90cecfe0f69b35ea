/**
 * One field of a collection body → FieldDef. Accepts the FastCMS shape (`validation`, `relation`,
 * `select`, `file` objects) and the SnackBase shape (flat `required`/`unique`/`default`,
 * `collection`/`on_delete`, free-form `options`), in that order of precedence. A `null` option is
 * the same as an absent one (FastCMS clients send every validation key). Problems are collected
 * into `errors` under the path that carried the bad value (`schema[2].validation.min`).
 */
import { checkFieldValue, compilePattern } from "./check-value.ts";
import { FIELD_TYPES, storageKind, type FieldDef, type FieldOptions, type FieldType } from "./types.ts";
import { own } from "../../lib/own.ts";

export const NAME_RE = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** Field ids appear in index names: no "_" (keeps `<table>__<suffix>` unambiguous), at most 20. */
export const FIELD_ID_RE = /^[A-Za-z0-9-]{1,20}$/;
/** PostgreSQL truncates identifiers longer than this (bytes; names are ASCII). */
export const PG_MAX_IDENTIFIER = 63;

/**
 * Field names that cannot be used: compat §2 (FastCMS), the system columns, SnackBase's
 * reserved names, SQLite's rowid aliases and FTS5's reserved columns, PostgreSQL system columns.
 */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  ...["id", "created", "updated", "deleted", "select", "from", "where", "insert", "update", "delete"],
  ...["table", "index", "primary", "foreign", "key", "user", "group", "order", "limit", "offset"],
  ...["account_id", "owner_id", "version", "created_at", "created_by", "updated_at", "updated_by"],
  ...["rowid", "oid", "rank", "tableoid", "xmin", "xmax", "cmin", "cmax", "ctid"],
]);

const TYPE_ALIASES: Record<string, FieldType> = { boolean: "bool", relation: "reference", richtext: "editor", rich_text: "editor" };
export const CASCADE_VALUES = ["restrict", "cascade", "set_null", "no_action"] as const;

export interface FieldEnv {
  dialect: "sqlite" | "postgres";
  /** canonical name of an existing collection given its name or id (self-references included) */
  resolveCollection(nameOrId: string): string | undefined;
  /**
   * a SnackBase-shaped definition (normalize.ts `isSnackbaseDefinition`): a reference must name
   * its `on_delete` (compat/snackbase.md §4), and problems are reported under SnackBase's keys
   */
  snackbase?: boolean;
}

/** A normalised field plus the hints used to match it with a field of the previous definition. */
export interface NormalizedField {
  def: Omit<FieldDef, "id">;
  inputId?: string;
  previousName?: string;
}

type Errors = Record<string, string>;
type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first non-null value among candidate key paths, with the path it came from. */
function pick(raw: Raw, base: string, candidates: string[]): { value: unknown; path: string } | undefined {
  for (const c of candidates) {
    let v: unknown = raw;
    for (const k of c.split(".")) v = isObject(v) ? v[k] : undefined;
    if (v !== undefined && v !== null) return { value: v, path: `${base}.${c}` };
  }
  return undefined;
}

/** Validates the field's nested option objects are objects. */
function checkObjects(raw: Raw, base: string, errors: Errors): void {
  for (const k of ["validation", "relation", "select", "file", "options"]) {
    if (raw[k] !== undefined && raw[k] !== null && !isObject(raw[k])) errors[`${base}.${k}`] = "must be an object";
  }
}

export function fieldNameError(name: unknown, dialect: FieldEnv["dialect"]): string | null {
  if (name === undefined || name === null || name === "") return "is required";
  if (typeof name !== "string") return "must be a string";
  if (name.length > 100) return "must be at most 100 characters";
  if (dialect === "postgres" && name.length > PG_MAX_IDENTIFIER) return `must be at most ${PG_MAX_IDENTIFIER} characters on PostgreSQL`;
  if (!NAME_RE.test(name)) return "must start with a letter and contain only letters, digits and underscores";
  if (RESERVED_FIELD_NAMES.has(name.toLowerCase())) return `'${name}' is a reserved field name`;
  return null;
}

export function parseFieldType(type: unknown): FieldType | null {
  if (typeof type !== "string") return null;
  const t = type.trim().toLowerCase();
  if ((FIELD_TYPES as readonly string[]).includes(t)) return t as FieldType;
  return own(TYPE_ALIASES, t) ?? null;
}

class Reader {
  constructor(
    private readonly raw: Raw,
    private readonly base: string,
    private readonly errors: Errors,
  ) {}
  bool(candidates: string[]): boolean | undefined {
    const p = pick(this.raw, this.base, candidates);
    if (!p) return undefined;
    if (typeof p.value !== "boolean") return void (this.errors[p.path] = "must be true or false");
    return p.value;
  }
  number(candidates: string[], opts: { integer?: boolean; min?: number } = {}): { value: number; path: string } | undefined {
    const p = pick(this.raw, this.base, candidates);
    if (!p) return undefined;
    const v = p.value;
    if (typeof v !== "number" || !Number.isFinite(v)) return void (this.errors[p.path] = "must be a number");
    if (opts.integer && !Number.isInteger(v)) return void (this.errors[p.path] = "must be an integer");
    if (opts.min !== undefined && v < opts.min) return void (this.errors[p.path] = `must be at least ${opts.min}`);
    return { value: v, path: p.path };
  }
  string(candidates: string[], max = 1000): { value: string; path: string } | undefined {
    const p = pick(this.raw, this.base, candidates);
    if (!p) return undefined;
    if (typeof p.value !== "string") return void (this.errors[p.path] = "must be a string");
    if (p.value.length > max) return void (this.errors[p.path] = `must be at most ${max} characters`);
    return { value: p.value, path: p.path };
  }
  strings(candidates: string[], what: string): { value: string[]; path: string } | undefined {
    const p = pick(this.raw, this.base, candidates);
    if (!p) return undefined;
    const v = p.value;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x.length === 0 || x.length > 500)) return void (this.errors[p.path] = `must be a list of non-empty ${what}`);
    if (v.length > 1000) return void (this.errors[p.path] = "must have at most 1000 items");
    if (new Set(v).size !== v.length) return void (this.errors[p.path] = "must not contain duplicates");
    return { value: v as string[], path: p.path };
  }
}

const LENGTH_TYPES: ReadonlySet<FieldType> = new Set(["text", "textarea", "editor", "email", "url"]);

function readOptions(type: FieldType, r: Reader, raw: Raw, base: string, env: FieldEnv, errors: Errors): FieldOptions {
  const o: FieldOptions = {};
  if (type === "number") {
    const min = r.number(["validation.min", "min", "options.min"]);
    const max = r.number(["validation.max", "max", "options.max"]);
    if (min) o.min = min.value;
    if (max) o.max = max.value;
    if (min && max && min.value > max.value) errors[min.path] = "must not be greater than max";
    const integer = r.bool(["validation.integer", "integer", "options.integer"]);
    if (integer) o.integer = true;
  }
  if (LENGTH_TYPES.has(type)) {
    const len = { integer: true, min: 0 };
    const minL = r.number(["validation.min_length", "min_length", "options.min_length", "validation.min", "options.min"], len);
    const maxL = r.number(["validation.max_length", "max_length", "options.max_length", "validation.max", "options.max"], len);
    if (minL) o.minLength = minL.value;
    if (maxL) o.maxLength = maxL.value;
    if (minL && maxL && minL.value > maxL.value) errors[minL.path] = "must not be greater than max_length";
    const trigram = r.bool(["trigram", "validation.trigram", "options.trigram"]);
    if (trigram !== undefined) o.trigram = trigram;
    const pattern = r.string(["validation.pattern", "pattern", "options.pattern"]);
    if (pattern) {
      try {
        compilePattern(pattern.value);
        o.pattern = pattern.value;
      } catch (e) {
        errors[pattern.path] = `is not a valid regular expression: ${(e as Error).message}`;
      }
    }
  }
  if (type === "select") {
    const keys = ["select.values", "validation.values", "values", "options.values"];
    const values = r.strings(keys, "strings");
    if (values) o.values = values.value;
    if (!pick(raw, base, keys)) errors[`${base}.select.values`] = "a select field needs a non-empty list of values";
    else if (values && values.value.length === 0) errors[values.path] = "a select field needs a non-empty list of values";
    const maxSelect = r.number(["select.max_select", "max_select", "options.max_select"], { integer: true, min: 1 });
    const multiple = r.bool(["select.multiple", "multiple", "options.multiple"]);
    if ((maxSelect && maxSelect.value > 1) || multiple) o.multiple = true;
  }
  if (type === "reference") {
    const keys = ["relation.collection", "relation.collection_id", "collection", "options.collection"];
    const target = r.string(keys, 200);
    if (!pick(raw, base, keys)) errors[`${base}.${env.snackbase ? "collection" : "relation.collection"}`] = "a reference field needs a target collection";
    else if (target) {
      const canonical = env.resolveCollection(target.value);
      if (canonical) o.collection = canonical;
      else errors[target.path] = `collection '${target.value}' does not exist`;
    }
    if (env.snackbase && !pick(raw, base, CASCADE_KEYS)) errors[`${base}.on_delete`] = `a reference field needs on_delete (one of: ${SNACKBASE_ON_DELETE.join(", ")})`;
    o.cascadeDelete = readCascade(raw, base, errors);
    const relType = r.string(["relation.type"], 50);
    const maxSelect = r.number(["relation.max_select", "max_select", "options.max_select"], { integer: true, min: 1 });
    const multiple = r.bool(["relation.multiple", "multiple", "options.multiple"]);
    r.number(["relation.max_depth"], { integer: true, min: 0 });
    const depth = pick(raw, base, ["relation.max_depth"]);
    if (depth && typeof depth.value === "number" && depth.value > 5) errors[depth.path] = "must be at most 5";
    if (multiple || (maxSelect && maxSelect.value > 1) || relType?.value === "many-to-many") o.multiple = true;
  }
  if (type === "file") {
    const maxFiles = r.number(["file.max_files", "max_files", "options.max_files"], { integer: true, min: 1 });
    const maxSize = r.number(["file.max_size", "max_size", "options.max_size"], { integer: true, min: 1 });
    const mimeTypes = r.strings(["file.mime_types", "mime_types", "options.mime_types"], "MIME types");
    if (maxFiles) o.maxFiles = maxFiles.value;
    if (maxSize) o.maxSize = maxSize.value;
    if (mimeTypes) o.mimeTypes = mimeTypes.value;
  }
  return o;
}

/** Where a reference's delete behaviour may be given. */
const CASCADE_KEYS = ["relation.cascade_delete", "on_delete", "options.on_delete", "options.cascade_delete"];
/** The `on_delete` values SnackBase documents (Cairn also accepts `no_action`). */
const SNACKBASE_ON_DELETE = ["cascade", "set_null", "restrict"] as const;

function readCascade(raw: Raw, base: string, errors: Errors): FieldOptions["cascadeDelete"] {
  const p = pick(raw, base, CASCADE_KEYS);
  if (!p) return "set_null";
  if (p.value === true) return "cascade";
  if (p.value === false) return "set_null";
  const v = typeof p.value === "string" ? p.value.toLowerCase() : p.value;
  if ((CASCADE_VALUES as readonly unknown[]).includes(v)) return v as FieldOptions["cascadeDelete"];
  errors[p.path] = `must be one of: ${CASCADE_VALUES.join(", ")}`;
  return undefined;
}

/**
 * Normalises one field body. Returns undefined when the field is too broken to use (no valid
 * name or type); other problems are recorded in `errors` and a best-effort def is returned so
 * later checks (duplicates) still run.
 */
export function normalizeField(raw: unknown, base: string, env: FieldEnv, errors: Errors): NormalizedField | undefined {
  if (!isObject(raw)) {
    errors[base] = "must be an object";
    return undefined;
  }
  checkObjects(raw, base, errors);
  const r = new Reader(raw, base, errors);
  const nameError = fieldNameError(raw.name, env.dialect);
  if (nameError) errors[`${base}.name`] = nameError;
  const type = parseFieldType(raw.type);
  if (!type) {
    errors[`${base}.type`] =
      raw.type === undefined || raw.type === null ? "is required" : `unknown field type '${String(raw.type)}'; valid types: ${FIELD_TYPES.join(", ")} (aliases: boolean, relation, richText)`;
  }
  if (nameError || !type) return undefined;

  const options = readOptions(type, r, raw, base, env, errors);
  const required = r.bool(["validation.required", "required", "options.required"]) ?? false;
  const unique = r.bool(["validation.unique", "unique", "options.unique"]) ?? false;
  // single references are indexed unless a field opts out (`index: false`): reference lookups and reverse connections need it
  const index = r.bool(["index", "validation.index", "options.index"]) ?? (type === "reference" && !options.multiple);
  if (unique && storageKind({ type, options }) === "json") errors[`${base}.unique`] = `unique is not supported for ${options.multiple ? "multiple " : ""}${type} fields`;
  const label = r.string(["label"], 200);
  const hint = r.string(["hint"], 1000);
  const hidden = r.bool(["hidden"]) ?? false;

  const def: Omit<FieldDef, "id"> = { name: raw.name as string, type, required, unique, index: index && !unique, options };
  if (label) def.label = label.value;
  if (hint) def.hint = hint.value;
  if (hidden) def.hidden = true;

  const dflt = pick(raw, base, ["default", "validation.default", "options.default"]);
  if (dflt) {
    const err = checkFieldValue({ ...def, id: "" }, dflt.value);
    if (err) errors[dflt.path] = `default value ${err}`;
    else def.default = dflt.value;
  }

  const out: NormalizedField = { def };
  if (raw.id !== undefined && raw.id !== null) {
    if (typeof raw.id === "string" && FIELD_ID_RE.test(raw.id)) out.inputId = raw.id;
    else errors[`${base}.id`] = "must be a field id (letters, digits or '-', at most 20)";
  }
  const prev = pick(raw, base, ["previous_name", "previousName", "old_name"]);
  if (prev) {
    if (typeof prev.value === "string") out.previousName = prev.value;
    else errors[prev.path] = "must be a string";
  }
  return out;
}
