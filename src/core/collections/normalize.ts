/**
 * Create/update bodies (FastCMS and SnackBase spellings) → a validated collection definition.
 * Every problem is collected and thrown as one ValidationError (422) whose `fields` map names
 * each failing path (`name`, `schema[2].validation.min`, …).
 */
import { randomBytes } from "node:crypto";
import { ValidationError } from "../errors.ts";
import { NAME_RE, PG_MAX_IDENTIFIER, normalizeField, type NormalizedField } from "./normalize-field.ts";
import type { CollectionDef, FieldDef } from "./types.ts";
import { ruleProblem } from "../rules/validate-rule.ts";
import { withWorkflowFields } from "../content/options.ts";

export const RESERVED_COLLECTION_NAMES: ReadonlySet<string> = new Set(["collections", "users", "system"]);
export const COLLECTION_TYPES = ["base", "auth", "view"] as const;
export const RULE_KEYS = [
  ["list_rule", "listRule"],
  ["view_rule", "viewRule"],
  ["create_rule", "createRule"],
  ["update_rule", "updateRule"],
  ["delete_rule", "deleteRule"],
] as const;
export const MAX_FIELDS = 300;
const MAX_RULE_LENGTH = 4000;
const MAX_OPTIONS_JSON = 64 * 1024;

/** The user-controlled part of a definition (what create/update bodies can set). */
export type NormalizedCollection = Omit<CollectionDef, "id" | "system" | "created" | "updated">;

export interface NormalizeEnv {
  dialect: "sqlite" | "postgres";
  /** every existing collection (reference targets are resolved against these) */
  collections: readonly { id: string; name: string }[];
  /** the definition being updated; absent on create */
  current?: CollectionDef;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** A short random field id: 10 characters of [a-z0-9]. */
export function newFieldId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Field keys only SnackBase definitions use at a field's top level (compat/snackbase.md §4). */
const SNACKBASE_FIELD_KEYS: readonly string[] = ["required", "unique", "default", "collection", "on_delete", "pii", "mask_type"];
/** Field keys only FastCMS definitions use (compat/fastcms.md §2 FieldSchema). */
const FASTCMS_FIELD_KEYS: readonly string[] = ["validation", "relation", "select", "file", "geopoint", "label", "hint", "hidden", "system"];
/** Top-level keys only FastCMS definitions have (compat/fastcms.md §2). */
const FASTCMS_KEYS: readonly string[] = ["type", "options", "view_query", "fields", ...RULE_KEYS.map(([k]) => k)];
/** SnackBase's collection name length (compat/snackbase.md §4); FastCMS allows 1–100. */
export const SNACKBASE_NAME_LENGTH = { min: 3, max: 64 } as const;

/**
 * True for a SnackBase-shaped definition (DESIGN: "the dialect is decided by the request's
 * shape"): a `schema` whose fields use SnackBase's own spellings (flat `required`, `unique`,
 * `default`, `collection`, `on_delete`, `pii`, `mask_type`, or the types `boolean` and
 * `reference`) and no FastCMS spelling (a FastCMS-only top-level or field key, e.g. `type`,
 * `options`, `list_rule`, `validation`, `relation`). A body both dialects could have sent, or
 * one mixing both spellings, follows FastCMS's rules.
 */
export function isSnackbaseDefinition(input: Raw): boolean {
  if (FASTCMS_KEYS.some((k) => Object.hasOwn(input, k))) return false;
  const list = input.schema;
  if (!Array.isArray(list)) return false;
  const fields = list.filter(isObject);
  if (fields.some((f) => FASTCMS_FIELD_KEYS.some((k) => Object.hasOwn(f, k)))) return false;
  return fields.some((f) => SNACKBASE_FIELD_KEYS.some((k) => Object.hasOwn(f, k)) || (typeof f.type === "string" && ["boolean", "reference"].includes(f.type.trim().toLowerCase())));
}

/** Why a collection name is unusable, or null. */
export function collectionNameError(name: unknown, dialect: NormalizeEnv["dialect"]): string | null {
  if (name === undefined || name === null || name === "") return "is required";
  if (typeof name !== "string") return "must be a string";
  if (name.length > 100) return "must be at most 100 characters";
  if (dialect === "postgres" && name.length > PG_MAX_IDENTIFIER) return `must be at most ${PG_MAX_IDENTIFIER} characters on PostgreSQL`;
  if (name.startsWith("_")) return "names starting with '_' are reserved for system tables";
  if (!NAME_RE.test(name)) return "must start with a letter and contain only letters, digits and underscores";
  const lower = name.toLowerCase();
  if (RESERVED_COLLECTION_NAMES.has(lower) || lower.startsWith("sqlite_") || lower.startsWith("pg_")) return `'${name}' is a reserved collection name`;
  return null;
}

function readRule(raw: Raw, key: string, errors: Record<string, string>): string | null | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== "string") return void (errors[key] = "must be a string or null");
  if (v.length > MAX_RULE_LENGTH) return void (errors[key] = `must be at most ${MAX_RULE_LENGTH} characters`);
  return v;
}

