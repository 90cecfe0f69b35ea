/**
 * The SQL of a list page and of its COUNT (a filter, a search with a sort of its own ANDed into
 * it, an order, a page by number or after a cursor), assembled from pieces cached per collection
 * definition; search.ts assembles a relevance-ordered page the same way.
 *
 * Why: building the same SELECT with Kysely's query builder on every request (immutable builder
 * nodes, column references parsed, the whole tree compiled) cost about a tenth of a contains
 * page's CPU time, though for a given definition, projection and order the text around the filter
 * never changes. Kysely still writes every piece (so quoting and placeholders are its own): the
 * head (`select <columns> from <table>`) and the ORDER BY once per definition, projection and
 * order; the filter once per definition and filter (checked-filter.ts); a cursor's keyset
 * condition once per order and pattern of null values, the cursor's values becoming parameters
 * (built per request, it cost a cursor page a fifth more CPU time than page 1). The filter comes
 * first in the WHERE so that its parameters keep their numbers (`$1…` on PostgreSQL); the account,
 * the keyset values, the limit and the offset follow it. A new definition (any schema change) is
 * a new object, so nothing cached here outlives the schema it was built for.
 */
import { sql, type RawBuilder } from "kysely";
import type { Statement, SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import { afterCondition, orderByList, type ColumnTerm } from "./list-query.ts";

/** Pieces remembered per definition before the oldest are dropped (projections × orders in use). */
const MAX_PIECES = 200;

const pieces = new WeakMap<CollectionDef, Map<string, unknown>>();

/** What `build` makes for `key` under this definition (a text Kysely writes: quoting stays its own), built once. */
export function cachedPiece<T = string>(def: CollectionDef, key: string, build: () => T): T {
  let byKey = pieces.get(def);
  if (!byKey) pieces.set(def, (byKey = new Map()));
  let text = byKey.get(key) as T | undefined;
  if (text === undefined) {
    if (byKey.size >= MAX_PIECES) byKey.delete(byKey.keys().next().value!);
    byKey.set(key, (text = build()));
  }
  return text;
}

/** What a page reads: the list's columns, filter (already checked and compiled), order and window. */
export interface PageStatementInput {
  columns: readonly string[];
  /** the filter with the caller's access rule ANDed in (and a search's condition), compiled (its parameters first: `$1…` on PostgreSQL) */
  where: Statement;
  accountId: string;
  /** the order's terms, or "random" */
  order: readonly ColumnTerm[] | "random";
  limit: number;
  /** rows to skip (none when 0) */
  offset: number;
  /** the page starts after the row with these values of the order's terms (a decoded cursor) */
  after?: readonly unknown[];
  /** also the COUNT of every row the filter matches */
  count: boolean;
}

function orderKey(order: readonly ColumnTerm[] | "random"): string {
  return order === "random" ? "random" : order.map((t) => `${t.desc ? "-" : "+"}${t.kind}:${t.column}`).join(",");
}

/**
 * The SELECT of one page and, when asked, the COUNT of its list (same filter, same account).
 * @example listStatements(db, posts, { columns, where, accountId, order: terms, limit: 31, offset: 0, count: true })
 */
export function listStatements(db: SqlDb, def: CollectionDef, p: PageStatementInput): { select: Statement; count: Statement | undefined } {
  const filter = p.where;
  const n = filter.parameters.length;
  const at = (i: number) => (db.dialect === "sqlite" ? "?" : `$${n + i}`);
  const head = cachedPiece(
    def,
    `select\0${p.columns.join(",")}`,
    () =>
      db.qb
        .selectFrom(def.name)
        .select(p.columns.map((c) => `${def.name}.${c}`))
        .compile().sql,
  );
  const order = cachedPiece(def, `order\0${orderKey(p.order)}`, () => (p.order === "random" ? sql`random()` : (orderByList(p.order, db.dialect) as RawBuilder<unknown>)).compile(db.qb).sql);
  const offset = p.offset > 0;
  const after = p.after && p.order !== "random" ? keysetPiece(db, def, p.order, p.after, n + 1) : undefined;
  const k = after ? after.values.length : 0;
  const variant = after ? after.sql : offset ? "offset" : "";
  const select: Statement = {
    sql: aroundFilter(filter, head, order, variant, () => `${head}${scope(filter, at)}${after ? ` and ${after.sql}` : ""} order by ${order} limit ${at(2 + k)}${offset ? ` offset ${at(3 + k)}` : ""}`),
    parameters: [...filter.parameters, p.accountId, ...(after ? after.values : []), p.limit, ...(offset ? [p.offset] : [])],
  };
  return { select, count: p.count ? countStatement(db, def, filter, p.accountId) : undefined };
}

const scope = (filter: Statement, at: (i: number) => string) => ` where (${filter.sql}) and "account_id" = ${at(1)}`;

/**
 * The keyset condition of a cursor (list-query.ts `afterCondition`), its placeholders numbered
 * from `after + 1` on PostgreSQL, and its parameters: the text is written once per order and
 * null pattern (null values are written as `IS NULL`, not bound), with each value's index as a
 * stand-in parameter, which tells where each value goes (the OR form repeats them).
 */
function keysetPiece(db: SqlDb, def: CollectionDef, terms: readonly ColumnTerm[], values: readonly unknown[], after: number): { sql: string; values: unknown[] } {
  const nulls = values.map((v) => (v === null ? "n" : "v")).join("");
  const piece = cachedPiece(def, `after\0${orderKey(terms)}\0${nulls}\0${db.dialect === "sqlite" ? 0 : after}`, () => {
    const compiled = (
      afterCondition(
        terms,
        values.map((v, i) => (v === null ? null : i)),
        db.dialect,
      ) as RawBuilder<unknown>
    ).compile(db.qb);
    // Kysely numbers from $1; the filter and the account come first (quoted identifiers left as they are)
    const text = db.dialect === "sqlite" ? compiled.sql : compiled.sql.replace(/"(?:[^"]|"")*"|\$(\d+)/g, (m: string, d: string | undefined) => (d === undefined ? m : `$${Number(d) + after}`));
    return { sql: text, slots: compiled.parameters as number[] };
  });
  return { sql: piece.sql, values: piece.slots.map((i) => values[i]) };
}

