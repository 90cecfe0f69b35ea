/**
 * Record reads: one record by id, and lists with filter, sort, full-text search, offset or
 * keyset (cursor) pagination and an optional total. A list costs one SELECT, plus one COUNT
 * unless `skipTotal`; the caller's access expression is ANDed into both.
 */
import { sql, type Expression, type SqlBool } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { and, FilterError, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import { parseSort, type SortTerm } from "../../query/sort.ts";
import { toPredicate } from "../../query/predicate.ts";
import { toSql } from "../../query/to-sql.ts";
import { ftsTable, SEARCH_COLUMN, SEARCHABLE_TYPES, type CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { assertReadableQuery, fieldAccess, redactRecord } from "../rules/field-access.ts";
import { selectById } from "./store.ts";
import { rowMapper, selectColumns, type RecordData } from "./values.ts";

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;
/** Offsets past this are refused: deep pages belong to cursor pagination, which costs the same at any depth. */
export const MAX_PAGE = 100_000;
const MAX_SEARCH_WORDS = 16;

/**
 * Gets one record without the fields the caller may not read. 404 when absent and when the view
 * rule hides it (a record the caller may not see is invisible, not forbidden); 401/403 when the
 * caller may not view the collection at all.
 */
export async function getRecord(ctx: Context, collection: string, id: string): Promise<RecordData> {
  const { db, collections } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "view");
  const { readable } = fieldAccess(ctx, def, "view");
  const rec = await selectById(db, def, ctx.principal.accountId, id);
  if (!rec || (!(access.kind === "const" && access.value) && !toPredicate(access, collectionResolver(def))(rec))) throw new NotFoundError(`Record '${id}' not found in '${def.name}'`);
  return redactRecord(rec, readable);
}

export interface ListQuery {
  /** parsed filter in any syntax (checked here against the collection) */
  filter?: Expr;
  /** FastCMS sort string (`-created,title`) or parsed terms */
  sort?: string | SortTerm[];
  search?: string;
  page?: number;
  perPage?: number;
  /** skip the COUNT: total is null */
  skipTotal?: boolean;
  /** rows to skip (instead of `page`): 0 to (MAX_PAGE - 1) × MAX_PER_PAGE */
  offset?: number;
  /** keyset pagination: continue after this cursor (from a previous `nextCursor`); `page` is ignored */
  after?: string;
}

export interface ListResult {
  items: RecordData[];
  /** null when skipped */
  total: number | null;
  page: number;
  perPage: number;
  /** cursor of the last item when more items follow (null otherwise, and for random order) */
  nextCursor: string | null;
  hasMore: boolean;
}

type Term = Extract<SortTerm, { column: string }>;

function badFilter(e: unknown, what: string): never {
  if (e instanceof FilterError) throw new BadRequestError(`Invalid ${what}: ${e.message}`, { [what]: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
  throw e;
}

/** FTS condition for a search term (words, each matched as a prefix, all required). */
function searchCondition(db: SqlDb, def: CollectionDef, term: string): Expression<SqlBool> {
  if (!def.fields.some((f) => SEARCHABLE_TYPES.has(f.type))) throw new BadRequestError(`Collection '${def.name}' has no searchable fields (text, editor, email or url)`, { search: "No searchable fields" });
  const words = (term.normalize("NFKC").match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, MAX_SEARCH_WORDS);
  if (words.length === 0) throw new BadRequestError("Search term must contain at least one letter or digit", { search: "No searchable words" });
  if (db.dialect === "sqlite") {
    const match = words.map((w) => `"${w}"*`).join(" ");
    const fts = ftsTable(def.name);
    return sql<SqlBool>`${sql.ref(`${def.name}.rowid`)} IN (SELECT rowid FROM ${sql.table(fts)} WHERE ${sql.table(fts)} MATCH ${match})`;
  }
  const query = words.map((w) => `${w.toLowerCase()}:*`).join(" & ");
  return sql<SqlBool>`${sql.ref(SEARCH_COLUMN)} @@ to_tsquery('simple', ${query})`;
}

function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

function decodeCursor(cursor: string, n: number): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === n && v.every((x) => x === null || ["string", "number", "boolean"].includes(typeof x))) return v;
  } catch {
    /* fall through */
  }
  throw new BadRequestError("Invalid cursor: it does not belong to this query (sort changed?)", { cursor: "Invalid cursor" });
}

/**
 * Keyset condition "row comes after `values`" for the terms, with NULLS FIRST ascending and
 * NULLS LAST descending (the ORDER BY below uses the same null placement on both databases).
 */
/**
 * Sort key of a term: text orders by code point on both databases (COLLATE "C" on PostgreSQL,
 * SQLite's default), the same order the filter compiler and the predicate use.
 */
function sortKey(t: Term, dialect: SqlDb["dialect"]) {
  // ids are fixed-format UUIDs: every collation orders them alike, so the index keeps serving the tie-break.
  return t.kind === "text" && t.column !== "id" && dialect === "postgres" ? sql`${sql.ref(t.column)} COLLATE "C"` : sql.ref(t.column);
}

