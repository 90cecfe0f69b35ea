/**
 * Full-text search of a list (`search=`): the condition (FTS5 on SQLite, the `_search` tsvector on
 * PostgreSQL; words matched as prefixes, all required) and the relevance order used when the
 * list has no sort of its own: bm25 on SQLite (FTS5's `rank`), `ts_rank` on PostgreSQL, best
 * first, `id` breaking ties. Ranking needs every match scored, so a relevance-ordered page costs
 * the number of matches; with a sort the index of that sort serves the page as usual.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { ftsTable, SEARCH_COLUMN, SEARCHABLE_TYPES, type CollectionDef } from "../collections/types.ts";
import { BadRequestError } from "../errors.ts";

const MAX_SEARCH_WORDS = 16;
/** Alias of the ranked matches joined to a relevance-ordered SQLite list. */
const RANKED = "_search_hits";

/** A parsed search: what filters the list and how to order it by relevance. */
export interface Search {
  condition: Expression<SqlBool>;
  /** SQLite: the ranked matches to join (`<RANKED>._search_rid` = the table's rowid) */
  join?: RawBuilder<unknown>;
  /** ORDER BY terms for relevance, best first */
  order: RawBuilder<unknown>;
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
  const id = sql.ref(`${def.name}.id`);
  if (db.dialect === "sqlite") {
    const match = words.map((w) => `"${w}"*`).join(" ");
    const fts = sql.table(ftsTable(def.name));
    return {
      condition: sql<SqlBool>`${sql.ref(`${def.name}.rowid`)} IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${match})`,
      join: sql`(SELECT rowid AS _search_rid, rank AS _search_rank FROM ${fts} WHERE ${fts} MATCH ${match})`,
      order: sql`${sql.ref(`${RANKED}._search_rank`)} ASC, ${id} ASC`,
    };
  }
  const query = sql`to_tsquery('simple', ${words.map((w) => `${w.toLowerCase()}:*`).join(" & ")})`;
  return {
    condition: sql<SqlBool>`${sql.ref(SEARCH_COLUMN)} @@ ${query}`,
    order: sql`ts_rank(${sql.ref(SEARCH_COLUMN)}, ${query}) DESC, ${id} ASC`,
  };
}

/** Whether relevance order joins the ranked matches (SQLite), which then replace the condition. */
export const joinsRanked = (search: Search): boolean => search.join !== undefined;

/** Joins the ranked matches (SQLite) to a select that orders by relevance. */
export function joinRanked(select: any, def: CollectionDef, search: Search): any {
  if (!search.join) return select;
  return select.innerJoin(search.join.as(RANKED), (j: any) => j.onRef(`${RANKED}._search_rid`, "=", `${def.name}.rowid`));
}
