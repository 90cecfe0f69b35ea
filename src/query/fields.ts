/**
 * The one place where filter/sort field names are resolved to columns: an allow-list built from
 * the collection's fields plus the user-visible system fields.
 */
import { hasCodePointIndex, isListField, storageKind, type FieldShape, type FieldType, type StorageKind } from "./field-kinds.ts";
import { activeRenames } from "./renames.ts";
import { SYSTEM_FIELD_BY_COLUMN, SYSTEM_FIELDS } from "./system-fields.ts";

/** A resolved field: its API name, table column, storage kind and whether it holds a JSON array. */
export type ColumnInfo = {
  name: string;
  column: string;
  kind: StorageKind;
  /** a JSON array of strings: tags, file, multi-select, multi-reference */
  list: boolean;
  fieldType: FieldType | "system";
  /** false: a system field that may be filtered on but not sorted by */
  sortable?: boolean;
  /** its index orders text by code point (see {@link hasCodePointIndex}): equality is compiled in that collation */
  codePointIndex?: boolean;
};

/** Maps a field name to its column, or `undefined` when the name may not be used. */
export type FieldResolver = (name: string) => ColumnInfo | undefined;

/**
 * System fields users may filter and sort on (the filterable ones of the system-field table).
 * `account_id` is not: tenancy is applied by the core, never through a user filter.
 */
const USER_SYSTEM_FIELDS: readonly ColumnInfo[] = SYSTEM_FIELDS.filter((f) => f.filterable).map((f) => ({
  name: f.name,
  column: f.column,
  kind: f.kind,
  list: false,
  fieldType: "system",
  ...(f.sortable ? {} : { sortable: false }),
}));

const cache = new WeakMap<object, FieldResolver>();

/**
 * The resolver for a collection: its user fields (column = field name) and the filterable system
 * fields (`id`, `owner_id`, `created`, `updated`, `version` today). A user field can never shadow a system
 * column (so `account_id` stays unresolvable). Cached per `def` object: definitions are treated
 * as immutable, a changed collection must come with a new object.
 * @example collectionResolver(def)("views") // { name: "views", column: "views", kind: "number", … }
 */
export function collectionResolver(def: { readonly fields: readonly (FieldShape & { name: string; index?: boolean; unique?: boolean })[]; readonly options?: Record<string, unknown> }): FieldResolver {
  const cached = cache.get(def);
  if (cached) return cached;
  const byName = new Map<string, ColumnInfo>();
  for (const f of def.fields) {
    if (SYSTEM_FIELD_BY_COLUMN.has(f.name)) continue;
    byName.set(f.name, {
      name: f.name,
      column: f.name,
      kind: storageKind(f),
      list: isListField(f),
      fieldType: f.type,
      ...(hasCodePointIndex(f) ? { codePointIndex: true } : {}),
    });
  }
  for (const s of USER_SYSTEM_FIELDS) byName.set(s.name, s);
  // an old name of a renamed field resolves to the field while the grace period runs
  const aliases = new Map<string, { info: ColumnInfo; until: number }>();
  for (const r of activeRenames(def)) {
    const info = r.kind === "field" && !byName.has(r.from) ? byName.get(r.to) : undefined;
    if (info) aliases.set(r.from, { info, until: Date.parse(r.until) });
  }
  const resolve: FieldResolver =
    aliases.size === 0
      ? (name) => byName.get(name)
      : (name) => {
          const hit = byName.get(name);
          if (hit) return hit;
          const alias = aliases.get(name);
          return alias && alias.until > Date.now() ? alias.info : undefined;
        };
  cache.set(def, resolve);
  return resolve;
}
