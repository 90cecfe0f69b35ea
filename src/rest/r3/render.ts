/**
 * Domain → R3 CMS wire shapes: documents (`id, type, slug, status, authorId, publishedAt, data,
 * createdAt, updatedAt`), the Payload-style list envelope, content types, versions, and the
 * `{error: {code, message}}` error body.
 */
import type { CollectionDef, FieldDef } from "../../core/collections/types.ts";
import type { Document, DocumentPage } from "../../core/content/documents.ts";
import { contentOptions } from "../../core/content/options.ts";
import type { DocumentVersion } from "../../core/content/versions.ts";
import type { AppError } from "../../core/errors.ts";
import { dataFields, type Projection } from "./parse.ts";

export interface R3Document {
  id: string;
  type: string;
  slug: string | null;
  status: string;
  authorId: string | null;
  publishedAt: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** Rich text as R3 sends it: a stored JSON document (`{…}`) parsed back, HTML as it is. */
function richText(v: unknown): unknown {
  if (typeof v !== "string" || !v.startsWith("{") || !v.endsWith("}")) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** One document in the R3 shape. */
export function renderDocument(def: CollectionDef, d: Pick<Document, "record">): R3Document {
  const r = d.record;
  const data: Record<string, unknown> = {};
  for (const f of dataFields(def))
    if (Object.hasOwn(r, f.name)) Object.defineProperty(data, f.name, { value: f.type === "editor" ? richText(r[f.name]) : r[f.name], enumerable: true, writable: true, configurable: true });
  return {
    id: r.id,
    type: def.name,
    slug: (r.slug as string | null) ?? null,
    // a document of a collection that turned drafts on later has no status yet: a draft
    status: (r.status as string | null) ?? (contentOptions(def).drafts ? "draft" : "published"),
    authorId: r.owner_id,
    publishedAt: (r.published_at as string | null) ?? null,
    data,
    createdAt: r.created,
    updatedAt: r.updated,
  };
}

/** The document with only (or without) the named keys: base keys, `data`, `data.<field>`; bare names are data fields. */
export function project(doc: R3Document, p: Projection | undefined): Record<string, unknown> {
  if (!p) return doc as unknown as Record<string, unknown>;
  const isBase = (n: string) => n !== "data" && Object.hasOwn(doc, n);
  const dataName = (n: string) => (n.startsWith("data.") ? n.slice(5) : isBase(n) || n === "data" ? null : n);
  if (p.mode === "exclude") {
    const out: Record<string, unknown> = { ...doc, data: { ...doc.data } };
    for (const n of p.names) {
      const d = dataName(n);
      if (d !== null) delete (out.data as Record<string, unknown>)[d];
      else if (n !== "id") delete out[n];
    }
    return out;
  }
  const out: Record<string, unknown> = { id: doc.id };
  const data: Record<string, unknown> = {};
  let wantData = false;
  for (const n of p.names) {
    const d = dataName(n);
    if (n === "data") Object.assign(data, doc.data);
    else if (d === null) out[n] = (doc as unknown as Record<string, unknown>)[n];
    else if (Object.hasOwn(doc.data, d)) data[d] = doc.data[d];
    wantData ||= n === "data" || d !== null;
  }
  if (wantData) out.data = data;
  return out;
}

/** The Payload-style envelope of a page. */
export function envelope<T>(docs: T[], page: Pick<DocumentPage, "total" | "page" | "pageSize">) {
  const totalPages = page.pageSize > 0 ? Math.ceil(page.total / page.pageSize) : 0;
  const hasNextPage = page.page < totalPages;
  const hasPrevPage = page.page > 1;
  return {
    docs,
    totalDocs: page.total,
    limit: page.pageSize,
    totalPages,
    page: page.page,
    hasNextPage,
    hasPrevPage,
    nextPage: hasNextPage ? page.page + 1 : null,
    prevPage: hasPrevPage ? page.page - 1 : null,
  };
}

/** Our field types → R3's names. */
const R3_TYPE: Readonly<Partial<Record<FieldDef["type"], string>>> = { editor: "richText", bool: "boolean", reference: "relation", file: "media" };

function renderField(f: FieldDef) {
  return {
    name: f.name,
    label: f.label ?? f.name,
    type: R3_TYPE[f.type] ?? f.type,
    required: f.required,
    ...(f.options.values ? { options: f.options.values } : {}),
    ...(f.type === "reference" && f.options.collection ? { relationTo: f.options.collection } : {}),
  };
}

const text = (v: unknown) => (typeof v === "string" ? v : null);

/** A content type in the R3 shape. */
export function renderContentType(def: CollectionDef) {
  const o = contentOptions(def);
  return {
    id: def.id,
    name: def.name,
    label: text(def.options.label) ?? def.name,
    description: text(def.options.description),
    slugField: o.slugField,
    titleField: o.titleField,
    icon: text(def.options.icon),
    fields: dataFields(def).map(renderField),
  };
}

/** A stored version in the R3 shape (`data` as in documents: the content type's own fields). */
export function renderVersion(def: CollectionDef, v: DocumentVersion) {
  const data: Record<string, unknown> = {};
  for (const f of dataFields(def)) if (Object.hasOwn(v.data, f.name)) data[f.name] = v.data[f.name];
  return { id: v.id, documentId: v.recordId, version: v.recordVersion, status: v.status, slug: (v.data.slug as string | null) ?? null, data, authorId: v.authorId, createdAt: v.created };
}

/** R3 error codes by status (spec 004): 400s are validation errors there. */
export function r3Error(e: AppError): { status: number; body: { error: { code: string; message: string; details?: Record<string, unknown> } } } {
  let status = e.status;
  let code: string = e.code;
  if (status === 400 || e.code === "VALIDATION_ERROR") [status, code] = [422, "VALIDATION_ERROR"];
  else if (e.code === "UNAUTHENTICATED") code = "UNAUTHORIZED";
  else if (e.code === "INTERNAL") code = "INTERNAL_ERROR";
  return { status, body: { error: { code, message: e.message, ...(e.details ? { details: e.details } : {}) } } };
}
