/**
 * Batched reads for GraphQL DataLoaders (one statement per batch, never one per row).
 *
 * `getRecordsByIds`: many records by id, each checked against the caller's view access.
 *
 * `listRecordsGrouped`: "the first N records per parent" in one statement: the reverse side of a reference field
 * (`authors → posts.author`) for many parents at once, e.g. the 5 latest comments of each of
 * 30 posts. Each parent's rows are read from the `(account_id, <ref>, created, id)` index in
 * order and the read stops after offset + limit + 1 rows (the extra row tells whether more
 * follow): a LATERAL subquery per parent on PostgreSQL, a correlated `rowid IN (… LIMIT)` on
 * SQLite. With a total, a window function numbers every row of the parents instead
 * (ROW_NUMBER() and COUNT(*) OVER (PARTITION BY the reference column)): counting reads them all
 * anyway. The caller's access expression is ANDed in, as in `listRecords`.
 */
import { sql, type Compilable, type Expression, type SqlBool } from "kysely";
import { and, FilterError, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { toPredicate } from "../../query/predicate.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { SortTerm } from "../../query/sort.ts";
import { toSql } from "../../query/to-sql.ts";
import type { Row, SqlDb, Statement } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { assertReadableQuery, fieldAccess, redactRecord } from "../rules/field-access.ts";
import { afterCondition, decodeCursor, MAX_PAGE_SIZE, orderByList, projectedColumns, reverseTerms, withTieBreak, type ColumnTerm } from "./list-query.ts";
import { rowMapper, selectColumns, type RecordData } from "./values.ts";

/** SQL text of "records by id" per definition, dialect and id-count bucket (powers of two). */
const byIdsSql = new WeakMap<CollectionDef, Map<string, string>>();

/**
 * `selectByIds` with the SQL compiled once per id-count bucket: the id list is padded to the
 * next power of two by repeating the last id (IN ignores duplicates), so a DataLoader batch of
 * any size reuses one of ~11 statements instead of building and compiling a query per batch.
 */
async function selectByIdsCompiled(db: SqlDb, def: CollectionDef, accountId: string, ids: readonly string[]): Promise<RecordData[]> {
  if (ids.length === 0) return [];
  let bucket = 1;
  while (bucket < ids.length) bucket *= 2;
  let cache = byIdsSql.get(def);
  if (!cache) byIdsSql.set(def, (cache = new Map()));
  const key = `${db.dialect}:${bucket}`;
  let text = cache.get(key);
  if (!text) {
    const placeholders = Array.from({ length: bucket }, () => "");
    text = db.qb.selectFrom(def.name).select(selectColumns(def)).where("account_id", "=", "").where("id", "in", placeholders).compile().sql;
    cache.set(key, text);
  }
  const padded = ids.length === bucket ? ids : [...ids, ...Array.from({ length: bucket - ids.length }, () => ids[ids.length - 1]!)];
  const map = rowMapper(def, db.dialect);
  return (await db.query({ sql: text, parameters: [accountId, ...padded] })).map(map);
}

/**
 * Records by id in the caller's account, as a map by id. Ids that do not exist, or that the
 * caller's view access does not cover, are absent from the map (no error: a dangling or hidden
 * reference reads as null). Throws 401/403 when the caller may not view the collection at all.
 */
export async function getRecordsByIds(ctx: Context, collection: string, ids: readonly string[]): Promise<Map<string, RecordData>> {
  const { db, collections } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "view");
  const { readable } = fieldAccess(ctx, def, "view");
  const rows = await selectByIdsCompiled(db, def, ctx.principal.accountId, [...new Set(ids)]);
  const allowed = access.kind === "const" && access.value ? undefined : toPredicate(checkExpr(access, collectionResolver(def)), collectionResolver(def));
  const out = new Map<string, RecordData>();
  for (const r of rows) if (!allowed || allowed(r)) out.set(r.id, redactRecord(r, readable));
  return out;
}

