/**
 * Record writes. Each runs in one transaction with its outbox rows; events reach the bus only
 * after commit. Access is asked of the rules seam (`recordAccess`) before anything is written.
 */
import { v7 as uuidv7 } from "uuid";
import { toPredicate } from "../../query/predicate.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { Expr } from "../../query/ast.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { prepareInput } from "./input.ts";
import { applyDeleteReferences, checkReferences } from "./references.ts";
import { deleteRecords, emitEvents, insertRecord, mapConstraintError, recordEvent, selectById, selectByIds, updateRecords } from "./store.ts";
import type { RecordData } from "./values.ts";

export const MAX_BULK = 100;

function ownerOf(ctx: Context): string | null {
  return ctx.principal.kind === "user" ? ctx.principal.userId : null;
}

/** Throws 403 unless the record satisfies the access expression. */
function assertAllowed(def: CollectionDef, access: Expr, rec: RecordData, action: string): void {
  if (access.kind === "const" && access.value) return;
  if (!toPredicate(access, collectionResolver(def))(rec)) throw new ForbiddenError(`Access denied for ${action} operation`);
}

function notFound(def: CollectionDef, id: string): NotFoundError {
  return new NotFoundError(`Record '${id}' not found in '${def.name}'`);
}

/**
 * Creates a record from `data` (API field values). Throws 400 (unknown fields), 422 (per-field
 * problems), 409 (unique), 401/403 (access).
 * @example await createRecord(ctx, "posts", { title: "Hello" })
 */
export async function createRecord(ctx: Context, collection: string, data: unknown): Promise<RecordData> {
  const { db, collections, events, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "create");
  const { values, touched } = prepareInput(def, data, "create");
  const ts = now().toISOString();
  const rec: RecordData = { id: uuidv7(), owner_id: ownerOf(ctx), created: ts, updated: ts, version: 1, ...values };
  assertAllowed(def, access, rec, "create");
  const accountId = ctx.principal.accountId;
  await db.transaction(async (tx) => {
    await checkReferences(ctx, tx, def, accountId, values, touched.concat(def.fields.filter((f) => f.default !== undefined).map((f) => f.name)));
    await insertRecord(tx, def, accountId, rec).catch((e) => mapConstraintError(def, e));
    await emitEvents(tx, (e) => events.publish(e), [recordEvent("record.create", def, accountId, rec, ts)]);
  });
  return rec;
}

export interface UpdateOptions {
  /** PUT semantics: absent fields become null */
  replace?: boolean;
  /** optimistic concurrency: 409 unless the stored version equals this */
  expectedVersion?: number;
}

/**
 * Updates one record: PATCH merges `data` over the stored record, PUT (`replace`) replaces all
 * fields. A stale `expectedVersion` → 409 with the current version in `details`.
 */
export async function updateRecord(ctx: Context, collection: string, id: string, data: unknown, opts: UpdateOptions = {}): Promise<RecordData> {
  const { db, collections, events, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "update");
  const accountId = ctx.principal.accountId;
  return db.transaction(async (tx) => {
    const current = await selectById(tx, def, accountId, id, true);
    if (!current) throw notFound(def, id);
    assertAllowed(def, access, current, "update");
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== current.version)
      throw new ConflictError(`Version conflict: record '${id}' is at version ${current.version}, expected ${opts.expectedVersion}`, { current_version: current.version, expected_version: opts.expectedVersion });
    const { values, touched } = prepareInput(def, data, opts.replace ? "replace" : "patch", current);
    await checkReferences(ctx, tx, def, accountId, values, touched);
    const ts = now().toISOString();
    const fields = opts.replace ? def.fields.map((f) => f.name) : [...new Set(touched)];
    const changed = await updateRecords(tx, def, accountId, [id], values, fields, ts, current.version).catch((e) => mapConstraintError(def, e));
    if (changed !== 1) throw new ConflictError(`Version conflict: record '${id}' changed concurrently`);
    const rec: RecordData = { ...current, ...values, updated: ts, version: current.version + 1 };
    await emitEvents(tx, (e) => events.publish(e), [recordEvent("record.update", def, accountId, rec, ts, current)]);
    return rec;
  });
}

/** Deletes one record (and applies reference delete behaviour). 404 when absent. */
export async function deleteRecord(ctx: Context, collection: string, id: string): Promise<RecordData> {
  const { db, collections, events, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "delete");
  const accountId = ctx.principal.accountId;
  return db.transaction(async (tx) => {
    const current = await selectById(tx, def, accountId, id, true);
    if (!current) throw notFound(def, id);
    assertAllowed(def, access, current, "delete");
    const ts = now().toISOString();
    const cascaded = await applyDeleteReferences(ctx, tx, def, accountId, [id], ts);
    await deleteRecords(tx, def, accountId, [id]);
    await emitEvents(tx, (e) => events.publish(e), [...cascaded, recordEvent("record.delete", def, accountId, current, ts)]);
    return current;
  });
}

