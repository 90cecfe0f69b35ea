/**
 * Grouped aggregation: one row per distinct combination of the group fields, with the number of
 * records and, where asked, the sum / average / minimum / maximum of fields — computed by the
 * database in one GROUP BY statement (plus one COUNT of the groups), over the records the
 * caller may list: the list rule is ANDed into the WHERE exactly as in `listRecords`, so a
 * group never counts a record the caller could not see.
 */
import { sql, type RawBuilder } from "kysely";
import { and, FilterError, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver, type ColumnInfo } from "../../query/fields.ts";
import { toSql } from "../../query/to-sql.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { assertReadableQuery, fieldAccess } from "../rules/field-access.ts";
import { MAX_OFFSET, MAX_PAGE_SIZE } from "./list-query.ts";
import { resolveTraversals } from "./traverse.ts";
import { rowMapper } from "./values.ts";

export const AGGREGATE_FNS = ["sum", "avg", "min", "max"] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];

export const MAX_GROUP_FIELDS = 5;
export const MAX_AGGREGATES = 20;

export interface AggregateQuery {
  /** parsed filter in any syntax; paths through references are resolved here */
  filter?: Expr;
  /** 1…5 fields to group by (text, number, bool, date, datetime, single select/reference, system fields) */
  groupBy: readonly string[];
  /** values to compute per group: `sum`/`avg` of number fields, `min`/`max` of number, date or datetime fields */
  aggregates?: readonly { field: string; fn: AggregateFn }[];
  /** order of the groups by a group field, `count` or an aggregate's key (`price_sum`); default the group fields ascending */
  sort?: readonly { key: string; desc: boolean }[];
  /** groups per answer, 1…100 (default 100) */
  limit?: number;
  offset?: number;
}

export interface AggregateGroup {
  /** the group fields' values (API-shaped) */
  key: Record<string, unknown>;
  count: number;
  /** per aggregate key (`<field>_<fn>`): the value, null when every value is null */
  values: Record<string, unknown>;
}

export interface AggregateResult {
  groups: AggregateGroup[];
  /** number of groups (all pages) */
  total: number;
}

/** The key of an aggregate in the result: `price_sum`. */
export const aggregateKey = (a: { field: string; fn: AggregateFn }) => `${a.field}_${a.fn}`;

function resolveField(def: CollectionDef, resolve: (n: string) => ColumnInfo | undefined, name: string, what: string): ColumnInfo {
  const info = resolve(name);
  if (!info) throw new BadRequestError(`Unknown ${what} field '${name}' in '${def.name}'`, { [what]: `Unknown field '${name}'` });
  return info;
}

/**
 * Groups the records the caller may list (see AggregateQuery and the module comment).
 * @throws BadRequestError (400) naming an unknown field, a field that cannot be grouped (lists,
 *   json) or aggregated with that function, a bad filter or sort key; ValidationError (422) for
 *   limit/offset out of range; 403 for a field the caller may not read; 401/403 when they may
 *   not list the collection.
 * @example await aggregateRecords(ctx, "orders", { groupBy: ["status"], aggregates: [{ field: "total", fn: "sum" }] })
 */