export interface GroupedListQuery {
  /** a single (not multiple) reference field of the listed collection */
  field: string;
  /** ids of the referenced records (parents) */
  parents: readonly string[];
  /** parsed filter in any syntax (checked here) */
  filter?: Expr;
  /** sort terms; default newest first, `id` breaks ties (as in `listRecords`) */
  sort?: SortTerm[];
  /** rows per parent, 1…100 */
  limit: number;
  /** rows per parent to skip (not with a cursor or a backward page) */
  offset?: number;
  /** each parent's rows right after this cursor (a cursor of any record of the list) */
  after?: string;
  /** each parent's rows right before this cursor */
  before?: string;
  /** with no `before`: each parent's last rows (read backwards from the end) */
  fromEnd?: boolean;
  /** also count each parent's rows */
  withTotal?: boolean;
  /** projection: the fields the caller will read (system fields, the reference and sort fields are always read) */
  fields?: ReadonlySet<string>;
}

export interface RecordGroup {
  /** in list order, backward pages included */
  items: RecordData[];
  /** more rows follow the last item */
  hasMore: boolean;
  /** rows precede the first item (a cursor or offset was given, or a backward read found more) */
  hasPrevious: boolean;
  /** null unless `withTotal` */
  total: number | null;
}

const MAX_PARENTS = 1000;

/** What {@link firstPerParent} reads. */
interface PerParent {
  def: CollectionDef;
  refName: string;
  columns: readonly string[];
  accountId: string;
  where: Expression<SqlBool>;
  terms: readonly ColumnTerm[];
  offset: number;
  take: number;
  /** the cursor the keyset condition in `where` comes from (part of the statement cache key) */
  cursor: string | null;
}

/**
 * The rows `offset + 1 … offset + take` of each parent in the order of `terms`, ordered by parent
 * then `terms`, in one statement that reads only those rows: per parent, the `(account_id, <ref>,
 * created, id)` index read in order and stopped after `take` — a LATERAL subquery on PostgreSQL,
 * a correlated `rowid IN (… LIMIT)` on SQLite (which has no LATERAL). Parents are bound as one
 * parameter (a text array to `unnest`, a JSON array to `json_each`), so the statement text does
 * not depend on their number.
 */
function firstPerParent(db: SqlDb, q: PerParent, parents: unknown): Compilable {
  const table = q.def.name;
  const order = orderByList(q.terms, db.dialect);
  const own = db.qb.selectFrom(table).where("account_id", "=", q.accountId).where(q.where).orderBy(order).limit(q.take).offset(q.offset);
  const rows =
    db.dialect === "postgres"
      ? db.qb
          .selectFrom(sql`unnest(${parents}::text[])`.as("_parents"))
          .innerJoinLateral(own.select(q.columns).whereRef(`${table}.${q.refName}`, "=", "_parents._parents").as("_c"), (join) => join.onTrue())
          .selectAll("_c")
      : db.qb
          .selectFrom(sql`json_each(${parents})`.as("_parents"))
          .innerJoin(`${table} as _c`, (join) => join.on("_c.rowid", "in", own.select("rowid").whereRef(`${table}.${q.refName}`, "=", "_parents.value")))
          .select(q.columns.map((c) => `_c.${c}`));
  return db.qb.selectFrom(rows.as("_grouped")).selectAll().orderBy(q.refName).orderBy(order);
}

/** Compiled {@link firstPerParent} statements, per definition (a new one on every schema change). */
const perParentSql = new WeakMap<CollectionDef, Map<string, { sql: string; parameters: unknown[]; parentsAt: number }>>();
/** Statements kept per definition; past this the cache starts over. */
const PER_PARENT_CACHE_SIZE = 200;
/** Stands for the parents while compiling; swapped for them on every use. */
const PARENTS = Symbol("parents");

/**
 * {@link firstPerParent} compiled once per (account, checked filter with its values, columns,
 * order, page): only the parents differ between requests, and building and compiling the
 * statement cost about as much as running it.
 */
