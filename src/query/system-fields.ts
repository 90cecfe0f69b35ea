/**
 * The one table of record system fields: the columns every collection table has besides its
 * own fields. DDL, the store, the row mapper, the filter/sort field resolver, the GraphQL types
 * and inputs and the rule aliases all read it, so adding a system column (`status`, `slug`, …)
 * is a change here only. It lives in `query/` because the field resolver reads it and `query/`
 * never imports the core; the core re-exports it from `core/records/system-fields.ts`.
 */
import type { StorageKind } from "./field-kinds.ts";

/** One system column of every collection table. */
export interface SystemField {
  /** name in records, filters, sorts and rules (also the column name) */
  readonly name: string;
  readonly column: string;
  readonly kind: StorageKind;
  /** false: the column is NOT NULL (keyset pagination can then compare row values) */
  readonly nullable: boolean;
  /** column definition after the quoted name, per dialect */
  readonly ddl: { readonly sqlite: string; readonly postgres: string };
  /** GraphQL field name on record types and in where/orderBy inputs; null: not exposed */
  readonly graphqlName: string | null;
  /** GraphQL output type of the field */
  readonly graphqlType: "ID" | "DateTime" | "Int";
  /** description on the GraphQL record types */
  readonly description: string | null;
  /** usable in filters and rules (an allow-list: tenancy is never a user filter) */
  readonly filterable: boolean;
  /** usable in sort terms (FastCMS `sort`, core sorts) */
  readonly sortable: boolean;
  /** offered in GraphQL `orderBy` inputs */
  readonly graphqlSortable: boolean;
  /** clients may set it in create/update data (none may today: the core sets them all) */
  readonly writable: boolean;
  /** part of a record as the API returns it */
  readonly inRecord: boolean;
  /** other names rules and SnackBase-style filters may use for it (`created_by`) */
  readonly aliases: readonly string[];
  /**
   * How rows written before the column existed get their value when start-up adds it
   * (collections/system-columns.ts): `SET column = value WHERE where`. None: they keep null.
   */
  readonly backfill?: { readonly value: string; readonly where: string };
}

/** The system columns, in table order. */
export const SYSTEM_FIELDS: readonly SystemField[] = [
  {
    name: "id",
    column: "id",
    kind: "text",
    nullable: false,
    ddl: { sqlite: "TEXT PRIMARY KEY NOT NULL", postgres: "TEXT NOT NULL" },
    graphqlName: "id",
    graphqlType: "ID",
    description: null,
    filterable: true,
    sortable: true,
    graphqlSortable: true,
    writable: false,
    inRecord: true,
    aliases: [],
  },
  {
    name: "account_id",
    column: "account_id",
    kind: "text",
    nullable: false,
    ddl: { sqlite: "TEXT NOT NULL", postgres: "TEXT NOT NULL" },
    graphqlName: null,
    graphqlType: "ID",
    description: null,
    filterable: false,
    sortable: false,
    graphqlSortable: false,
    writable: false,
    inRecord: false,
    aliases: [],
  },
  {
    name: "owner_id",
    column: "owner_id",
    kind: "text",
    nullable: true,
    ddl: { sqlite: "TEXT", postgres: "TEXT" },
    graphqlName: "ownerId",
    graphqlType: "ID",
    description: "the user who created the record",
    filterable: true,
    sortable: true,
    graphqlSortable: false,
    writable: false,
    inRecord: true,
    aliases: ["created_by"],
  },
  {
    name: "created",
    column: "created",
    kind: "datetime",
    nullable: false,
    ddl: { sqlite: "TEXT NOT NULL", postgres: "TIMESTAMPTZ NOT NULL" },
    graphqlName: "created",
    graphqlType: "DateTime",
    description: null,
    filterable: true,
    sortable: true,
    graphqlSortable: true,
    writable: false,
    inRecord: true,
    aliases: ["created_at"],
  },
  {
    name: "updated",
    column: "updated",
    kind: "datetime",
    nullable: false,
    ddl: { sqlite: "TEXT NOT NULL", postgres: "TIMESTAMPTZ NOT NULL" },
    graphqlName: "updated",
    graphqlType: "DateTime",
    description: null,
    filterable: true,
    sortable: true,
    graphqlSortable: true,
    writable: false,
    inRecord: true,
    aliases: ["updated_at"],
  },
  {
    name: "version",
    column: "version",
    kind: "number",
    nullable: false,
    ddl: { sqlite: "INTEGER NOT NULL DEFAULT 1", postgres: "INTEGER NOT NULL DEFAULT 1" },
    graphqlName: "version",
    graphqlType: "Int",
    description: "increases on every update (pass it as expectedVersion)",
    filterable: true,
    sortable: true,
    graphqlSortable: true,
    writable: false,
    inRecord: true,
    aliases: [],
  },
  {
    // last: tables created before it existed get it appended at start-up, so the order matches
    name: "updated_by",
    column: "updated_by",
    kind: "text",
    nullable: true,
    ddl: { sqlite: "TEXT", postgres: "TEXT" },
    graphqlName: "updatedBy",
    graphqlType: "ID",
    description: "the user who last wrote the record (its creator until the first update)",
    filterable: true,
    sortable: true,
    graphqlSortable: false,
    writable: false,
    inRecord: true,
    aliases: [],
    // a record never updated was last written by its creator; a later writer is not known
    backfill: { value: '"owner_id"', where: '"version" = 1' },
  },
];

/** System fields by column name. */
export const SYSTEM_FIELD_BY_COLUMN: ReadonlyMap<string, SystemField> = new Map(SYSTEM_FIELDS.map((f) => [f.column, f]));

/** Names of the system fields in an API record, in table order. */
export const RECORD_SYSTEM_FIELD_NAMES: readonly string[] = SYSTEM_FIELDS.filter((f) => f.inRecord).map((f) => f.name);

/** Rule/filter alias (lower case) → system field name: `created_by` → `owner_id`. */
export const SYSTEM_FIELD_ALIASES: ReadonlyMap<string, string> = new Map(SYSTEM_FIELDS.flatMap((f) => f.aliases.map((a) => [a, f.name] as const)));

/** True when the column is a system column declared NOT NULL (user fields are always nullable). */
export function isNotNullColumn(column: string): boolean {
  return SYSTEM_FIELD_BY_COLUMN.get(column)?.nullable === false;
}
