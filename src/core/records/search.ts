/**
 * Full-text search of a list (`search=`): the condition (FTS5 on SQLite, the `_search` tsvector on
 * PostgreSQL; words matched as prefixes, all required) and the page of a list ordered by
 * relevance, as when the list has no sort of its own: bm25 on SQLite (FTS5's `rank`), `ts_rank`
 * on PostgreSQL, best first, `id` breaking ties. Ranking needs every match scored, so a
 * relevance-ordered page costs the number of matches; with a sort the index of that sort serves
 * the page as usual.
 *
 * On SQLite the matches are ranked with their rows: the filter, the access rule and the account
 * need each match's row, and (rank, id) is sorted on narrow keys, the page cut there, and only its
 * rows read whole (`relevanceStatement`). For a search with many matches (at least
 * {@link RANK_ORDER_MIN_MATCHES}, counted by a cached probe, match-probe.ts) reading a row per
 * match costs the most once the table outgrows SQLite's page cache, so FTS5 sorts its matches by
 * rank itself instead (`ORDER BY rank` on the FTS table: one bm25 per match, no row read) and the
 * table is read in that order only until the page and one more row passed the filter, the rule
 * and the account, as a hand-written `… ORDER BY rank LIMIT 30` does; those rows are then put in
 * (rank, id) order. FTS5 leaves the order of equal ranks open, so when the last row read ranks
 * equal with the one before it (rows beyond might share that rank with a smaller id), the page
 * is read again the first way (exact duplicates of a text, rare). PostgreSQL's top-N sort keeps
 * only the page's rows already.
 */
import { sql, type Expression, type SqlBool } from "kysely";
import type { Row, SqlDb, Statement } from "../../db/sql-db.ts";
import { ftsTable, SEARCH_COLUMN, SEARCHABLE_TYPES, type CollectionDef } from "../collections/types.ts";
import { BadRequestError } from "../errors.ts";
import { cachedPiece } from "./list-statement.ts";
import { matchesAtLeast } from "./match-probe.ts";

const MAX_SEARCH_WORDS = 16;
/**
 * From this many matches on, SQLite reads a relevance page in FTS5's rank order; below it, every
 * match is ranked with its row. Measured on 10,000 posts (16 MiB page cache, every row cached):
 * the rank order cost more at every match count up to about 9,000 (0.8 ms against 0.1 ms for
 * one match, 5.6 against 3.0 ms for 4,445), the same at 9,318; on 100,000 posts, where the rows
 * no longer fit the page cache, 84 ms against 140 ms for 93,000 matches.
 */
export const RANK_ORDER_MIN_MATCHES = 10_000;

/** A parsed search: what filters the list, and the engine's query for a relevance order. */
export interface Search {
  condition: Expression<SqlBool>;
  /** the FTS5 MATCH expression (SQLite) or the tsquery text (PostgreSQL) */
  query: string;
}

/**
 * Parses a search term against a collection.
 * @throws BadRequestError (400, details `search`) when the collection has no searchable field or
 *   the term has no letter or digit.
 */
export function parseSearch(db: SqlDb, def: CollectionDef, term: string): Search {
  if (!def.fields.some((f) => SEARCHABLE_TYPES.has(f.type)))
    throw new BadRequestError(`Collection '${def.name}' has no searchable fields (text, editor, email or url)`, { search: "No searchable fields" });
  const words = (term.normalize("NFKC").match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, MAX_SEARCH_WORDS);
  if (words.length === 0) throw new BadRequestError("Search term must contain at least one letter or digit", { search: "No searchable words" });
  if (db.dialect === "sqlite") {
    const query = words.map((w) => `"${w}"*`).join(" ");
    const fts = sql.table(ftsTable(def.name));
    return { condition: sql<SqlBool>`${sql.ref(`${def.name}.rowid`)} IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${query})`, query };
  }
  const query = words.map((w) => `${w.toLowerCase()}:*`).join(" & ");
  return { condition: sql<SqlBool>`${sql.ref(SEARCH_COLUMN)} @@ to_tsquery('simple', ${query})`, query };
}

/**
 * `(<filter>) and <the search's condition>`: the WHERE of a searched list (a sorted page, the
 * count); the condition's text is the same for every term (cached per definition), so the count
 * of a search is one statement text whatever the page, sort or cursor.
 */
export function searchWhere(db: SqlDb, def: CollectionDef, search: Search, filter: Statement): Statement {
  const parameters = [...filter.parameters, search.query];
  if (db.dialect === "sqlite") {
    const condition = cachedPiece(def, "search", () => {
      const fts = sql.table(ftsTable(def.name));
      return sql`${sql.ref(`${def.name}.rowid`)} IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?)`.compile(db.qb).sql;
    });
    return { sql: `(${filter.sql}) and ${condition}`, parameters };
  }
  return { sql: `(${filter.sql}) and "${SEARCH_COLUMN}" @@ to_tsquery('simple', $${parameters.length})`, parameters };
}

/** What a relevance-ordered page reads (as PageStatementInput in list-statement.ts, the order aside). */
export interface RelevancePageInput {
  columns: readonly string[];
  /** the filter with the caller's access rule ANDed in, without the search, compiled */
  where: Statement;
  accountId: string;
  limit: number;
  /** rows to skip (none when 0) */
  offset: number;
}

