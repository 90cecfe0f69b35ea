/**
 * Schema change planning: old definition → new definition, matched by field id. Pure; the
 * per-dialect executors (migrate-sqlite.ts, migrate-postgres.ts) run the plan.
 */
import { ValidationError } from "../errors.ts";
import { conversionFor, type ConversionKind } from "./conversions.ts";
import { derivedObjects, type DdlOptions, type Dialect } from "./ddl.ts";
import { storageKind, type CollectionDef, type FieldDef } from "./types.ts";

export interface KeptField {
  from: FieldDef;
  to: FieldDef;
  /** position in the new field list (`schema[i]`) */
  index: number;
  /** "none" when the column keeps its storage (rename and/or metadata only) */
  conversion: ConversionKind | "none";
}

export interface SchemaPlan {
  old: CollectionDef;
  next: CollectionDef;
  renameTable: boolean;
  added: FieldDef[];
  dropped: FieldDef[];
  kept: KeptField[];
  /** kept fields whose column is renamed */
  renamed: KeptField[];
  /** kept fields whose data is converted to another storage kind */
  converted: KeptField[];
  /** fields whose values must be unique and were not guaranteed to be before */
  newlyUnique: { field: FieldDef; index: number }[];
  /** fields that become required (added as required, or turned required): existing rows must hold a value */
  newlyRequired: { field: FieldDef; index: number }[];
  /**
   * Derived objects (indexes, search) to drop before the column changes and create after them.
   * `all`: drop everything found on the table and recreate everything (table renamed, or
   * rebuilt on SQLite); otherwise only the objects whose definition or columns change.
   */
  derived: { all: boolean; drop: string[]; create: string[] };
  /** columns, indexes or search objects change: DDL is needed */
  structural: boolean;
}

/**
 * Compares two definitions of the same collection.
 * @throws ValidationError (422) naming `schema[i].type` for a type change that cannot convert data.
 */
export function planSchemaChange(dialect: Dialect, old: CollectionDef, next: CollectionDef, opts: DdlOptions = {}): SchemaPlan {
  const oldById = new Map(old.fields.map((f) => [f.id, f]));
  const nextIds = new Set(next.fields.map((f) => f.id));
  const errors: Record<string, string> = {};
  const added: FieldDef[] = [];
  const kept: KeptField[] = [];
  const newlyUnique: SchemaPlan["newlyUnique"] = [];
  const newlyRequired: SchemaPlan["newlyRequired"] = [];
  next.fields.forEach((to, index) => {
    const from = oldById.get(to.id);
    if (to.required && !from?.required) newlyRequired.push({ field: to, index });
    if (!from) {
      added.push(to);
      return;
    }
    const conversion = old.type === "view" ? "none" : conversionFor(from, to);
    if (conversion === null) {
      errors[`schema[${index}].type`] = `cannot change field '${to.name}' from ${describe(from)} to ${describe(to)}`;
      return;
    }
    kept.push({ from, to, index, conversion });
    if (to.unique && (!from.unique || conversion !== "none")) newlyUnique.push({ field: to, index });
  });
  if (Object.keys(errors).length) {
    const [first] = Object.values(errors);
    throw new ValidationError(first!, errors);
  }
  const dropped = old.fields.filter((f) => !nextIds.has(f.id));
  const renamed = kept.filter((k) => k.from.name !== k.to.name);
  const converted = kept.filter((k) => k.conversion !== "none");
  const renameTable = old.name !== next.name;
  const derived = planDerived(dialect, old, next, renameTable || (dialect === "sqlite" && converted.length > 0), [...dropped, ...converted.map((k) => k.to)], opts);
  const columnsChange = renameTable || added.length > 0 || dropped.length > 0 || renamed.length > 0 || converted.length > 0;
  const structural = old.type !== "view" && (columnsChange || derived.drop.length > 0 || derived.create.length > 0);
  return { old, next, renameTable, added, dropped, kept, renamed, converted, newlyUnique, newlyRequired, derived, structural };
}

/** Which derived objects must go and come back: those whose definition or input columns change. */
function planDerived(dialect: Dialect, old: CollectionDef, next: CollectionDef, all: boolean, changed: FieldDef[], opts: DdlOptions): SchemaPlan["derived"] {
  const after = derivedObjects(dialect, next, next.name, opts);
  if (all) return { all, drop: [], create: after.flatMap((o) => o.create) };
  const changedIds = new Set(changed.map((f) => f.id));
  const before = new Map(derivedObjects(dialect, old, old.name, opts).map((o) => [o.key, o]));
  const kept = new Set<string>();
  for (const o of after) {
    const prev = before.get(o.key);
    if (prev && prev.identity === o.identity && !prev.deps.some((id) => changedIds.has(id))) kept.add(o.key);
  }
  return {
    all,
    drop: [...before.values()].filter((o) => !kept.has(o.key)).flatMap((o) => o.drop),
    create: after.filter((o) => !kept.has(o.key)).flatMap((o) => o.create),
  };
}

function describe(f: FieldDef): string {
  const multi = (f.type === "select" || f.type === "reference") && f.options.multiple ? "multiple " : "";
  return `${multi}${f.type} (${storageKind(f)})`;
}
