/**
 * File fields and the records that use files. Every record write calls `syncFileRefs` with its
 * events, inside its transaction: file ids a write adds must name files of the record's account
 * that the caller uploaded (superadmins: any of the account) — else 422 naming the field; the
 * `_file_refs` rows follow the record (which records use which file); and files that lose their
 * last reference — cleared from a field, or their record deleted (cascades included) — are
 * deleted with the write, their bytes and thumbnails after it commits. A constant number of
 * statements per write, whatever the number of records; none for collections without file fields.
 */
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import { isSuperadmin, type Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import type { CairnEvent } from "../events/bus.ts";
import { dict } from "../../lib/own.ts";
import { removeStoredFiles } from "./remove.ts";
import { dbTimestamp } from "./orphans.ts";

const fileFieldCache = new WeakMap<CollectionDef, FieldDef[]>();

/** The file fields of a collection (cached per definition). */
export function fileFields(def: CollectionDef): FieldDef[] {
  let out = fileFieldCache.get(def);
  if (!out) fileFieldCache.set(def, (out = def.fields.filter((f) => f.type === "file")));
  return out;
}

/** The file ids a record holds in `field` (a list, or a single id from older writes). */
export function fileIdsOf(rec: Record<string, unknown> | null | undefined, field: string): string[] {
  const v = rec?.[field];
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function idsOfRecord(fields: readonly FieldDef[], rec: Record<string, unknown> | null | undefined): Set<string> {
  const out = new Set<string>();
  for (const f of fields) for (const id of fileIdsOf(rec, f.name)) out.add(id);
  return out;
}

interface Ref {
  fileId: string;
  collectionId: string;
  recordId: string;
}

/**
 * Keeps `_file_refs` in step with record events written in `tx` (see the module doc).
 * @throws ValidationError 422 `{<field>: "File 'x' not found"}` for added ids that do not name a
 *   file of the account the caller may attach.
 */
export async function syncFileRefs(ctx: Context, tx: SqlDb, events: readonly CairnEvent[]): Promise<void> {
  const added: Ref[] = [];
  const removed: Ref[] = [];
  const deletedRecords = new Map<string, string[]>();
  const fieldOfAdded = new Map<string, string>();
  let accountId: string | undefined;
  for (const e of events) {
    if (!e.type.startsWith("record.") || !e.recordId) continue;
    const def = ctx.services.collections.get(e.collection);
    if (!def) continue;
    const fields = fileFields(def);
    if (fields.length === 0) continue;
    accountId = e.accountId;
    if (e.type === "record.delete") {
      const list = deletedRecords.get(def.id) ?? [];
      list.push(e.recordId);
      deletedRecords.set(def.id, list);
      continue;
    }
    const before = e.type === "record.update" ? idsOfRecord(fields, e.previous) : new Set<string>();
    const after = idsOfRecord(fields, e.payload);
    for (const id of after)
      if (!before.has(id)) {
        added.push({ fileId: id, collectionId: def.id, recordId: e.recordId });
        if (!fieldOfAdded.has(id)) fieldOfAdded.set(id, fields.find((f) => fileIdsOf(e.payload, f.name).includes(id))!.name);
      }
    for (const id of before) if (!after.has(id)) removed.push({ fileId: id, collectionId: def.id, recordId: e.recordId });
  }
  if (accountId === undefined) return;

  if (added.length) await checkAttachable(ctx, tx, accountId, fieldOfAdded);
  const candidates = new Set(removed.map((r) => r.fileId));
  for (const [collectionId, recordIds] of deletedRecords) {
    const refs = await tx.query<{ file_id: string }>(tx.qb.selectFrom("_file_refs").select("file_id").where("collection_id", "=", collectionId).where("record_id", "in", recordIds));
    for (const r of refs) candidates.add(r.file_id);
    await tx.execute(tx.qb.deleteFrom("_file_refs").where("collection_id", "=", collectionId).where("record_id", "in", recordIds));
  }
  if (removed.length)
    await tx.execute(
      tx.qb.deleteFrom("_file_refs").where((eb) => eb.or(removed.map((r) => eb.and([eb("file_id", "=", r.fileId), eb("collection_id", "=", r.collectionId), eb("record_id", "=", r.recordId)])))),
    );
  if (added.length)
    await tx.execute(
      tx.qb
        .insertInto("_file_refs")
        .values(added.map((r) => ({ file_id: r.fileId, collection_id: r.collectionId, record_id: r.recordId })))
        .onConflict((oc) => oc.doNothing()),
    );
  if (candidates.size) await deleteUnreferenced(ctx, tx, [...candidates]);
}

/**
 * 422 naming the field of each added id that is not a file of the account the caller may attach.
 * Touches the files' `updated` in the write's transaction: the orphan sweep (orphans.ts) then
 * cannot delete a file a record is taking, even on another instance.
 */
async function checkAttachable(ctx: Context, tx: SqlDb, accountId: string, fieldOf: ReadonlyMap<string, string>): Promise<void> {
  const { rows } = await tx.execute<{ id: string; user_id: string | null }>(
    tx.qb
      .updateTable("_files")
      .set({ updated: dbTimestamp(ctx.services.now()) })
      .where("account_id", "=", accountId)
      .where("id", "in", [...fieldOf.keys()])
      .returning(["id", "user_id"]),
  );
  const found = new Map(rows.map((r) => [r.id, r.user_id]));
  const caller = ctx.principal.kind === "user" ? ctx.principal.userId : undefined;
  const problems = dict<string>();
  for (const [id, field] of fieldOf) {
    const owner = found.get(id);
    const ok = owner !== undefined && (isSuperadmin(ctx) || owner === caller);
    if (!ok) problems[field] = problems[field] ? `${problems[field]}, '${id}'` : `File '${id}' not found`;
  }
  const fields = Object.keys(problems);
  if (fields.length) throw new ValidationError(`Invalid file${fields.length > 1 ? "s" : ""}: ${fields.map((f) => `${f}: ${problems[f]}`).join("; ")}`, problems);
}

/** Deletes those of `ids` no record uses any more (rows now, bytes and thumbnails after commit). */
export async function deleteUnreferenced(ctx: Context, tx: SqlDb, ids: readonly string[]): Promise<void> {
  const orphans = await tx.query<{ id: string; storage_key: string }>(
    tx.qb
      .selectFrom("_files")
      .select(["id", "storage_key"])
      .where("id", "in", ids)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("_file_refs").select("file_id").whereRef("_file_refs.file_id", "=", "_files.id")))),
  );
  if (orphans.length === 0) return;
  await tx.execute(
    tx.qb.deleteFrom("_files").where(
      "id",
      "in",
      orphans.map((o) => o.id),
    ),
  );
  tx.afterCommit(() =>
    removeStoredFiles(
      ctx.services,
      orphans.map((o) => ({ id: o.id, storageKey: o.storage_key })),
    ),
  );
}

/** Removes the references of every record of a deleted collection, and the files only they used. */
export async function dropCollectionFileRefs(ctx: Context, tx: SqlDb, collectionId: string): Promise<void> {
  const refs = await tx.query<{ file_id: string }>(tx.qb.selectFrom("_file_refs").select("file_id").where("collection_id", "=", collectionId));
  if (refs.length === 0) return;
  await tx.execute(tx.qb.deleteFrom("_file_refs").where("collection_id", "=", collectionId));
  await deleteUnreferenced(ctx, tx, [...new Set(refs.map((r) => r.file_id))]);
}