/** The quoted column list, table and FTS table of a relevance page's statement (compiled once per definition). */
function names(db: SqlDb, def: CollectionDef, columns: readonly string[]): { columns: string; table: string; fts: string } {
  return {
    columns: cachedPiece(def, `columns\0${columns.join(",")}`, () => sql.join(columns.map((c) => sql.ref(`${def.name}.${c}`))).compile(db.qb).sql),
    table: cachedPiece(def, "table", () => sql.table(def.name).compile(db.qb).sql),
    fts: cachedPiece(def, "fts", () => sql.table(ftsTable(def.name)).compile(db.qb).sql),
  };
}

/**
 * The SELECT of one page of a search ordered by relevance (best first, `id` breaking ties): the
 * rows of the account that match both the search and `where`.
 * @example relevanceStatement(db, posts, parseSearch(db, posts, "lorem"), { columns, where, accountId, limit: 31, offset: 0 })
 */
export function relevanceStatement(db: SqlDb, def: CollectionDef, search: Search, p: RelevancePageInput): Statement {
  const filter = p.where;
  const { columns, table, fts } = names(db, def, p.columns);
  if (db.dialect === "sqlite") {
    // the inner select ranks and sorts (rank, id, rowid) only; the outer one reads the page's rows
    const text =
      `select ${columns} from (select ${table}.rowid as "_search_rid", "_search_hits"."_search_rank", ${table}."id" as "_search_id"` +
      ` from ${table} inner join (select rowid as "_search_rid", rank as "_search_rank" from ${fts} where ${fts} match ?) as "_search_hits"` +
      ` on "_search_hits"."_search_rid" = ${table}.rowid where (${filter.sql}) and ${table}."account_id" = ?` +
      ` order by "_search_hits"."_search_rank", ${table}."id" limit ?${p.offset > 0 ? " offset ?" : ""})` +
      ` as "_search_page" inner join ${table} on ${table}.rowid = "_search_page"."_search_rid" order by "_search_page"."_search_rank", "_search_page"."_search_id"`;
    const parameters = [search.query, ...filter.parameters, p.accountId, p.limit];
    return { sql: text, parameters: p.offset > 0 ? [...parameters, p.offset] : parameters };
  }
  const n = filter.parameters.length;
  const query = `to_tsquery('simple', $${n + 2})`;
  const text =
    `select ${columns} from ${table} where (${filter.sql}) and "account_id" = $${n + 1} and "${SEARCH_COLUMN}" @@ ${query}` +
    ` order by ts_rank("${SEARCH_COLUMN}", ${query}) desc, ${table}."id" asc limit $${n + 3}${p.offset > 0 ? ` offset $${n + 4}` : ""}`;
  const parameters = [...filter.parameters, p.accountId, search.query, p.limit];
  return { sql: text, parameters: p.offset > 0 ? [...parameters, p.offset] : parameters };
}

/**
 * The rows of one page of a search ordered by relevance (as `relevanceStatement`); on SQLite,
 * for a search with at least `minMatches` matches, through FTS5's own rank order, stopping after
 * the page (see the module comment).
 */
export async function relevancePage(db: SqlDb, def: CollectionDef, search: Search, p: RelevancePageInput, minMatches = RANK_ORDER_MIN_MATCHES): Promise<Row[]> {
  if (db.dialect !== "sqlite" || !(await matchesAtLeast(db, ftsTable(def.name), search.query, minMatches))) return db.query(relevanceStatement(db, def, search, p));
  const read = p.offset + p.limit + 1;
  const rows = await db.query(rankOrderStatement(db, def, search, p, read));
  const first = rows[0];
  // rows[i]._search_read / _search_ties: rows read in FTS5's order, and how many share the last one's rank
  if (first !== undefined && Number(first._search_read) === read && Number(first._search_ties) > 1) return db.query(relevanceStatement(db, def, search, p));
  return rows;
}

/**
 * The first `read` rows of the account that match the search and `where`, in FTS5's rank order
 * (equal ranks in no set order), of which the page (`offset`, `limit`) is returned in (rank, id)
 * order, every row with the number of rows read and how many of them share the last one's rank.
 */
function rankOrderStatement(db: SqlDb, def: CollectionDef, search: Search, p: RelevancePageInput, read: number): Statement {
  const { columns, table, fts } = names(db, def, p.columns);
  // the matches first (CROSS JOIN keeps them the outer loop), ordered by rank alone: FTS5 then
  // sorts them itself; the subquery keeps the FTS table's column names out of the filter's scope
  const text =
    `with "_search_top" as materialized (select ${table}.rowid as "_search_rid", "_search_hits"."_search_rank", ${table}."id" as "_search_id"` +
    ` from (select rowid as "_search_rid", rank as "_search_rank" from ${fts} where ${fts} match ?) as "_search_hits"` +
    ` cross join ${table} on ${table}.rowid = "_search_hits"."_search_rid" where (${p.where.sql}) and ${table}."account_id" = ?` +
    ` order by "_search_hits"."_search_rank" limit ?)` +
    ` select ${columns}, (select count(*) from "_search_top") as "_search_read",` +
    ` (select count(*) from "_search_top" where "_search_rank" = (select max("_search_rank") from "_search_top")) as "_search_ties"` +
    ` from (select * from "_search_top" order by "_search_rank", "_search_id" limit ? offset ?) as "_search_page"` +
    ` inner join ${table} on ${table}.rowid = "_search_page"."_search_rid" order by "_search_page"."_search_rank", "_search_page"."_search_id"`;
  return { sql: text, parameters: [search.query, ...p.where.parameters, p.accountId, read, p.limit, p.offset] };
}
