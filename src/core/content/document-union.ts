/**
 * Documents of several content types read with one statement: a UNION ALL of one SELECT per
 * content type over the columns every content type has (system columns, the workflow columns,
 * the type's name) plus its own fields as one JSON value, ordered, limited and counted in SQL.
 * Each branch carries that type's conditions: the caller's filter, the list/view rule (drafts
 * hidden from those who may not see them: visibility.ts), and "published only" unless drafts
 * were asked for — so any page is exact at any depth and costs one round trip.
 *
 * A filter or sort field a type does not have is null in that type's branch.
 */
import { sql, type RawBuilder } from "kysely";
import type { Dialect } from "../../config.ts";
import { and, mapOperands, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { StorageKind } from "../../query/field-kinds.ts";
import { toSql } from "../../query/to-sql.ts";
import { RECORD_SYSTEM_FIELD_NAMES } from "../../query/system-fields.ts";
import { storageKind, type CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { DEFAULT_SORT, type ColumnTerm } from "../records/list-query.ts";
import { rowMapper, type RecordData } from "../records/values.ts";
import { assertReadableQuery, redactRecord, type FieldSet } from "../rules/field-access.ts";
import { isWorkflowField } from "./options.ts";

/** One content type's part of a union read: its checked condition and what the caller may read. */
export interface UnionBranch {
  def: CollectionDef;
  /** the caller's condition for this type (unchecked; fields the type lacks become null) */
  filter?: Expr;
  /** the list/view rule with draft visibility, and "published only" unless drafts (unchecked) */
  rule: Expr;
  readable: FieldSet;
}

/** A sort term by field name (the name may be missing from some types). */
export interface UnionSortTerm {
  name: string;
  desc: boolean;
}

export interface UnionRead {
  items: { type: string; record: RecordData }[];
  /** null when not counted */
  total: number | null;
}

const TYPE_COL = "doc_type";
const DATA_COL = "doc_data";
const TOTAL_COL = "doc_total";
/** JSON object arguments per call (SQLite's and PostgreSQL's function argument limits are 127 and 100). */
const PAIRS_PER_CALL = 40;

const PG_TYPE: Record<StorageKind, string> = { text: "TEXT", number: "DOUBLE PRECISION", bool: "BOOLEAN", date: "DATE", datetime: "TIMESTAMPTZ", json: "JSONB" };

/** The user fields of a type (the workflow's own are columns of every content type). */
const ownFields = (def: CollectionDef) => def.fields.filter((f) => !isWorkflowField(f));

/** Columns every content type has: the record's system columns and the workflow columns. */
function commonColumns(def: CollectionDef): string[] {
  return [...RECORD_SYSTEM_FIELD_NAMES, ...def.fields.filter(isWorkflowField).map((f) => f.name)];
}

/** The type's own fields as one JSON object (in chunks merged, for types with many fields). */
function dataJson(def: CollectionDef, dialect: Dialect): RawBuilder<unknown> {
  const fields = ownFields(def);
  const calls: RawBuilder<unknown>[] = [];
  for (let i = 0; i < fields.length || i === 0; i += PAIRS_PER_CALL) {
    const pairs = fields.slice(i, i + PAIRS_PER_CALL).map((f) => sql`${sql.lit(f.name)}, ${sql.ref(f.name)}`);
    calls.push(dialect === "postgres" ? sql`jsonb_build_object(${sql.join(pairs)})` : sql`json_object(${sql.join(pairs)})`);
  }
  if (calls.length === 1) return calls[0]!;
  return dialect === "postgres" ? sql.join(calls, sql` || `) : calls.slice(1).reduce((acc, c) => sql`json_patch(${acc}, ${c})`, calls[0]!);
}

/** Folds fields `def` does not have to null (the resolver knows the system and the type's fields). */
function withMissingAsNull(def: CollectionDef, where: Expr): Expr {
  const resolve = collectionResolver(def);
  return mapOperands(where, (o) => (o.kind === "field" && !resolve(o.name) ? { kind: "value", value: null } : o));
}

/**
 * The sort terms per branch, and the kind of each term (the same in every type that has it).
 * @throws ValidationError 422 when a term's field has different kinds in different types.
 */
function sortPlan(branches: readonly UnionBranch[], sort: readonly UnionSortTerm[]): { kinds: StorageKind[]; terms: ColumnTerm[] } {
  const terms: ColumnTerm[] = sort.length ? sort.map((t) => ({ column: t.name, name: t.name, desc: t.desc, kind: "text" })) : [...DEFAULT_SORT];
  const kinds = terms.map((t) => {
    let kind: StorageKind | undefined;
    for (const b of branches) {
      const info = collectionResolver(b.def)(t.name);
      if (!info) continue;
      if (kind && kind !== info.kind)
        throw new ValidationError(`Invalid sort: '${t.name}' has different types in different content types; pass a type`, { sort: `'${t.name}' differs between content types` });
      kind = info.kind;
    }
    return kind ?? "text";
  });
  return { kinds, terms };
}

function branchSelect(ctx: Context, b: UnionBranch, terms: readonly ColumnTerm[], kinds: readonly StorageKind[]): RawBuilder<unknown> {
  const { dialect } = ctx.services.db;
  const resolve = collectionResolver(b.def);
  const filter = b.filter && withMissingAsNull(b.def, b.filter);
  const where = checkExpr(and(filter, b.rule), resolve);
  assertReadableQuery(ctx, b.def, b.readable, { filter, sort: terms.filter((t) => resolve(t.name)) });
  const keys = terms.map((t, i) => {
    const key = resolve(t.name) ? sql.ref(t.name) : dialect === "postgres" ? sql`CAST(NULL AS ${sql.raw(PG_TYPE[kinds[i]!])})` : sql`NULL`;
    return sql`${key} AS ${sql.ref(`doc_s${i}`)}`;
  });
  return sql`SELECT ${sql.join([
    ...commonColumns(b.def).map((c) => sql.ref(c)),
    sql`CAST(${b.def.name} AS TEXT) AS ${sql.ref(TYPE_COL)}`,
    sql`${dataJson(b.def, dialect)} AS ${sql.ref(DATA_COL)}`,
    ...keys,
  ])} FROM ${sql.table(b.def.name)} WHERE ${sql.ref("account_id")} = ${ctx.principal.accountId} AND ${toSql(where, resolve, dialect)}`;
}

/** A union row → the document of its type, as the caller may read it. */
function toDocument(ctx: Context, byName: ReadonlyMap<string, UnionBranch>, row: Record<string, unknown>): { type: string; record: RecordData } {
  const { dialect } = ctx.services.db;
  const b = byName.get(row[TYPE_COL] as string)!;
  const raw = row[DATA_COL];
  const data = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...row };
  for (const f of ownFields(b.def)) {
    let v = data[f.name];
    // timestamps inside JSON come back in the database's text form, not the driver's
    if (dialect === "postgres" && storageKind(f) === "datetime" && typeof v === "string") v = new Date(v).toISOString();
    merged[f.name] = v;
  }
  return { type: b.def.name, record: redactRecord(rowMapper(b.def, dialect)(merged), b.readable) };
}

/**
 * Reads one page of documents across `branches` in the order of `sort` (default newest first;
 * `id` breaks ties), with the total when `count`. One statement (a second, counting only, when
 * the page lies past the end).
 * @throws ValidationError 422 (a sort field of different kinds in different types), FilterError
 *   (the caller maps it: a literal a type's field cannot take), ForbiddenError 403 (a filter or
 *   sort on a field the caller may not read).
 */
export async function readUnion(ctx: Context, branches: readonly UnionBranch[], sort: readonly UnionSortTerm[], page: { limit: number; offset: number; count: boolean }): Promise<UnionRead> {
  if (branches.length === 0) return { items: [], total: page.count ? 0 : null };
  const { db } = ctx.services;
  const { kinds, terms } = sortPlan(branches, sort);
  const tie = terms[terms.length - 1]!.desc;
  const union = sql.join(
    branches.map((b) => branchSelect(ctx, b, terms, kinds)),
    sql` UNION ALL `,
  );
  const order = sql.join([
    ...terms.map((t, i) => {
      const key = kinds[i] === "text" && db.dialect === "postgres" ? sql`${sql.ref(`doc_s${i}`)} COLLATE "C"` : sql.ref(`doc_s${i}`);
      return sql`${key} ${sql.raw(t.desc ? "DESC NULLS LAST" : "ASC NULLS FIRST")}`;
    }),
    sql`${sql.ref("id")} ${sql.raw(tie ? "DESC" : "ASC")}`,
  ]);
  const counted = page.count ? sql`, count(*) OVER () AS ${sql.ref(TOTAL_COL)}` : sql``;
  const rows = await db.query<Record<string, unknown>>(sql`SELECT u.*${counted} FROM (${union}) u ORDER BY ${order} LIMIT ${page.limit} OFFSET ${page.offset}`.compile(db.qb));
  let total: number | null = null;
  if (page.count) {
    if (rows.length) total = Number(rows[0]![TOTAL_COL]);
    else if (page.offset === 0) total = 0;
    else total = Number((await db.query<{ n: number | bigint }>(sql`SELECT count(*) AS n FROM (${union}) u`.compile(db.qb)))[0]!.n);
  }
  const byName = new Map(branches.map((b) => [b.def.name, b]));
  return { items: rows.map((row) => toDocument(ctx, byName, row)), total };
}