function firstPerParentCompiled(db: SqlDb, q: PerParent, filter: Expr, parents: readonly string[]): Statement {
  let cache = perParentSql.get(q.def);
  if (!cache) perParentSql.set(q.def, (cache = new Map()));
  const key = JSON.stringify([db.dialect, q.refName, q.accountId, filter, q.columns, q.terms, q.offset, q.take, q.cursor]);
  let hit = cache.get(key);
  if (!hit) {
    const { sql, parameters } = firstPerParent(db, q, PARENTS).compile();
    const parentsAt = parameters.indexOf(PARENTS);
    if (parentsAt < 0 || parameters.lastIndexOf(PARENTS) !== parentsAt) throw new Error("firstPerParent: the parents must be one parameter");
    if (cache.size >= PER_PARENT_CACHE_SIZE) cache.clear();
    cache.set(key, (hit = { sql, parameters: [...parameters], parentsAt }));
  }
  const parameters = [...hit.parameters];
  parameters[hit.parentsAt] = db.dialect === "postgres" ? [...parents] : JSON.stringify(parents);
  return { sql: hit.sql, parameters };
}

/**
 * Lists up to `limit` records per parent (see the module comment). Parents without rows get an
 * empty group. Throws 400 for a field that is not a single reference, 422 for a bad limit, and
 * 400 naming the problem for a bad filter or sort.
 * @example listRecordsGrouped(ctx, "comments", { field: "post", parents: postIds, limit: 5 })
 */
