/**
 * List semantics shared by every list path (REST lists, GraphQL connections, grouped reverse
 * connections): the page-size/page/offset ranges, the default sort and the `id` tie-break, the
 * ORDER BY (text in code-point order on both databases), the keyset condition for cursors in
 * both directions, the cursor codec and the projection (which columns a list reads). Transports only translate their parameters into these
 * and render the result; nothing here knows a parameter name of any dialect.
 *
 * Keyset conditions are written as row-value comparisons (`(created, id) < (?, ?)`) when every
 * term has the same direction and a NOT NULL column: the `(account_id, created, id)` index then
 * serves the condition as a range, so a page costs the same at any depth. Mixed directions or
 * nullable columns use the expanded OR form, which is correct but evaluated row by row.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { Dialect } from "../../config.ts";
import type { SortTerm } from "../../query/sort.ts";
import { isNotNullColumn, RECORD_SYSTEM_FIELD_NAMES } from "../../query/system-fields.ts";
import { fieldAliases } from "../collections/renames.ts";
import type { CollectionDef } from "../collections/types.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { selectColumns, toStorage, type RecordData } from "./values.ts";

/** A sort term on a column (not `@random`). */
export type ColumnTerm = Extract<SortTerm, { column: string }>;

/** Page size when none is given. */
export const DEFAULT_PAGE_SIZE = 30;
/** Largest page size on every path. */
export const MAX_PAGE_SIZE = 100;
/** Pages past this are refused: deep pages belong to cursors, which cost the same at any depth. */
export const MAX_PAGE = 100_000;
/** Largest offset: the rows before {@link MAX_PAGE} at the largest page size. */
export const MAX_OFFSET = (MAX_PAGE - 1) * MAX_PAGE_SIZE;

/** The default order: newest first. */
export const DEFAULT_SORT: readonly ColumnTerm[] = [{ column: "created", name: "created", desc: true, kind: "datetime" }];

/** What a list asks for, in domain terms; every field is checked by {@link pageWindow}. */
export interface PageRequest {
  /** 1-based page number (ignored with a cursor); default 1 */
  page?: number;
  /** rows per page, 0 (only tell whether rows exist) to {@link MAX_PAGE_SIZE}; default {@link DEFAULT_PAGE_SIZE} */
  pageSize?: number;
  /** rows to skip instead of `page`, 0 to {@link MAX_OFFSET} */
  offset?: number;
}

/** A checked page request: how many rows, how many to skip. */
export interface PageWindow {
  page: number;
  pageSize: number;
  skip: number;
}

/**
 * Checks page, page size and offset against the one set of ranges.
 * @throws ValidationError (422) naming `pageSize`, `page` or `offset` (domain names; each dialect
 *   renders its own parameter name).
 */
export function pageWindow(q: PageRequest): PageWindow {
  const pageSize = q.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = q.page ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(`pageSize must be between 0 and ${MAX_PAGE_SIZE}`, { pageSize: `Must be between 0 and ${MAX_PAGE_SIZE}` });
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE)
    throw new ValidationError(`page must be between 1 and ${MAX_PAGE} (use the cursor for deeper pages)`, { page: `Must be between 1 and ${MAX_PAGE}` });
  if (q.offset !== undefined && (!Number.isInteger(q.offset) || q.offset < 0 || q.offset > MAX_OFFSET))
    throw new ValidationError(`offset must be between 0 and ${MAX_OFFSET} (use the cursor for deeper reads)`, { offset: `Must be between 0 and ${MAX_OFFSET}` });
  return { page, pageSize, skip: q.offset ?? (page - 1) * pageSize };
}

/**
 * The terms a list is ordered by: the given ones (default {@link DEFAULT_SORT}) with `id`
 * appended in the direction of the last term, so every row has a unique position and cursors are
 * stable.
 */
export function withTieBreak(terms: readonly ColumnTerm[]): ColumnTerm[] {
  const out = terms.length ? [...terms] : [...DEFAULT_SORT];
  if (!out.some((t) => t.column === "id")) out.push({ column: "id", name: "id", desc: out[out.length - 1]!.desc, kind: "text" });
  return out;
}

/** The same terms in the opposite direction (backward paging reads the reversed order). */
export function reverseTerms(terms: readonly ColumnTerm[]): ColumnTerm[] {
  return terms.map((t) => ({ ...t, desc: !t.desc }));
}

/**
 * Sort key of a term: text orders by code point on both databases (COLLATE "C" on PostgreSQL,
 * SQLite's default), the order the filter compiler and the in-memory predicate use.
 */
export function sortKey(t: ColumnTerm, dialect: Dialect): RawBuilder<unknown> {
  // ids are fixed-format UUIDs: every collation orders them alike, so the index keeps serving the tie-break.
  return t.kind === "text" && t.column !== "id" && dialect === "postgres" ? sql`${sql.ref(t.column)} COLLATE "C"` : sql`${sql.ref(t.column)}`;
}