function readViewQuery(v: unknown, errors: Record<string, string>): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === "") return null;
  if (typeof v !== "string") return void (errors.view_query = "must be a string");
  const q = v.trim().replace(/;\s*$/, "");
  if (!/^(select|with)\b/i.test(q)) return void (errors.view_query = "must be a SELECT statement");
  if (q.includes(";")) return void (errors.view_query = "must be a single statement");
  if (q.length > 20_000) return void (errors.view_query = "is too long");
  return q;
}

/**
 * Matches normalised fields with the previous definition's fields — by `id`, then by
 * `previous_name`, then by the same name — so a field keeps its id (and its column data)
 * across renames. Unmatched fields get a fresh id (or their own valid, unused input id).
 */
function assignIds(items: { n: NormalizedField; path: string }[], previous: readonly FieldDef[], errors: Record<string, string>): FieldDef[] {
  const ids: (string | undefined)[] = items.map(() => undefined);
  const claimed = new Set<string>();
  const claim = (i: number, id: string) => {
    ids[i] = id;
    claimed.add(id);
  };
  const byId = new Map(previous.map((f) => [f.id, f]));
  const byName = new Map(previous.map((f) => [f.name.toLowerCase(), f]));
  items.forEach(({ n, path }, i) => {
    if (!n.inputId) return;
    if (claimed.has(n.inputId)) errors[`${path}.id`] = `duplicate field id '${n.inputId}'`;
    else if (byId.has(n.inputId)) claim(i, n.inputId);
  });
  items.forEach(({ n, path }, i) => {
    if (ids[i] || !n.previousName) return;
    const prev = byName.get(n.previousName.toLowerCase());
    if (!prev) errors[`${path}.previous_name`] = `no field named '${n.previousName}'`;
    else if (claimed.has(prev.id)) errors[`${path}.previous_name`] = `field '${n.previousName}' is already matched by another field`;
    else claim(i, prev.id);
  });
  items.forEach(({ n }, i) => {
    if (ids[i] || n.inputId) return;
    const prev = byName.get(n.def.name.toLowerCase());
    if (prev && !claimed.has(prev.id)) claim(i, prev.id);
  });
  return items.map(({ n }, i) => {
    let id = ids[i];
    if (!id) {
      id = n.inputId && !claimed.has(n.inputId) && !byId.has(n.inputId) ? n.inputId : newFieldId();
      while (claimed.has(id)) id = newFieldId();
      claim(i, id);
    }
    return { id, ...n.def };
  });
}

/**
 * Validates a create body (no `current`) or an update body (`current` set; absent keys keep
 * their value, `schema` replaces the field list) and returns the resulting definition.
 * @throws ValidationError (422) listing every problem by path.
 */