function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== "string" || x.length === 0)) throw new ValidationError("record_ids must be a list of record ids", { record_ids: "Must be a list of record ids" });
  if (ids.length === 0) throw new ValidationError("record_ids must not be empty", { record_ids: "At least one id is required" });
  if (ids.length > MAX_BULK) throw new ValidationError(`At most ${MAX_BULK} records per bulk operation`, { record_ids: `At most ${MAX_BULK} ids allowed` });
  return [...new Set(ids as string[])];
}

/** Loads all `ids` for a bulk operation; throws 422 naming every missing or forbidden id (nothing is changed). */
async function loadAll(tx: Context["services"]["db"], def: CollectionDef, accountId: string, ids: string[], access: Expr, action: string): Promise<RecordData[]> {
  const rows = await selectByIds(tx, def, accountId, ids, true);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const problems: Record<string, string> = {};
  const allowed = access.kind === "const" && access.value ? undefined : toPredicate(access, collectionResolver(def));
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) problems[id] = `Record '${id}' not found`;
    else if (allowed && !allowed(r)) problems[id] = `Access denied for ${action} operation`;
  }
  if (Object.keys(problems).length) throw new ValidationError(`Bulk ${action} failed for ${Object.keys(problems).length} record(s); nothing was changed`, problems);
  return ids.map((id) => byId.get(id)!);
}

/** Deletes up to 100 records, all or nothing. Returns the deleted records. */
export async function bulkDeleteRecords(ctx: Context, collection: string, ids: unknown): Promise<RecordData[]> {
  const { db, collections, events, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "delete");
  const list = checkIds(ids);
  const accountId = ctx.principal.accountId;
  return db.transaction(async (tx) => {
    const rows = await loadAll(tx, def, accountId, list, access, "delete");
    const ts = now().toISOString();
    const cascaded = await applyDeleteReferences(ctx, tx, def, accountId, list, ts);
    await deleteRecords(tx, def, accountId, list);
    await emitEvents(tx, (e) => events.publish(e), [...cascaded, ...rows.map((r) => recordEvent("record.delete", def, accountId, r, ts))]);
    return rows;
  });
}

/** Applies the same PATCH `data` to up to 100 records, all or nothing. Returns the updated records. */
export async function bulkUpdateRecords(ctx: Context, collection: string, ids: unknown, data: unknown): Promise<RecordData[]> {
  const { db, collections, events, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "update");
  const list = checkIds(ids);
  const accountId = ctx.principal.accountId;
  return db.transaction(async (tx) => {
    const rows = await loadAll(tx, def, accountId, list, access, "update");
    const ts = now().toISOString();
    const prepared = rows.map((r) => prepareInput(def, data, "patch", r));
    const increments = Object.keys(data as object).some((k) => /[+-]$/.test(k) && !def.fields.some((f) => f.name === k));
    const touched = [...new Set(prepared[0]!.touched)];
    await checkReferences(ctx, tx, def, accountId, prepared[0]!.values, touched);
    if (increments) {
      // Increments differ per record: one statement per record.
      for (let i = 0; i < rows.length; i++) await updateRecords(tx, def, accountId, [rows[i]!.id], prepared[i]!.values, touched, ts).catch((e) => mapConstraintError(def, e));
    } else await updateRecords(tx, def, accountId, list, prepared[0]!.values, touched, ts).catch((e) => mapConstraintError(def, e));
    const updated = rows.map((r, i) => ({ ...r, ...prepared[i]!.values, updated: ts, version: r.version + 1 }) as RecordData);
    await emitEvents(tx, (e) => events.publish(e), updated.map((rec, i) => recordEvent("record.update", def, accountId, rec, ts, rows[i])));
    return updated;
  });
}

/** Creates up to 100 records in one transaction, all or nothing (422 names `[index].field`). */
export async function bulkCreateRecords(ctx: Context, collection: string, items: unknown): Promise<RecordData[]> {
  const { db, collections, events, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "create");
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK) throw new ValidationError(`Between 1 and ${MAX_BULK} records are required`, { data: `Must be a list of 1 to ${MAX_BULK} records` });
  const ts = now().toISOString();
  const problems: Record<string, string> = {};
  const prepared = items.map((data, i) => {
    try {
      return prepareInput(def, data, "create");
    } catch (e) {
      if (e instanceof ValidationError) for (const [k, v] of Object.entries(e.fields)) problems[`[${i}].${k}`] = v;
      else throw e;
      return undefined;
    }
  });
  if (Object.keys(problems).length) throw new ValidationError("Validation failed", problems);
  const recs = prepared.map((p) => ({ id: uuidv7(), owner_id: ownerOf(ctx), created: ts, updated: ts, version: 1, ...p!.values }) as RecordData);
  for (const r of recs) assertAllowed(def, access, r, "create");
  const accountId = ctx.principal.accountId;
  await db.transaction(async (tx) => {
    for (let i = 0; i < recs.length; i++) {
      await checkReferences(ctx, tx, def, accountId, prepared[i]!.values, prepared[i]!.touched);
      await insertRecord(tx, def, accountId, recs[i]!).catch((e) => mapConstraintError(def, e));
    }
    await emitEvents(tx, (e) => events.publish(e), recs.map((r) => recordEvent("record.create", def, accountId, r, ts)));
  });
  return recs;
}