/**
 * ORDER BY list for the terms. Nulls come first ascending and last descending on both databases
 * (SQLite's own placement); NOT NULL columns get no placement clause, so a PostgreSQL btree
 * index scanned in either direction serves the order.
 */
export function orderByList(terms: readonly ColumnTerm[], dialect: Dialect): RawBuilder<unknown> {
  return sql.join(
    terms.map((t) => {
      const dir = t.desc ? "DESC" : "ASC";
      return sql`${sortKey(t, dialect)} ${sql.raw(isNotNullColumn(t.column) ? dir : t.desc ? "DESC NULLS LAST" : "ASC NULLS FIRST")}`;
    }),
  );
}

/**
 * Keyset condition "the row comes after `values` in the order of `terms`" (see the module
 * comment for the two forms). Nulls are placed as in {@link orderByList}.
 */
export function afterCondition(terms: readonly ColumnTerm[], values: readonly unknown[], dialect: Dialect): Expression<SqlBool> {
  const desc = terms[0]!.desc;
  if (terms.every((t, i) => t.desc === desc && isNotNullColumn(t.column) && values[i] !== null)) {
    const keys = sql.join(terms.map((t) => sortKey(t, dialect)));
    const vals = sql.join(values.map((v) => sql`${v}`));
    return terms.length === 1 ? sql<SqlBool>`${keys} ${sql.raw(desc ? "<" : ">")} ${vals}` : sql<SqlBool>`(${keys}) ${sql.raw(desc ? "<" : ">")} (${vals})`;
  }
  const gt = (t: ColumnTerm, v: unknown) => {
    const c = sortKey(t, dialect);
    if (!t.desc) return v === null ? sql<SqlBool>`${c} IS NOT NULL` : sql<SqlBool>`${c} > ${v}`;
    return v === null ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${c} < ${v} OR ${c} IS NULL)`;
  };
  const eq = (t: ColumnTerm, v: unknown) => (v === null ? sql<SqlBool>`${sql.ref(t.column)} IS NULL` : sql<SqlBool>`${sortKey(t, dialect)} = ${v}`);
  const ors = terms.map((t, i) => sql.join([...terms.slice(0, i).map((p, j) => eq(p, values[j])), gt(t, values[i])], sql` AND `));
  return sql<SqlBool>`(${sql.join(
    ors.map((o) => sql`(${o})`),
    sql` OR `,
  )})`;
}

/**
 * Columns a list selects: the system columns of a record, then the collection's fields — only
 * those in `fields` (plus the sort terms' fields, which cursors need) when a projection is given.
 */
export function projectedColumns(def: CollectionDef, terms: readonly ColumnTerm[], fields: ReadonlySet<string> | undefined): string[] {
  if (!fields) return selectColumns(def);
  // an old name of a renamed field (grace period running) selects the field
  const aliased = def.options.renamed ? new Set([...fieldAliases(def)].filter(([from]) => fields.has(from)).map(([, to]) => to)) : undefined;
  return [...RECORD_SYSTEM_FIELD_NAMES, ...def.fields.filter((f) => fields.has(f.name) || aliased?.has(f.name) || terms.some((t) => t.name === f.name)).map((f) => f.name)];
}

/** Encodes stored sort values as an opaque cursor (base64url JSON). */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

const CURSOR_VALUE: Record<ColumnTerm["kind"], (v: unknown) => boolean> = {
  text: (v) => typeof v === "string",
  number: (v) => typeof v === "number" && Number.isFinite(v),
  bool: (v) => typeof v === "boolean" || v === 0 || v === 1,
  date: (v) => typeof v === "string" && !Number.isNaN(Date.parse(v)),
  datetime: (v) => typeof v === "string" && !Number.isNaN(Date.parse(v)),
  json: () => false,
};

/**
 * Decodes a cursor made by {@link encodeCursor} for these sort terms (one value per term, of the
 * term's kind or null).
 * @throws BadRequestError (400, details `cursor`) when it is malformed or made for another sort.
 */
export function decodeCursor(cursor: string, terms: readonly ColumnTerm[]): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === terms.length && v.every((x, i) => x === null || CURSOR_VALUE[terms[i]!.kind](x))) return v;
  } catch {
    /* fall through */
  }
  throw new BadRequestError("Invalid cursor: it does not belong to this query (sort changed?)", { cursor: "Invalid cursor" });
}

/** The cursor of a stored row (as selected) for the terms. */
export function rowCursor(terms: readonly ColumnTerm[], row: Record<string, unknown>): string {
  return encodeCursor(terms.map((t) => row[t.column] ?? null));
}

/**
 * The cursor of an API-shaped record for the terms: the same values {@link rowCursor} encodes
 * (field values converted to their stored form), so any record's cursor continues a list.
 */
export function recordCursor(def: CollectionDef, terms: readonly ColumnTerm[], rec: RecordData, dialect: Dialect): string {
  return encodeCursor(
    terms.map((t) => {
      const f = def.fields.find((x) => x.name === t.name);
      const v = rec[t.name] ?? null;
      return f ? toStorage(f, v, dialect) : v;
    }),
  );
}
