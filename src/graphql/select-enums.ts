/**
 * `select` fields as GraphQL enums (one per collection field, e.g. `PostStatus`), used by the
 * record type, the create/update inputs and the `where` filters alike. A multiple select is a
 * list of its enum.
 *
 * Names are deterministic, so a client's generated types stay stable across rebuilds and role
 * views (they are computed from the whole collection set, never from a role's part of it):
 * - the type is `<Type><Field>` (`posts.status` → `PostStatus`); when that name is taken (by a
 *   system type, a collection's generated type or an earlier enum) `Enum` is appended, then a
 *   number (`PostStatusEnum`, `PostStatusEnum2`);
 * - a value becomes UPPER_SNAKE_CASE (`in-progress` → `IN_PROGRESS`, `inReview` → `IN_REVIEW`,
 *   `2fa` → `_2FA`); two values mapping to one name keep the first (in declared order) and
 *   number the later ones (`IN_PROGRESS_2`).
 * The stored value stays the declared string: the enum maps names to values both ways.
 */
import { GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLBoolean, type GraphQLEnumValueConfigMap } from "graphql";
import type { CollectionDef, FieldDef } from "../core/collections/types.ts";
import { collectionNames } from "./names.ts";

/** The enum of one select field and its filters. */
export interface SelectEnum {
  type: GraphQLEnumType;
  /** `{eq ne in notIn isNull}` for a single select */
  filter: GraphQLInputObjectType;
  /** `{has hasSome isNull}` for a multiple select */
  listFilter: GraphQLInputObjectType;
}

/** Select enums by collection name (lower case), then field name. */
export type SelectEnums = ReadonlyMap<string, ReadonlyMap<string, SelectEnum>>;

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * The GraphQL enum value name of a select value.
 * @example enumValueName("in-progress") // "IN_PROGRESS"
 */
export function enumValueName(value: string): string {
  const snake = value
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^0-9A-Za-z]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
  if (snake === "") return "_";
  return /^[0-9]/.test(snake) ? `_${snake}` : snake;
}

/** Enum value names for `values` in order, collisions numbered (see module comment). */
export function enumValueNames(values: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const v of values) {
    if (out.has(v)) continue;
    const base = enumValueName(v);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    out.set(v, name);
  }
  return out;
}

const pascal = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/[^0-9A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/** True for a select field that becomes an enum (one with declared values). */
export function isEnumSelect(f: FieldDef): boolean {
  return f.type === "select" && (f.options.values?.length ?? 0) > 0;
}

/**
 * The enums of every select field of `defs`. `taken` holds every other type name of the schema
 * (system types and the collections' generated names); the enum names are added to it.
 */
export function selectEnums(defs: readonly CollectionDef[], taken: Set<string>): SelectEnums {
  const byCollection = new Map<string, Map<string, SelectEnum>>();
  const claim = (base: string) => {
    const free = (n: string) => GRAPHQL_NAME.test(n) && !taken.has(n) && !taken.has(`${n}Filter`) && !taken.has(`${n}ListFilter`);
    let name = free(base) ? base : `${base}Enum`;
    for (let i = 2; !free(name); i++) name = `${base}Enum${i}`;
    taken.add(name).add(`${name}Filter`).add(`${name}ListFilter`);
    return name;
  };
  for (const def of defs) {
    const fields = new Map<string, SelectEnum>();
    for (const f of def.fields) {
      if (!isEnumSelect(f)) continue;
      const name = claim(`${collectionNames(def.name).type}${pascal(f.name)}`);
      const values: GraphQLEnumValueConfigMap = {};
      for (const [value, valueName] of enumValueNames(f.options.values!)) values[valueName] = { value, description: valueName === value ? undefined : `stored as "${value}"` };
      const type = new GraphQLEnumType({ name, description: `Values of ${def.name}.${f.name}`, values });
      const list = new GraphQLList(new GraphQLNonNull(type));
      const filter = new GraphQLInputObjectType({
        name: `${name}Filter`,
        fields: { eq: { type }, ne: { type }, in: { type: list }, notIn: { type: list }, isNull: { type: GraphQLBoolean } },
      });
      const listFilter = new GraphQLInputObjectType({
        name: `${name}ListFilter`,
        fields: {
          has: { type, description: "at least one element equals this" },
          hasSome: { type: list, description: "at least one element is one of these" },
          isNull: { type: GraphQLBoolean },
        },
      });
      fields.set(f.name, { type, filter, listFilter });
    }
    if (fields.size) byCollection.set(def.name.toLowerCase(), fields);
  }
  return byCollection;
}
