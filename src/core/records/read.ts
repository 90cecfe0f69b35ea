/**
 * Record reads: one record by id, and lists with filter, sort, full-text search, offset or
 * keyset (cursor) pagination and an optional total. A list costs one SELECT, plus one COUNT
 * unless `skipTotal`; either is skipped when the same statement's result is cached and its
 * collection unchanged (list-cache.ts). The caller's access expression is ANDed into both.
 */
import { sql, type SqlBool } from "kysely";
import { toStatement, type Queryable, type Row, type Statement } from "../../db/sql-db.ts";
import { and, FilterError, readsOf, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import { parseSort, type SortTerm } from "../../query/sort.ts";
import { toPredicate } from "../../query/predicate.ts";
import { toSql } from "../../query/to-sql.ts";
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { assertReadableQuery, fieldAccess, redactRecord } from "../rules/field-access.ts";
import { decodeCursor, pageWindow, projectedColumns, reverseTerms, rowCursor, withTieBreak, type ColumnTerm, type PageRequest } from "./list-query.ts";
import { checkedFilter, compiledWhere } from "./checked-filter.ts";
import { planContainsIndex } from "./contains-index.ts";
import { type Scope } from "./list-cache.ts";
import { countStatement, listStatements } from "./list-statement.ts";
import { parseSearch, relevancePage, relevanceStatement, searchWhere } from "./search.ts";
import { selectById } from "./store.ts";
import { rowMapper, type RecordData } from "./values.ts";

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

export interface ListQuery extends PageRequest {
  /** parsed filter in any syntax (checked here against the collection) */
  filter?: Expr;
  /** FastCMS sort string (`-created,title`) or parsed terms; default newest first, `id` breaks ties */
  sort?: string | SortTerm[];
  search?: string;
  /** skip the COUNT: total is null */
  skipTotal?: boolean;
  /** keyset pagination: the page right after this cursor (any cursor of a previous result); `page` and `offset` are ignored */
  after?: string;
  /** keyset pagination backwards: the page right before this cursor; `page` and `offset` are ignored */
  before?: string;
  /** with no `before`: the last page of the list (read backwards from its end) */
  fromEnd?: boolean;
  /**
   * projection: the collection fields the caller will read (system fields are always read). The
   * others are not selected and come back null. Absent: every field.
   */
  fields?: ReadonlySet<string>;
  /**
   * false: neither read from nor keep in the list cache (a walk through a whole collection, such
   * as an export, whose pages nobody asks again: kept, they would only push out the pages that are)
   */
  cache?: boolean;
}

export interface ListResult {
  /** in list order, backward pages included */
  items: RecordData[];
  /** null when skipped */
  total: number | null;
  page: number;
  pageSize: number;
  /** more items follow the last one */
  hasMore: boolean;
  /** items precede the first one (a cursor or offset was given, or a backward read found more) */
  hasPrevious: boolean;
  /** cursor of the last item when more follow (null otherwise, and for random order) */
  nextCursor: string | null;
  /** cursor of the first item when items precede it (null otherwise, and for random order) */
  prevCursor: string | null;
  /** the sort terms the list was ordered by (tie-break included; empty for random order) */
  terms: ColumnTerm[];
}

function badFilter(e: unknown, what: string): never {
  if (e instanceof FilterError) throw new BadRequestError(`Invalid ${what}: ${e.message}`, { [what]: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
  throw e;
}

/**
 * The total of a list: the cached one while the collection has not changed (list-cache.ts), else
 * one COUNT (shared by concurrent requests), remembered under the generation it started in.
 */
async function countRecords(ctx: Context, scope: Scope | undefined, stmt: Statement): Promise<number> {
  const { db, listCache } = ctx.services;
  const count = async () => Number((await db.query<{ n: number | bigint }>(stmt))[0]!.n);
  return scope === undefined ? count() : listCache.total(scope, stmt, count);
}

/**
 * The rows of a page: the cached ones while the collections it reads have not changed
 * (list-cache.ts), else `read`'s. `key` is the statement that determines them, or what builds it
 * (called only when the cache is used). Shared and frozen: not to be changed.
 */
function pageRows(ctx: Context, scope: Scope | undefined, key: Statement | (() => Statement), read: () => Promise<Row[]>): Promise<readonly Row[]> {
  if (scope === undefined) return read();
  return ctx.services.listCache.rows(scope, typeof key === "function" ? key() : key, read);
}

/**
 * Whether a list bypasses the list cache: when its caller says so (`cache: false`), inside a
 * transaction (it may see its own uncommitted writes), or when the request says
 * `Cache-Control: no-cache` or `no-store` (a fresh answer).
 */
function uncached(ctx: Context, q: ListQuery): boolean {
  if (q.cache === false || ctx.services.db.inTransaction) return true;
  const cc = ctx.request?.headers["cache-control"];
  return cc !== undefined && /\bno-(cache|store)\b/i.test(String(cc));
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
  const { page, pageSize, skip } = pageWindow(q);
  const resolve = collectionResolver(def);

  // checked (and later compiled) once per definition, filter and access rule (checked-filter.ts)
  const combined = and(q.filter, access);
  const checked = checkedFilter(def, combined, () => {
    try {
      return checkExpr(combined, resolve);
    } catch (e) {
      badFilter(e, "filter");
    }
  });
  const filter = checked.expr;
  // what the list's results depend on (its collection and those its filter reads through
  // references); undefined: the list cache is bypassed
  const reads = readsOf(filter);
  const scope: Scope | undefined = uncached(ctx, q) ? undefined : reads.length ? [def.name, ...reads] : def.name;
  let sort: SortTerm[];
  try {
    sort = typeof q.sort === "string" ? (q.sort.trim() ? parseSort(q.sort, resolve) : []) : (q.sort ?? []);
  } catch (e) {
    badFilter(e, "sort");
  }
  assertReadableQuery(ctx, def, readable, { filter: q.filter, sort, search: q.search !== undefined && q.search.trim() !== "" });
  const random = sort.some((t) => "random" in t);
  const search = q.search !== undefined && q.search.trim() !== "" ? parseSearch(db, def, q.search) : undefined;
  // a search without a sort of its own is ordered by relevance (search.ts): no keyset there
  const relevance = search !== undefined && sort.length === 0;
  const terms: ColumnTerm[] = random || relevance ? [] : withTieBreak(sort as ColumnTerm[]);
  if (q.after !== undefined && q.before !== undefined) throw new BadRequestError("Pass either an after or a before cursor, not both", { before: "Not with after" });
  const cursor = q.after ?? q.before;
  const backward = q.before !== undefined || (q.fromEnd === true && q.after === undefined);
  if (random && (cursor !== undefined || backward)) throw new BadRequestError("Cursor pagination is not available with random order", { cursor: "Not available with @random" });
  if (relevance && (cursor !== undefined || backward))
    throw new BadRequestError("Cursor pagination of a search needs a sort (without one, results are ordered by relevance: page by number instead)", { cursor: "Not available with relevance order" });
  // a backward page is the forward page of the reversed order, reversed back
  const readTerms = backward ? reverseTerms(terms) : terms;

  const contains = await planContainsIndex(db, def, filter);
  // page size 0 still reads one row: it tells whether any exist
  const limit = Math.max(pageSize, 1) + (pageSize > 0 ? 1 : 0);
  const keyset = cursor !== undefined || backward;
  const columns = projectedColumns(def, terms, q.fields);
  // the page's statement, or how a relevance-ordered page is read (search.ts)
  let select: Queryable | (() => Promise<readonly Row[]>);
  let count: Queryable | undefined;
  const accountId = ctx.principal.accountId;
  // compiled once per checked filter (checked-filter.ts) and trigram plan
  const filterSql = compiledWhere(checked, `${db.dialect}\0${contains?.key ?? ""}`, () => sql<SqlBool>`${toSql(filter, resolve, db.dialect, { containsIndex: contains?.index })}`.compile(db.qb));
  const where = search ? searchWhere(db, def, search, filterSql) : filterSql;
  if (relevance) {
    // a search without a sort of its own (search.ts); it takes no cursor (checked above)
    const input = { columns, where: filterSql, accountId, limit, offset: skip };
    // its cache key is the statement that page reads, built only when the cache is used
    select = () =>
      pageRows(
        ctx,
        scope,
        () => relevanceStatement(db, def, search!, input),
        () => relevancePage(db, def, search!, input),
      );
    count = q.skipTotal ? undefined : countStatement(db, def, where, accountId);
  } else {
    // its SQL around the filter is cached (list-statement.ts); a cursor's values are parameters
    const after = cursor === undefined ? undefined : decodeCursor(cursor, readTerms);
    ({ select, count } = listStatements(db, def, { columns, where, accountId, order: random ? "random" : readTerms, limit, offset: keyset ? 0 : skip, count: !q.skipTotal, after }));
  }

  const readPage = (stmt: Statement) => (random ? db.query(stmt) : pageRows(ctx, scope, stmt, () => db.query(stmt)));
  const [rows, total] = await Promise.all([typeof select === "function" ? select() : readPage(toStatement(select)), count === undefined ? null : countRecords(ctx, scope, toStatement(count))]);
  const beyond = rows.length > pageSize;
  // a copy: the rows may be the cache's
  const inPage = rows.slice(0, pageSize);
  if (backward) inPage.reverse();
  const hasMore = backward ? q.before !== undefined : beyond;
  const hasPrevious = backward ? beyond : q.after !== undefined || (!keyset && skip > 0);
  const map = rowMapper(def, db.dialect);
  const first = inPage[0];
  const last = inPage[inPage.length - 1];
  return {
    items: inPage.map((row) => redactRecord(map(row), readable)),
    total,
    page,
    pageSize,
    hasMore,
    hasPrevious,
    nextCursor: hasMore && last && terms.length ? rowCursor(terms, last) : null,
    prevCursor: hasPrevious && first && terms.length ? rowCursor(terms, first) : null,
    terms,
  };
}
