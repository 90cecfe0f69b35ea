/**
 * Documents: the records of draft-enabled collections ("content types") read as one body of
 * content — listed per type or across types, found by id without knowing the type, found by
 * slug. Published documents only, unless the caller asks for drafts and may see them. Filters
 * are ASTs over the collections' field names, where the field `type` stands for the
 * collection's name (folded to a constant per collection).
 */
import { sql } from "kysely";
import { and, FilterError, mapOperands, type Expr } from "../../query/ast.ts";
import { requireScope } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { AppError, BadRequestError, ForbiddenError, NotFoundError } from "../errors.ts";
import { pageWindow } from "../records/list-query.ts";
import { listRecords } from "../records/read.ts";
import type { RecordData } from "../records/values.ts";
import { recordAccess } from "../rules/access.ts";
import { fieldAccess } from "../rules/field-access.ts";
import { readUnion, type UnionBranch, type UnionSortTerm } from "./document-union.ts";
import { CONTENT_FIELD as F, contentOptions } from "./options.ts";
import { canSeeDrafts, PUBLISHED } from "./visibility.ts";

/** The pseudo-field naming a document's collection in document filters. */
export const TYPE_FIELD = "type";

export interface Document {
  /** the collection (content type) */
  type: string;
  record: RecordData;
}

export interface DocumentQuery {
  /** one content type; absent: every content type the caller may list */
  type?: string;
  /** over field names, `type` included */
  filter?: Expr;
  /** field names, `-` for descending, comma-separated (records sort syntax) */
  sort?: string;
  page: number;
  pageSize: number;
  /** include drafts (needs the `admin` scope and draft access) */
  drafts?: boolean;
}

export interface DocumentPage {
  items: Document[];
  total: number;
  page: number;
  pageSize: number;
}

/** The content types: collections with the drafts option, in name order. */
export function contentTypes(ctx: Context): CollectionDef[] {
  return ctx.services.collections
    .list()
    .filter((d) => contentOptions(d).drafts)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The content type `name`. @throws NotFoundError 404 when there is none. */
export function requireContentType(ctx: Context, name: string): CollectionDef {
  const def = ctx.services.collections.get(name);
  if (!def || !contentOptions(def).drafts) throw new NotFoundError(`Content type '${name}' not found`);
  return def;
}

/** Checks a request for drafts: `admin` scope, and a caller who may see drafts. */
function checkDrafts(ctx: Context, drafts: boolean | undefined): boolean {
  if (!drafts) return false;
  requireScope(ctx, "admin");
  if (!canSeeDrafts(ctx)) throw new ForbiddenError("Draft access needs an admin API key");
  return true;
}

/** The filter for one collection: `type` folded to its name, published only unless drafts. */
function forType(def: CollectionDef, filter: Expr | undefined, drafts: boolean): Expr {
  const folded = filter && mapOperands(filter, (o) => (o.kind === "field" && o.name === TYPE_FIELD ? { kind: "value", value: def.name } : o));
  return and(folded, drafts ? undefined : PUBLISHED);
}

/** The caller's list/view rule for `def`, or undefined when they may not list/view it at all. */
function ruleFor(ctx: Context, def: CollectionDef, action: "list" | "view"): Expr | undefined {
  try {
    return recordAccess(ctx, def, action);
  } catch (e) {
    if (e instanceof AppError && (e.status === 401 || e.status === 403) && e.code !== "UNAUTHENTICATED") return undefined; // a type the caller may not read
    throw e;
  }
}

/** Every content type the caller may read, as union branches (content/document-union.ts). */
function branches(ctx: Context, action: "list" | "view", filter: Expr | undefined, drafts: boolean): UnionBranch[] {
  const out: UnionBranch[] = [];
  for (const def of contentTypes(ctx)) {
    const rule = ruleFor(ctx, def, action);
    if (!rule) continue;
    const folded = filter && mapOperands(filter, (o) => (o.kind === "field" && o.name === TYPE_FIELD ? { kind: "value", value: def.name } : o));
    out.push({ def, filter: folded, rule: and(rule, drafts ? undefined : PUBLISHED), readable: fieldAccess(ctx, def, action).readable });
  }
  return out;
}

/** Sort text (`a,-b`, field names) → terms. */
function sortTerms(sort: string | undefined): UnionSortTerm[] {
  if (!sort?.trim()) return [];
  return sort.split(",").map((raw) => {
    const t = raw.trim();
    return { name: t.replace(/^[-+]/, ""), desc: t.startsWith("-") };
  });
}

function badFilter(e: unknown): never {
  if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message });
  throw e;
}

