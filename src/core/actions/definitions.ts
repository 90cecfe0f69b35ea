/**
 * Declared actions and UI effects: data in a collection's options, never code.
 *
 *   options.actions.<name> = {
 *     label, confirm?,                    what a client shows (the wizard's title and confirmation)
 *     rule?,                              a rule (filter language, `@request.*`) every record must pass
 *     inputs?: { <input>: JSON Schema },  the wizard's inputs (defaults applied), `required?: [...]`
 *     effects: [ { set: { <field>: Value } } | { create: { collection, values: { <field>: Value } } } ]
 *   }
 *   options.ui_effects.<trigger field> = { <field>: Value }
 *
 * A Value is a JSON literal, `{input: "name"}`, `{field: "name"}` (of the record),
 * `{from: "name"}` (UI effects: of the record the trigger field references) or
 * `{expr: "total * (1 - input.discount / 100)"}` (lib/value-expression.ts over `input.*`,
 * `record.*` and bare field names). Definitions are checked when first used and cached per
 * collection definition; a malformed one is a 400 naming the collection and the problem.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { compileValue, ValueExpressionError, type Compiled } from "../../lib/value-expression.ts";
import type { CollectionDef } from "../collections/types.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";

export type ValueSource =
  { kind: "const"; value: unknown } | { kind: "input"; name: string } | { kind: "field"; name: string } | { kind: "from"; name: string } | { kind: "expr"; source: string; run: Compiled };

export type Effect = { kind: "set"; values: Map<string, ValueSource> } | { kind: "create"; collection: string; values: Map<string, ValueSource> };

export interface ActionDef {
  name: string;
  label: string;
  confirm: string | null;
  rule: string | null;
  /** the input schema as declared (JSON Schema object) */
  inputSchema: Record<string, unknown>;
  validate: ValidateFunction;
  effects: Effect[];
}

export interface Declarations {
  actions: Map<string, ActionDef>;
  /** trigger field → computed fields */
  uiEffects: Map<string, Map<string, ValueSource>>;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, coerceTypes: false });
const cache = new WeakMap<CollectionDef, Declarations>();
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function invalid(def: CollectionDef, where: string, problem: string): BadRequestError {
  return new BadRequestError(`Collection '${def.name}' declares an invalid ${where}: ${problem}`, { [where]: problem });
}

function valueSource(def: CollectionDef, where: string, raw: unknown, allowFrom: boolean): ValueSource {
  if (!isObject(raw)) return { kind: "const", value: raw };
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw invalid(def, where, "a value is a literal or one of {input}, {field}, {from}, {expr}");
  const [k] = keys as [string];
  const v = raw[k];
  if (typeof v !== "string") throw invalid(def, where, `'${k}' takes a string`);
  if (k === "input" || k === "field") return { kind: k, name: v };
  if (k === "from" && allowFrom) return { kind: "from", name: v };
  if (k === "expr") {
    try {
      return { kind: "expr", source: v, run: compileValue(v) };
    } catch (e) {
      if (e instanceof ValueExpressionError) throw invalid(def, where, `expression ${JSON.stringify(v)}: ${e.message}`);
      throw e;
    }
  }
  throw invalid(def, where, `unknown value kind '${k}'`);
}

function valueMap(def: CollectionDef, where: string, raw: unknown, target: CollectionDef | undefined, allowFrom: boolean): Map<string, ValueSource> {
  if (!isObject(raw)) throw invalid(def, where, "must be an object of field → value");
  const out = new Map<string, ValueSource>();
  for (const [field, v] of Object.entries(raw)) {
    if (target && !target.fields.some((f) => f.name === field)) throw invalid(def, where, `unknown field '${field}' of '${target.name}'`);
    out.set(field, valueSource(def, `${where}.${field}`, v, allowFrom));
  }
  return out;
}

