/**
 * Turns a request's `data` object into the full, checked field values of a record:
 * unknown keys → 400 naming them; every failing field → one 422 naming each.
 * Modes: create (absent fields take their default or null), patch (merge over the current
 * record; `field+`/`field-` increment numbers), replace (absent fields become null), reset
 * (a replacement in which absent fields take their default or null, SnackBase's PUT).
 */
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { normalizeFieldValue } from "../collections/check-value.ts";
import { emptyToNull, type FieldProblems, type RecordData } from "./values.ts";
import { dict } from "../../lib/own.ts";
import { fieldAliases } from "../collections/renames.ts";

export type InputMode = "create" | "patch" | "replace" | "reset";

export interface PreparedInput {
  /** every field of the collection → its API value after the change */
  values: Record<string, unknown>;
  /** names of the fields the input touched */
  touched: string[];
}

const fieldIndex = new WeakMap<CollectionDef, Map<string, FieldDef>>();
/** Field lookup by exact name, cached per definition. */
export function fieldsByName(def: CollectionDef): Map<string, FieldDef> {
  let m = fieldIndex.get(def);
  if (!m) fieldIndex.set(def, (m = new Map(def.fields.map((f) => [f.name, f]))));
  return m;
}

/** The field an old name stands for while its rename's grace period runs (collections/renames.ts). */
function renamedField(def: CollectionDef, key: string): FieldDef | undefined {
  if (!def.options.renamed) return undefined;
  const to = fieldAliases(def).get(key);
  return to === undefined ? undefined : fieldsByName(def).get(to);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
}

/** Checks `data` for the mode and returns the resulting values; throws 400/422 (see module doc). */
export function prepareInput(def: CollectionDef, data: unknown, mode: InputMode, current?: RecordData): PreparedInput {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ValidationError("data must be an object", { data: "Must be an object" });
  const entries = Object.entries(data as Record<string, unknown>);
  if (entries.length === 0 && mode !== "replace" && mode !== "reset") throw new ValidationError("data must not be empty", { data: "Must contain at least one field" });
  const byName = fieldsByName(def);
  const unknown: string[] = [];
  const problems: FieldProblems = dict();
  const values: Record<string, unknown> = {};
  const touched: string[] = [];
  for (const f of def.fields) {
    if (mode === "patch" && current) values[f.name] = current[f.name] ?? null;
    else if ((mode === "create" || mode === "reset") && f.default !== undefined) values[f.name] = f.default;
    else values[f.name] = null;
  }
  for (const [key, raw] of entries) {
    const inc = /^(.+)([+-])$/.exec(key);
    if (inc && !byName.has(key)) {
      const f = byName.get(inc[1]!);
      if (!f) {
        unknown.push(key);
        continue;
      }
      if (mode !== "patch") problems[key] = "Increments are only allowed when updating";
      else if (f.type !== "number") problems[key] = "Only number fields can be incremented";
      else if (typeof raw !== "number" || !Number.isFinite(raw)) problems[key] = "Increment must be a number";
      else {
        const base = typeof values[f.name] === "number" ? (values[f.name] as number) : 0;
        values[f.name] = inc[2] === "+" ? base + raw : base - raw;
        touched.push(f.name);
      }
      continue;
    }
    // an old name of a renamed field stands for the field while the grace period runs
    const f = byName.get(key) ?? renamedField(def, key);
    if (!f) {
      unknown.push(key);
      continue;
    }
    const name = f.name;
    touched.push(name);
    const v = emptyToNull(f, raw);
    if (v === null || v === undefined) {
      values[name] = null;
      continue;
    }
    const r = normalizeFieldValue(f, v);
    if ("problem" in r) problems[key] = r.problem;
    else values[name] = r.value;
  }
  if (unknown.length) {
    throw new BadRequestError(`Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")} for collection '${def.name}'`, {
      unknown_fields: unknown,
    });
  }
  // Re-check incremented numbers against min/max/integer.
  for (const name of touched) {
    const f = byName.get(name)!;
    if (f.type === "number" && !problems[name] && values[name] !== null) {
      const r = normalizeFieldValue(f, values[name]);
      if ("problem" in r) problems[name] = r.problem;
    }
  }
  for (const f of def.fields) if (f.required && !problems[f.name] && isEmpty(values[f.name])) problems[f.name] = "This field is required";
  if (Object.keys(problems).length) {
    const names = Object.keys(problems);
    throw new ValidationError(`Validation failed for field${names.length > 1 ? "s" : ""} ${names.map((n) => `'${n}'`).join(", ")}`, problems);
  }
  return { values, touched };
}
