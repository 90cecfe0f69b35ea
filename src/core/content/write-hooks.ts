/**
 * What the content workflow adds to record writes, whatever the API: the record write path
 * (records/write.ts) calls these inside its transaction, before the row is written.
 *
 * - status defaults to `draft`; becoming `published` sets `published_at` (now, unless given),
 *   going back to `draft` clears it;
 * - a `publish_at` / `unpublish_at` that is already due is applied at once (and cleared);
 * - the slug is made from the slug field (else the title field, else the id) on create, or from
 *   a slug the client sends, and made unique in the collection with a numeric suffix.
 */
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import type { RecordData } from "../records/values.ts";
import { CONTENT_FIELD as F, contentOptions, hasSlug, isContentCollection } from "./options.ts";
import { slugify, uniqueSlugs } from "./slug.ts";

const due = (v: unknown, now: string) => typeof v === "string" && v <= now;

/** Applies status, schedule and publication time to `values` (all fields); returns the names it set. */
function applyStatus(values: Record<string, unknown>, previous: RecordData | undefined, now: string): string[] {
  const set: string[] = [];
  const put = (name: string, v: unknown) => {
    if (values[name] === v) return;
    values[name] = v;
    set.push(name);
  };
  if (values[F.status] == null) put(F.status, "draft");
  if (due(values[F.publishAt], now)) {
    put(F.status, "published");
    put(F.publishAt, null);
  }
  if (due(values[F.unpublishAt], now)) {
    put(F.status, "draft");
    put(F.unpublishAt, null);
  }
  const was = previous?.[F.status] ?? null;
  if (values[F.status] === "published") {
    const sent = values[F.publishedAt] != null && values[F.publishedAt] !== (previous?.[F.publishedAt] ?? null);
    if (values[F.publishedAt] == null || (was !== "published" && !sent)) put(F.publishedAt, now);
  } else if (values[F.publishedAt] != null) put(F.publishedAt, null);
  return set;
}

function slugSource(def: CollectionDef, rec: Record<string, unknown>): string {
  const o = contentOptions(def);
  for (const name of [o.slugField, o.titleField]) {
    const v = name ? rec[name] : null;
    if (typeof v === "string" && slugify(v)) return slugify(v);
  }
  return slugify(String(rec.id));
}

/**
 * Completes records about to be created (mutates each): status, publication time, slug. The
 * slugs of the whole batch cost one query (slug.ts). Nothing for collections outside the workflow.
 */
export async function prepareContentCreates(ctx: Context, tx: SqlDb, def: CollectionDef, recs: readonly RecordData[]): Promise<void> {
  if (!isContentCollection(def) || recs.length === 0) return;
  if (contentOptions(def).drafts) for (const rec of recs) applyStatus(rec, undefined, rec.created);
  if (!hasSlug(def)) return;
  const wishes = recs.map((rec) => {
    const given = typeof rec[F.slug] === "string" ? slugify(rec[F.slug] as string) : "";
    return { base: given || slugSource(def, rec) };
  });
  const slugs = await uniqueSlugs(tx, def, ctx.principal.accountId, wishes);
  recs.forEach((rec, i) => (rec[F.slug] = slugs[i]));
}

/** Completes a record about to be created: {@link prepareContentCreates} for one. */
export async function prepareContentCreate(ctx: Context, tx: SqlDb, def: CollectionDef, rec: RecordData): Promise<void> {
  await prepareContentCreates(ctx, tx, def, [rec]);
}

/** One record of an update: its stored state, its field values after the change, the fields the change sets. */
export interface ContentUpdate {
  current: RecordData;
  values: Record<string, unknown>;
  touched: string[];
}

/**
 * Completes updates (mutates each `values`, and appends to `touched` the fields it set): status
 * and publication time, a slug sent by the client made unique (or a missing one made). The
 * slugs of the whole batch cost one query. Nothing for collections outside the workflow.
 */
export async function prepareContentUpdates(ctx: Context, tx: SqlDb, def: CollectionDef, updates: readonly ContentUpdate[]): Promise<void> {
  if (!isContentCollection(def) || updates.length === 0) return;
  if (contentOptions(def).drafts) {
    const now = ctx.services.now().toISOString();
    for (const u of updates) u.touched.push(...applyStatus(u.values, u.current, now));
  }
  if (!hasSlug(def)) return;
  const need = updates.filter((u) => u.touched.includes(F.slug) || !u.current[F.slug]);
  const wishes = need.map(({ current, values }) => {
    const given = typeof values[F.slug] === "string" ? slugify(values[F.slug] as string) : "";
    return { base: given || slugSource(def, { ...current, ...values }), exceptId: current.id };
  });
  const slugs = await uniqueSlugs(tx, def, ctx.principal.accountId, wishes);
  need.forEach((u, i) => {
    if (!u.touched.includes(F.slug)) u.touched.push(F.slug);
    u.values[F.slug] = slugs[i];
  });
}

/** Completes one update: {@link prepareContentUpdates} for one. */
export async function prepareContentUpdate(ctx: Context, tx: SqlDb, def: CollectionDef, current: RecordData, values: Record<string, unknown>, touched: string[]): Promise<void> {
  await prepareContentUpdates(ctx, tx, def, [{ current, values, touched }]);
}