export function normalizeCollectionInput(input: unknown, env: NormalizeEnv): NormalizedCollection {
  const errors: Record<string, string> = {};
  if (!isObject(input)) throw new ValidationError("Request body must be a JSON object", { body: "must be an object" });
  const current = env.current;

  let name = current?.name ?? "";
  if (!current || input.name !== undefined) {
    const err = collectionNameError(input.name, env.dialect);
    const { min, max } = SNACKBASE_NAME_LENGTH;
    if (err) errors.name = err;
    else if (isSnackbaseDefinition(input) && ((input.name as string).length < min || (input.name as string).length > max)) errors.name = `must be ${min}–${max} characters long`;
    else name = input.name as string;
  }

  let type: CollectionDef["type"] = current?.type ?? "base";
  if (input.type !== undefined && input.type !== null) {
    if (!(COLLECTION_TYPES as readonly unknown[]).includes(input.type)) errors.type = `must be one of: ${COLLECTION_TYPES.join(", ")}`;
    else if (current && input.type !== current.type) errors.type = `cannot change the type of a collection (is '${current.type}')`;
    else type = input.type as CollectionDef["type"];
  }

  let options = current?.options ?? {};
  if (input.options !== undefined && input.options !== null) {
    if (!isObject(input.options)) errors.options = "must be an object";
    else if (JSON.stringify(input.options).length > MAX_OPTIONS_JSON) errors.options = "is too large";
    else options = input.options;
  }

  const rules = {} as Pick<CollectionDef, (typeof RULE_KEYS)[number][1]>;
  for (const [key, prop] of RULE_KEYS) {
    const v = readRule(input, key, errors);
    rules[prop] = v === undefined ? (current?.[prop] ?? null) : v;
  }

  const vq = readViewQuery(input.view_query, errors);
  const viewQuery = vq === undefined ? (current?.viewQuery ?? null) : vq;
  if (!errors.view_query && !errors.type) {
    if (type === "view" && !viewQuery) errors.view_query = "is required for view collections";
    if (type !== "view" && viewQuery) errors.view_query = "is only allowed for view collections";
  }

  const listKey = input.schema !== undefined ? "schema" : input.fields !== undefined ? "fields" : undefined;
  let fields: FieldDef[] = current?.fields ?? [];
  if (listKey) fields = normalizeFields(input[listKey], listKey, name, env, errors, isSnackbaseDefinition(input));
  if (current && name && name.toLowerCase() !== current.name.toLowerCase() && !listKey) {
    fields = fields.map((f) => (f.options.collection?.toLowerCase() === current.name.toLowerCase() ? { ...f, options: { ...f.options, collection: name } } : f));
  }

  // The content workflow's fields (status, slug, …) follow the options (content/options.ts).
  if (type !== "view" && !errors.options) fields = withWorkflowFields(fields, options, errors);

  // Rules are checked against the resulting fields when they are set or the fields change.
  for (const [key, prop] of RULE_KEYS) {
    if (errors[key] || (listKey && errors[listKey]) || (input[key] === undefined && !listKey && current)) continue;
    const problem = ruleProblem(rules[prop], { fields });
    if (problem) errors[key] = `is not a valid rule: ${problem}`;
  }

  if (Object.keys(errors).length) {
    const [first] = Object.entries(errors);
    throw new ValidationError(`Invalid collection definition: ${first![0]} ${first![1]}`, errors);
  }
  return { name, type, fields, options, ...rules, viewQuery };
}

function normalizeFields(list: unknown, listKey: string, selfName: string, env: NormalizeEnv, errors: Record<string, string>, snackbase: boolean): FieldDef[] {
  if (!Array.isArray(list)) {
    errors[listKey] = "must be a list of fields";
    return env.current?.fields ?? [];
  }
  if (list.length > MAX_FIELDS) {
    errors[listKey] = `must have at most ${MAX_FIELDS} fields`;
    return env.current?.fields ?? [];
  }
  const currentName = env.current?.name.toLowerCase();
  const resolveCollection = (nameOrId: string): string | undefined => {
    if (selfName && nameOrId.toLowerCase() === selfName.toLowerCase()) return selfName;
    const lower = nameOrId.toLowerCase();
    const hit = env.collections.find((c) => c.name.toLowerCase() === lower) ?? env.collections.find((c) => c.id === nameOrId);
    if (hit && currentName && hit.name.toLowerCase() === currentName) return selfName || hit.name;
    return hit?.name;
  };
  const items: { n: NormalizedField; path: string }[] = [];
  const seen = new Map<string, string>();
  list.forEach((raw, i) => {
    const path = `${listKey}[${i}]`;
    const n = normalizeField(raw, path, { dialect: env.dialect, resolveCollection, snackbase }, errors);
    if (!n) return;
    const lower = n.def.name.toLowerCase();
    const first = seen.get(lower);
    if (first) errors[`${path}.name`] = `duplicate field name '${n.def.name}' (also ${first})`;
    else seen.set(lower, path);
    items.push({ n, path });
  });
  return assignIds(items, env.current?.fields ?? [], errors);
}
