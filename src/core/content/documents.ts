/**
 * Documents: the records of draft-enabled collections ("content types") read as one body of
 * content — listed per type or across types, found by id without knowing the type, found by
 * slug. Published documents only, unless the caller asks for drafts and may see them. Filters
 * are ASTs over the collections' field names, where the field `type` stands for the
 * collection's name (folded to a constant per collection).
 */
import { and, mapOperands, type Expr } from "../../query/ast.ts";
import { requireScope } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { AppError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { MAX_PAGE_SIZE } from "../records/list-query.ts";
import { getRecord, listRecords } from "../records/read.ts";
import type { RecordData } from "../records/values.ts";
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

/**
 * Lists documents. With a type: one list query. Across types: the first `page × pageSize`
 * documents of each type the caller may list, merged in sort order (so at most
 * {@link MAX_PAGE_SIZE} documents deep; deeper pages need a type).
 * @throws ValidationError 422 (page range, cross-type depth), BadRequestError 400 (filter/sort:
 *   unknown field…), NotFoundError 404 (unknown type), 401/403.
 */
export async function listDocuments(ctx: Context, q: DocumentQuery): Promise<DocumentPage> {
  const drafts = checkDrafts(ctx, q.drafts);
  if (q.type !== undefined) {
    const def = requireContentType(ctx, q.type);
    const r = await listRecords(ctx, def.name, { filter: forType(def, q.filter, drafts), sort: q.sort, page: q.page, pageSize: q.pageSize });
    return { items: r.items.map((record) => ({ type: def.name, record })), total: r.total ?? 0, page: r.page, pageSize: r.pageSize };
  }
  const depth = q.page * q.pageSize;
  if (depth > MAX_PAGE_SIZE)
    throw new ValidationError(`Across content types, lists reach ${MAX_PAGE_SIZE} documents deep (page × limit); pass a type to page further`, {
      page: `page × limit must be at most ${MAX_PAGE_SIZE}`,
    });
  const all: (Document & { keys: unknown[] })[] = [];
  let total = 0;
  let terms: { name: string; desc: boolean }[] = [];
  for (const def of contentTypes(ctx)) {
    let r;
    try {
      r = await listRecords(ctx, def.name, { filter: forType(def, q.filter, drafts), sort: q.sort, page: 1, pageSize: depth });
    } catch (e) {
      if (e instanceof AppError && (e.status === 401 || e.status === 403) && e.code !== "UNAUTHENTICATED") continue; // a type the caller may not list
      throw e;
    }
    total += r.total ?? 0;
    terms = r.terms.filter((t) => t.name !== "id");
    for (const record of r.items) all.push({ type: def.name, record, keys: [...terms.map((t) => record[t.name] ?? null), record.id] });
  }
  const cmp = (a: unknown, b: unknown): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as string) < (b as string) ? -1 : 1);
  all.sort((x, y) => {
    for (let i = 0; i < x.keys.length; i++) {
      const desc = i < terms.length ? terms[i]!.desc : (terms[terms.length - 1]?.desc ?? true);
      const c = cmp(x.keys[i], y.keys[i]);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
  const start = (q.page - 1) * q.pageSize;
  return { items: all.slice(start, start + q.pageSize).map(({ type, record }) => ({ type, record })), total, page: q.page, pageSize: q.pageSize };
}

/**
 * A document by id, in whichever content type holds it (one primary-key lookup per type).
 * Drafts only with `drafts` (see listDocuments).
 * @throws NotFoundError 404 (absent, hidden, or a draft without `drafts`), 401/403.
 */
export async function findDocument(ctx: Context, id: string, drafts?: boolean): Promise<Document> {
  const withDrafts = checkDrafts(ctx, drafts);
  for (const def of contentTypes(ctx)) {
    let record: RecordData;
    try {
      record = await getRecord(ctx, def.name, id);
    } catch (e) {
      if (e instanceof NotFoundError || (e instanceof AppError && e.status === 403)) continue;
      throw e;
    }
    if (!withDrafts && record[F.status] !== "published") break;
    return { type: def.name, record };
  }
  throw new NotFoundError(`Document '${id}' not found`);
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
 * The content type holding document `id` (for writes addressed by id alone), drafts included
 * for callers who may see them.
 * @throws NotFoundError 404.
 */
export async function documentType(ctx: Context, id: string): Promise<CollectionDef> {
  const { db } = ctx.services;
  for (const def of contentTypes(ctx)) {
    const rows = await db.query(db.qb.selectFrom(def.name).select("id").where("account_id", "=", ctx.principal.accountId).where("id", "=", id));
    if (rows.length) return def;
  }
  throw new NotFoundError(`Document '${id}' not found`);
}