/** Entries kept per compiled filter (heads × orders, accounts) before they are dropped. */
const MAX_AROUND = 64;

/**
 * Page SQL texts per compiled filter (checked-filter.ts keeps one object per filter), head and
 * order (the cached pieces above) and offset: the same text object every time, so the statement
 * caches of the drivers find it without hashing a new string.
 */
const texts = new WeakMap<Statement, Map<string, Map<string, Map<string, string>>>>();

function aroundFilter(filter: Statement, head: string, order: string, variant: string, build: () => string): string {
  let byHead = texts.get(filter);
  if (!byHead) texts.set(filter, (byHead = new Map()));
  let byOrder = byHead.get(head);
  if (!byOrder) {
    if (byHead.size >= MAX_AROUND) byHead.clear();
    byHead.set(head, (byOrder = new Map()));
  }
  let variants = byOrder.get(order);
  if (!variants) {
    if (byOrder.size >= MAX_AROUND) byOrder.clear();
    byOrder.set(order, (variants = new Map()));
  }
  let text = variants.get(variant);
  if (text === undefined) {
    if (variants.size >= MAX_AROUND) variants.clear();
    variants.set(variant, (text = build()));
  }
  return text;
}

/** COUNT statements per compiled filter and account: one object each, so the totals cache keys it once (list-cache.ts). */
const counts = new WeakMap<Statement, Map<string, Statement>>();

/**
 * The COUNT of a list: every row of the account that `where` (compiled, the access rule ANDed in)
 * matches; the text is the key of the list's cached total (list-cache.ts), the same for every page of
 * the list (by number, by cursor, by relevance).
 */
export function countStatement(db: SqlDb, def: CollectionDef, where: Statement, accountId: string): Statement {
  let byAccount = counts.get(where);
  if (!byAccount) counts.set(where, (byAccount = new Map()));
  let stmt = byAccount.get(accountId);
  if (!stmt) {
    const countHead = cachedPiece(
      def,
      "count",
      () =>
        db.qb
          .selectFrom(def.name)
          .select(sql<number>`count(*)`.as("n"))
          .compile().sql,
    );
    const at = db.dialect === "sqlite" ? "?" : `$${where.parameters.length + 1}`;
    if (byAccount.size >= MAX_AROUND) byAccount.clear();
    byAccount.set(accountId, (stmt = Object.freeze({ sql: `${countHead} where (${where.sql}) and "account_id" = ${at}`, parameters: Object.freeze([...where.parameters, accountId]) })));
  }
  return stmt;
}