/**
 * Lists documents. With a type: one list query. Across types: one statement over every type the
 * caller may list (content/document-union.ts), exact at any depth.
 * @throws ValidationError 422 (page range; a sort field of different kinds in different types),
 *   BadRequestError 400 (filter/sort: unknown field…), NotFoundError 404 (unknown type), 401/403.
 */
export async function listDocuments(ctx: Context, q: DocumentQuery): Promise<DocumentPage> {
  const drafts = checkDrafts(ctx, q.drafts);
  if (q.type !== undefined) {
    const def = requireContentType(ctx, q.type);
    const r = await listRecords(ctx, def.name, { filter: forType(def, q.filter, drafts), sort: q.sort, page: q.page, pageSize: q.pageSize });
    return { items: r.items.map((record) => ({ type: def.name, record })), total: r.total ?? 0, page: r.page, pageSize: r.pageSize };
  }
  const { page, pageSize, skip } = pageWindow({ page: q.page, pageSize: q.pageSize });
  const r = await readUnion(ctx, branches(ctx, "list", q.filter, drafts), sortTerms(q.sort), { limit: pageSize, offset: skip, count: true }).catch(badFilter);
  return { items: r.items, total: r.total ?? 0, page, pageSize };
}

/**
 * A document by id, in whichever content type holds it: one statement over every type the caller
 * may view. Drafts only with `drafts` (see listDocuments).
 * @throws NotFoundError 404 (absent, hidden, or a draft without `drafts`), 401/403.
 */
export async function findDocument(ctx: Context, id: string, drafts?: boolean): Promise<Document> {
  const withDrafts = checkDrafts(ctx, drafts);
  const byId: Expr = { kind: "compare", op: "eq", left: { kind: "field", name: "id" }, right: { kind: "value", value: id } };
  const r = await readUnion(ctx, branches(ctx, "view", byId, withDrafts), [], { limit: 1, offset: 0, count: false });
  const doc = r.items[0];
  if (!doc) throw new NotFoundError(`Document '${id}' not found`);
  return doc;
}

/**
 * A document by content type and slug. Drafts only with `drafts`.
 * @throws NotFoundError 404 (unknown type, absent, hidden), 401/403.
 */
export async function documentBySlug(ctx: Context, type: string, slug: string, drafts?: boolean): Promise<Document> {
  const withDrafts = checkDrafts(ctx, drafts);
  const def = requireContentType(ctx, type);
  const filter: Expr = { kind: "compare", op: "eq", left: { kind: "field", name: F.slug }, right: { kind: "value", value: slug } };
  const r = await listRecords(ctx, def.name, { filter: forType(def, filter, withDrafts), pageSize: 1, skipTotal: true });
  const record = r.items[0];
  if (!record) throw new NotFoundError(`Document '${slug}' of type '${def.name}' not found`);
  return { type: def.name, record };
}

/**
 * The content type holding document `id` (for writes addressed by id alone; the write checks
 * access): one statement over every content type.
 * @throws NotFoundError 404.
 */
export async function documentType(ctx: Context, id: string): Promise<CollectionDef> {
  const { db } = ctx.services;
  const types = contentTypes(ctx);
  const [row] = types.length
    ? await db.query<{ doc_type: string }>(
        sql`${sql.join(
          types.map((def) => sql`SELECT CAST(${def.name} AS TEXT) AS doc_type FROM ${sql.table(def.name)} WHERE account_id = ${ctx.principal.accountId} AND id = ${id}`),
          sql` UNION ALL `,
        )} LIMIT 1`.compile(db.qb),
      )
    : [];
  const def = row && types.find((d) => d.name === row.doc_type);
  if (!def) throw new NotFoundError(`Document '${id}' not found`);
  return def;
}