export async function listRecordsGrouped(ctx: Context, collection: string, q: GroupedListQuery): Promise<Map<string, RecordGroup>> {
  const { db, collections } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "list");
  const { readable } = fieldAccess(ctx, def, "list");
  const ref = def.fields.find((f) => f.name === q.field);
  if (!ref || ref.type !== "reference" || ref.options.multiple) throw new BadRequestError(`'${q.field}' is not a single reference field of '${def.name}'`);
  const offset = q.offset ?? 0;
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_PAGE_SIZE)
    throw new ValidationError(`limit must be between 1 and ${MAX_PAGE_SIZE}`, { limit: `Must be between 1 and ${MAX_PAGE_SIZE}` });
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError("offset must not be negative", { offset: "Must not be negative" });
  const parents = [...new Set(q.parents)];
  if (parents.length > MAX_PARENTS) throw new ValidationError(`At most ${MAX_PARENTS} parents per query`, { parents: `At most ${MAX_PARENTS}` });
  if (q.after !== undefined && q.before !== undefined) throw new BadRequestError("Pass either an after or a before cursor, not both", { before: "Not with after" });
  const cursor = q.after ?? q.before;
  const backward = q.before !== undefined || (q.fromEnd === true && q.after === undefined);
  if (offset > 0 && (cursor !== undefined || backward)) throw new BadRequestError("offset cannot be combined with a cursor or a backward page", { offset: "Not with a cursor" });
  const groups = new Map<string, RecordGroup>(parents.map((p) => [p, { items: [], hasMore: false, hasPrevious: false, total: q.withTotal ? 0 : null }]));
  if (parents.length === 0) return groups;

  const resolve = collectionResolver(def);
  let filter: Expr;
  try {
    filter = checkExpr(and(q.filter, access), resolve);
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message });
    throw e;
  }
  assertReadableQuery(ctx, def, readable, {
    filter: { kind: "and", items: [q.filter ?? { kind: "const", value: true }, { kind: "isNull", operand: { kind: "field", name: ref.name }, negate: true }] },
    sort: q.sort,
  });
  // the same order as the top-level list, text collation included
  const terms = withTieBreak((q.sort ?? []).filter((t): t is ColumnTerm => "column" in t));
  const fields = q.fields && new Set([...q.fields, ref.name]);
  const columns = projectedColumns(def, terms, fields);
  // a backward page is the forward page of the reversed order, reversed back (as in `listRecords`)
  const readTerms = backward ? reverseTerms(terms) : terms;
  const keyset = cursor === undefined ? undefined : afterCondition(readTerms, decodeCursor(cursor, readTerms), db.dialect);
  const filtered = toSql(filter, resolve, db.dialect);
  const where = keyset ? sql<SqlBool>`(${filtered} AND ${keyset})` : filtered;
  const map = rowMapper(def, db.dialect);
  const keep = (group: RecordGroup, row: Row) => {
    if (group.items.length < q.limit) group.items.push(redactRecord(map(row), readable));
    else group.hasMore = true;
  };

  if (!q.withTotal) {
    // Rows come ordered within each parent, already past the offset: the first `limit` are
    // the page, one more tells that more follow.
    const perParent = { def, refName: ref.name, columns, accountId: ctx.principal.accountId, where, terms: readTerms, offset, take: q.limit + 1, cursor: cursor ?? null };
    for (const row of await db.query(firstPerParentCompiled(db, perParent, filter, parents))) {
      const group = groups.get(row[ref.name] as string);
      if (group) keep(group, row);
    }
    return finish(groups, { backward, before: q.before !== undefined, preceded: cursor !== undefined || offset > 0 });
  }

  const order = orderByList(readTerms, db.dialect);
  const partition = sql.ref(ref.name);
  // With a cursor, the rows past it are numbered on their own (a partition of their own) while
  // the total still counts every row of the parent.
  const past = keyset && sql<number>`CASE WHEN ${keyset} THEN 1 ELSE 0 END`;
  const inner = db.qb
    .selectFrom(def.name)
    .select(columns)
    .select(sql<number>`ROW_NUMBER() OVER (PARTITION BY ${partition}${past ? sql`, ${past}` : sql``} ORDER BY ${order})`.as("_rn"))
    .select(sql<number>`COUNT(*) OVER (PARTITION BY ${partition})`.as("_total"))
    .select(past ? past.as("_past") : sql<number>`1`.as("_past"))
    .where("account_id", "=", ctx.principal.accountId)
    .where(ref.name, "in", parents)
    .where(filtered);
  const rn = sql.ref("_rn");
  const query = db.qb
    .selectFrom(inner.as("_grouped"))
    .selectAll()
    // With an offset or a cursor, row 1 is kept too so a parent whose rows all lie before the
    // page still reports its total.
    // (raw SQL, not an expression-builder callback: building one costs more than the whole statement)
    .where(past ? sql<SqlBool>`((${sql.ref("_past")} = 1 AND ${rn} <= ${q.limit + 1}) OR ${rn} = 1)` : offset > 0 ? sql<SqlBool>`(${rn} > ${offset} OR ${rn} = 1)` : sql<SqlBool>`${rn} > ${offset}`)
    .where("_rn", "<=", offset + q.limit + 1)
    .orderBy(ref.name)
    .orderBy("_rn");

  for (const row of await db.query(query)) {
    const group = groups.get(row[ref.name] as string);
    if (!group) continue;
    group.total = Number(row._total);
    if (Number(row._past) === 1 && Number(row._rn) > offset) keep(group, row);
  }
  return finish(groups, { backward, before: q.before !== undefined, preceded: cursor !== undefined || offset > 0 });
}

/**
 * Puts backward pages back in list order and sets which sides have more rows, as `listRecords`
 * does: read forward, rows precede the page when a cursor or offset was given; read backward,
 * rows follow it when it ends at a `before` cursor.
 */
function finish(groups: Map<string, RecordGroup>, how: { backward: boolean; before: boolean; preceded: boolean }): Map<string, RecordGroup> {
  for (const g of groups.values()) {
    const beyond = g.hasMore;
    if (how.backward) g.items.reverse();
    g.hasMore = how.backward ? how.before : beyond;
    g.hasPrevious = how.backward ? beyond : how.preceded;
  }
  return groups;
}