function parseAction(def: CollectionDef, name: string, raw: unknown, lookup: (c: string) => CollectionDef | undefined): ActionDef {
  const where = `actions.${name}`;
  if (!isObject(raw)) throw invalid(def, where, "must be an object");
  const label = typeof raw.label === "string" ? raw.label : name;
  const inputs = raw.inputs ?? {};
  if (!isObject(inputs)) throw invalid(def, `${where}.inputs`, "must be an object of input → JSON Schema");
  const required = raw.required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === "string")) throw invalid(def, `${where}.required`, "must be a list of input names");
  const inputSchema = { type: "object", properties: inputs, required, additionalProperties: false };
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(inputSchema);
  } catch (e) {
    throw invalid(def, `${where}.inputs`, (e as Error).message);
  }
  if (!Array.isArray(raw.effects) || raw.effects.length === 0) throw invalid(def, `${where}.effects`, "must be a non-empty list");
  const effects = raw.effects.map((e: unknown, i: number): Effect => {
    const at = `${where}.effects[${i}]`;
    if (isObject(e) && Object.keys(e).length === 1 && "set" in e) return { kind: "set", values: valueMap(def, `${at}.set`, e.set, def, false) };
    if (isObject(e) && Object.keys(e).length === 1 && isObject(e.create) && typeof e.create.collection === "string") {
      const target = lookup(e.create.collection);
      if (!target) throw invalid(def, `${at}.create`, `unknown collection '${e.create.collection}'`);
      return { kind: "create", collection: target.name, values: valueMap(def, `${at}.create.values`, e.create.values, target, false) };
    }
    throw invalid(def, at, "an effect is {set: {...}} or {create: {collection, values}}");
  });
  return { name, label, confirm: typeof raw.confirm === "string" ? raw.confirm : null, rule: typeof raw.rule === "string" ? raw.rule : null, inputSchema, validate, effects };
}

/**
 * The declarations of `def` (see the module comment), parsed once per definition.
 * @throws BadRequestError naming the collection and the malformed part.
 */
export function declarations(def: CollectionDef, lookup: (collection: string) => CollectionDef | undefined): Declarations {
  const hit = cache.get(def);
  if (hit) return hit;
  const actions = new Map<string, ActionDef>();
  const rawActions = def.options.actions ?? {};
  if (!isObject(rawActions)) throw invalid(def, "actions", "must be an object of name → action");
  for (const [name, raw] of Object.entries(rawActions)) actions.set(name, parseAction(def, name, raw, lookup));
  const uiEffects = new Map<string, Map<string, ValueSource>>();
  const rawUi = def.options.ui_effects ?? {};
  if (!isObject(rawUi)) throw invalid(def, "ui_effects", "must be an object of trigger field → values");
  for (const [trigger, raw] of Object.entries(rawUi)) {
    if (!def.fields.some((f) => f.name === trigger)) throw invalid(def, `ui_effects.${trigger}`, `unknown trigger field '${trigger}'`);
    uiEffects.set(trigger, valueMap(def, `ui_effects.${trigger}`, raw, def, true));
  }
  const out = { actions, uiEffects };
  cache.set(def, out);
  return out;
}

/**
 * The declared action `name` of `def`.
 * @throws NotFoundError (404) for an action the collection does not declare; BadRequestError for
 *   malformed declarations.
 */
export function requireAction(def: CollectionDef, name: string, lookup: (collection: string) => CollectionDef | undefined): ActionDef {
  const action = declarations(def, lookup).actions.get(name);
  if (!action) throw new NotFoundError(`Action '${name}' not found on '${def.name}'`);
  return action;
}

/**
 * Checks the declarations of every collection in `defs` (the catalogue a collection change
 * would produce): registered with `CollectionRegistry.addNameCheck`, so a malformed action or UI
 * effect is refused when the collection is saved, not when it is first run.
 * @throws BadRequestError (400) naming the collection and the malformed part.
 */
export function checkDeclarations(defs: readonly CollectionDef[]): void {
  const byName = new Map(defs.map((d) => [d.name.toLowerCase(), d]));
  for (const def of defs) if (def.options.actions !== undefined || def.options.ui_effects !== undefined) declarations(def, (c) => byName.get(c.toLowerCase()));
}