export async function aggregateRecords(ctx: Context, collection: string, q: AggregateQuery): Promise<AggregateResult> {
  const { db, collections } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "list");
  const resolve = collectionResolver(def);
  const limit = q.limit ?? MAX_PAGE_SIZE;
  const offset = q.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new ValidationError(`limit must be between 1 and ${MAX_PAGE_SIZE}`, { limit: `Must be between 1 and ${MAX_PAGE_SIZE}` });
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new ValidationError(`offset must be between 0 and ${MAX_OFFSET}`, { offset: `Must be between 0 and ${MAX_OFFSET}` });
  if (q.groupBy.length === 0 || q.groupBy.length > MAX_GROUP_FIELDS) throw new BadRequestError(`group_by takes 1 to ${MAX_GROUP_FIELDS} fields`, { group_by: `1 to ${MAX_GROUP_FIELDS} fields` });
  const aggregates = q.aggregates ?? [];
  if (aggregates.length > MAX_AGGREGATES) throw new BadRequestError(`At most ${MAX_AGGREGATES} aggregates`, { aggregates: `At most ${MAX_AGGREGATES}` });

  const groups = q.groupBy.map((name) => {
    const info = resolveField(def, resolve, name, "group_by");
    if (info.kind === "json") throw new BadRequestError(`Cannot group by '${name}': list and json fields have no single value`, { group_by: `Cannot group by '${name}'` });
    return info;
  });
  if (new Set(q.groupBy).size !== q.groupBy.length) throw new BadRequestError("group_by names a field twice", { group_by: "Duplicate field" });
  const aggs = aggregates.map((a) => {
    if (!(AGGREGATE_FNS as readonly string[]).includes(a.fn)) throw new BadRequestError(`Unknown aggregate '${a.fn}' (use sum, avg, min or max)`, { aggregates: `Unknown function '${a.fn}'` });
    const info = resolveField(def, resolve, a.field, "aggregate");
    const ok = info.kind === "number" || ((a.fn === "min" || a.fn === "max") && (info.kind === "date" || info.kind === "datetime"));
    if (!ok)
      throw new BadRequestError(`Cannot ${a.fn} field '${a.field}' (${info.list ? "list" : info.kind}): sum and avg take number fields, min and max number, date or datetime fields`, {
        aggregates: `Cannot ${a.fn} '${a.field}'`,
      });
    return { ...a, info, key: aggregateKey(a) };
  });

  const through = q.filter ? await resolveTraversals(ctx, def, q.filter) : undefined;
  let filter: Expr;
  try {
    filter = checkExpr(and(through, access), resolve);
    const readable = fieldAccess(ctx, def, "list").readable;
    const used = [...groups, ...aggs.map((a) => a.info)].map((i) => ({ column: i.column, name: i.name, desc: false, kind: i.kind }));
    assertReadableQuery(ctx, def, readable, { filter: through, sort: used });
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
    throw e;
  }

  const pg = db.dialect === "postgres";
  const col = (i: ColumnInfo): RawBuilder<unknown> => (pg && i.kind === "text" && i.column !== "id" ? sql`${sql.ref(i.column)} COLLATE "C"` : sql`${sql.ref(i.column)}`);
  const selects = [...groups.map((g, n) => sql`${sql.ref(g.column)}`.as(`g${n}`)), sql<number>`count(*)`.as("n"), ...aggs.map((a, n) => sql`${sql.raw(a.fn)}(${sql.ref(a.info.column)})`.as(`a${n}`))];
  const sortable = new Map<string, RawBuilder<unknown>>([["count", sql`count(*)`]]);
  groups.forEach((g) => sortable.set(g.name, col(g)));
  aggs.forEach((a) => sortable.set(a.key, sql`${sql.raw(a.fn)}(${sql.ref(a.info.column)})`));
  const sort = q.sort?.length ? q.sort : groups.map((g) => ({ key: g.name, desc: false }));
  const order = sort.map((s) => {
    const expr = sortable.get(s.key);
    if (!expr)
      throw new BadRequestError(`Cannot order groups by '${s.key}': use a group_by field, count or an aggregate key (${[...sortable.keys()].join(", ")})`, { order_by: `Unknown key '${s.key}'` });
    return sql`${expr} ${sql.raw(s.desc ? "DESC NULLS LAST" : "ASC NULLS FIRST")}`;
  });
  // the group fields end the order so that pages are stable
  for (const g of groups) if (!sort.some((s) => s.key === g.name)) order.push(sql`${col(g)} ASC NULLS FIRST`);
  const groupList = sql.join(groups.map((g) => sql.ref(g.column)));
  const where = toSql(filter, resolve, db.dialect);
  const base = db.qb.selectFrom(def.name).where("account_id", "=", ctx.principal.accountId).where(where);
  const select = base
    .select(selects)
    .groupBy(groupList as never)
    .orderBy(sql.join(order) as never)
    .limit(limit)
    .offset(offset);
  const count = db.qb
    .selectFrom(
      base
        .select(sql`1`.as("one"))
        .groupBy(groupList as never)
        .as("g"),
    )
    .select(sql<number>`count(*)`.as("n"));
  const [rows, [totalRow]] = await Promise.all([db.query<Record<string, unknown>>(select), db.query<{ n: number | bigint | string }>(count)]);

  const map = rowMapper(def, db.dialect);
  const asApi = (info: ColumnInfo, v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (info.fieldType === "system") return info.kind === "number" ? Number(v) : v;
    return map({ [info.column]: v })[info.name];
  };
  return {
    total: Number(totalRow!.n),
    groups: rows.map((r) => {
      const key: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      groups.forEach((g, n) => (key[g.name] = asApi(g, r[`g${n}`])));
      const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      aggs.forEach((a, n) => {
        const v = r[`a${n}`];
        values[a.key] = v === null || v === undefined ? null : a.fn === "sum" || a.fn === "avg" || a.info.kind === "number" ? Number(v) : asApi(a.info, v);
      });
      return { key, count: Number(r.n), values };
    }),
  };
}