function afterCondition(terms: Term[], values: unknown[], dialect: SqlDb["dialect"]): Expression<SqlBool> {
  const gt = (t: Term, v: unknown) => {
    const c = sortKey(t, dialect);
    if (!t.desc) return v === null ? sql<SqlBool>`${c} IS NOT NULL` : sql<SqlBool>`${c} > ${v}`;
    return v === null ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${c} < ${v} OR ${c} IS NULL)`;
  };
  const eq = (t: Term, v: unknown) => (v === null ? sql<SqlBool>`${sql.ref(t.column)} IS NULL` : sql<SqlBool>`${sortKey(t, dialect)} = ${v}`);
  const ors = terms.map((t, i) => sql.join([...terms.slice(0, i).map((p, j) => eq(p, values[j])), gt(t, values[i])], sql` AND `));
  return sql<SqlBool>`(${sql.join(ors.map((o) => sql`(${o})`), sql` OR `)})`;
}

/**
 * Lists the records the caller may list (see ListQuery), without the fields they may not read.
 * Filter/sort/search errors → 400 naming the problem; a filter, sort or search on an unreadable
 * field → 403; 401/403 when the caller may not list the collection at all.
 */
export async function listRecords(ctx: Context, collection: string, q: ListQuery = {}): Promise<ListResult> {
  const { db, collections } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "list");
  const { readable } = fieldAccess(ctx, def, "list");
  const perPage = q.perPage ?? DEFAULT_PER_PAGE;
  const page = q.page ?? 1;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) throw new ValidationError(`per_page must be between 1 and ${MAX_PER_PAGE}`, { per_page: `Must be between 1 and ${MAX_PER_PAGE}` });
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE)
    throw new ValidationError(`page must be between 1 and ${MAX_PAGE} (use the cursor for deeper pages)`, { page: `Must be between 1 and ${MAX_PAGE}` });
  const maxOffset = (MAX_PAGE - 1) * MAX_PER_PAGE;
  if (q.offset !== undefined && (!Number.isInteger(q.offset) || q.offset < 0 || q.offset > maxOffset))
    throw new ValidationError(`offset must be between 0 and ${maxOffset} (use the cursor for deeper reads)`, { offset: `Must be between 0 and ${maxOffset}` });
  const skip = q.offset ?? (page - 1) * perPage;
  const resolve = collectionResolver(def);

  let filter: Expr;
  try {
    filter = checkExpr(and(q.filter, access), resolve);
  } catch (e) {
    badFilter(e, "filter");
  }
  let sort: SortTerm[];
  try {
    sort = typeof q.sort === "string" ? (q.sort.trim() ? parseSort(q.sort, resolve) : []) : (q.sort ?? []);
  } catch (e) {
    badFilter(e, "sort");
  }
  assertReadableQuery(ctx, def, readable, { filter: q.filter, sort, search: q.search !== undefined && q.search.trim() !== "" });
  const random = sort.some((t) => "random" in t);
  const terms: Term[] = random ? [] : (sort as Term[]);
  if (!random) {
    if (terms.length === 0) terms.push({ column: "created", name: "created", desc: true, kind: "datetime" } as Term);
    if (!terms.some((t) => t.column === "id")) terms.push({ column: "id", name: "id", desc: terms[terms.length - 1]!.desc, kind: "text" } as Term);
  }

  const conditions: Expression<SqlBool>[] = [toSql(filter, resolve, db.dialect)];
  if (q.search !== undefined && q.search.trim() !== "") conditions.push(searchCondition(db, def, q.search));
  const scoped = (qb: any) => qb.where("account_id", "=", ctx.principal.accountId).where((eb: any) => eb.and(conditions));

  let select = scoped(db.qb.selectFrom(def.name).select(selectColumns(def)));
  if (q.after !== undefined) {
    if (random) throw new BadRequestError("Cursor pagination is not available with random order", { cursor: "Not available with @random" });
    select = select.where(afterCondition(terms, decodeCursor(q.after, terms.length), db.dialect));
  }
  if (random) select = select.orderBy(sql`random()`);
  for (const t of terms) select = select.orderBy(sql`${sortKey(t, db.dialect)} ${sql.raw(t.desc ? "DESC NULLS LAST" : "ASC NULLS FIRST")}`);
  select = select.limit(perPage + 1);
  if (q.after === undefined && skip > 0) select = select.offset(skip);

  const countQuery = q.skipTotal ? undefined : scoped(db.qb.selectFrom(def.name).select(sql<number>`count(*)`.as("n")));
  const [rows, countRows] = await Promise.all([db.query(select), countQuery ? db.query<{ n: number | bigint }>(countQuery) : undefined]);
  const hasMore = rows.length > perPage;
  const pageRows = hasMore ? rows.slice(0, perPage) : rows;
  const map = rowMapper(def, db.dialect);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map((row: Record<string, unknown>) => redactRecord(map(row), readable)),
    total: countRows ? Number(countRows[0]!.n) : null,
    page,
    perPage,
    hasMore,
    nextCursor: hasMore && last && !random ? encodeCursor(terms.map((t) => last[t.column] ?? null)) : null,
  };
}
