/**
 * Record writes. Each runs in one transaction with its outbox rows; events reach the bus only
 * after commit. Access is asked of the rules seam (`recordAccess`) before anything is written.
 */
import { analyzeAfterBulkLoad } from "../collections/statistics.ts";
import { v7 as uuidv7 } from "uuid";
import { toPredicate } from "../../query/predicate.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { Expr } from "../../query/ast.ts";
import { requireSignedIn } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { accessDenied, recordAccess } from "../rules/access.ts";
import { assertWritable, fieldAccess, redactRecord, type FieldSet } from "../rules/field-access.ts";
import { prepareInput } from "./input.ts";
import { applyDeleteReferences, checkReferences, checkReferencesMany } from "./references.ts";
import { deleteRecords, emitEvents, insertRecord, insertRecords, mapConstraintError, recordEvent, selectById, selectByIds, updateRecords } from "./store.ts";
import type { RecordData } from "./values.ts";
import { dict } from "../../lib/own.ts";
import type { SqlDb } from "../../db/sql-db.ts";
import type { CairnEvent } from "../events/bus.ts";
import { syncFileRefs } from "../files/refs.ts";
import { storeVersions } from "../content/version-store.ts";
import { prepareContentCreate, prepareContentCreates, prepareContentUpdate, prepareContentUpdates } from "../content/write-hooks.ts";
import { writerOf } from "./writer.ts";

export const MAX_BULK = 100;

/**
 * Writes the outbox rows of a write (published after commit), after bringing the file
 * references up to date (core/files/refs.ts: checks added file ids, deletes unused files) and
 * storing the versions of versioned documents (core/content/version-store.ts). Every record
 * write path ends with it.
 */
export async function emitWrite(ctx: Context, tx: SqlDb, list: CairnEvent[]): Promise<void> {
  await syncFileRefs(ctx, tx, list);
  // on PostgreSQL a single write's snapshot rides on the outbox INSERT: no extra round trip
  const also = await storeVersions(ctx, tx, list, { deferSingle: tx.dialect === "postgres" && list.length === 1 });
  await emitEvents(tx, (e) => ctx.services.events.publish(e), list, also);
}

/** Throws 403 (audited) unless the record satisfies the access expression. */
function assertAllowed(ctx: Context, def: CollectionDef, access: Expr, rec: RecordData, action: "create" | "update" | "delete"): void {
  if (access.kind === "const" && access.value) return;
  if (!toPredicate(access, collectionResolver(def))(rec)) throw accessDenied(ctx, def, action, { recordId: rec.id });
}

/** What the caller sees of a record they just wrote: the fields they may view. */
function viewable(ctx: Context, def: CollectionDef): FieldSet {
  return fieldAccess(ctx, def, "view").readable;
}

/**
 * PUT semantics under field permissions: every field the caller may write and did not send
 * becomes null; fields they may not write keep their value (a PATCH of the writable ones).
 */
function replaceWithin(def: CollectionDef, data: unknown, writable: FieldSet, defaults = false): unknown {
  if (writable === "*" || typeof data !== "object" || data === null || Array.isArray(data)) return data;
  const nulls = Object.fromEntries(def.fields.filter((f) => writable.has(f.name) && !Object.hasOwn(data, f.name)).map((f) => [f.name, defaults ? (f.default ?? null) : null]));
  return { ...nulls, ...(data as Record<string, unknown>) };
}

function notFound(def: CollectionDef, id: string): NotFoundError {
  return new NotFoundError(`Record '${id}' not found in '${def.name}'`);
}

/**
 * Creates a record from `data` (API field values). Throws 400 (unknown fields), 422 (per-field
 * problems, or `Field access denied` for fields the caller may not write), 409 (unique),
 * 401/403 (access). Returns the record as the caller may view it.
 * @example await createRecord(ctx, "posts", { title: "Hello" })
 */
export async function createRecord(ctx: Context, collection: string, data: unknown): Promise<RecordData> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "create", data);
  assertWritable(ctx, def, data, fieldAccess(ctx, def, "create", data).writable, "create");
  const { values, touched } = prepareInput(def, data, "create");
  const ts = now().toISOString();
  const rec: RecordData = { id: uuidv7(), owner_id: writerOf(ctx), created: ts, updated: ts, version: 1, updated_by: writerOf(ctx), ...values };
  assertAllowed(ctx, def, access, rec, "create");
  const accountId = ctx.principal.accountId;
  await db.transaction(async (tx) => {
    await checkReferences(ctx, tx, def, accountId, values, touched.concat(def.fields.filter((f) => f.default !== undefined).map((f) => f.name)));
    await prepareContentCreate(ctx, tx, def, rec);
    await insertRecord(tx, def, accountId, rec).catch((e) => mapConstraintError(def, e));
    await emitWrite(ctx, tx, [recordEvent("record.create", def, accountId, rec, ts)]);
  });
  return redactRecord(rec, viewable(ctx, def));
}

export interface UpdateOptions {
  /** PUT semantics: absent fields become null */
  replace?: boolean;
  /** with `replace`: absent fields take their default (null when none) instead of null (SnackBase PUT) */
  defaults?: boolean;
  /** optimistic concurrency: 409 unless the stored version equals this */
  expectedVersion?: number;
}

/**
 * Updates one record: PATCH merges `data` over the stored record, PUT (`replace`) replaces all
 * fields (all the caller may write; absent ones become null, or their default with `defaults`). A stale `expectedVersion` → 409 with the current version in
 * `details`. 404 when absent, 403 when the update rule denies the stored record, 422 `Field
 * access denied` for fields the caller may not write. Returns the record as the caller may view it.
 */
export async function updateRecord(ctx: Context, collection: string, id: string, data: unknown, opts: UpdateOptions = {}): Promise<RecordData> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "update", data);
  const { writable } = fieldAccess(ctx, def, "update", data);
  assertWritable(ctx, def, data, writable, "update");
  const readable = viewable(ctx, def);
  const replaceAll = opts.replace && writable === "*";
  const input = opts.replace && !replaceAll ? replaceWithin(def, data, writable, opts.defaults) : data;
  const accountId = ctx.principal.accountId;
  const updated = await db.transaction(async (tx) => {
    const current = await selectById(tx, def, accountId, id, true);
    if (!current) throw notFound(def, id);
    assertAllowed(ctx, def, access, current, "update");
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== current.version)
      throw new ConflictError(`Version conflict: record '${id}' is at version ${current.version}, expected ${opts.expectedVersion}`, {
        current_version: current.version,
        expected_version: opts.expectedVersion,
      });
    const { values, touched } = prepareInput(def, input, replaceAll ? (opts.defaults ? "reset" : "replace") : "patch", current);
    await checkReferences(ctx, tx, def, accountId, values, touched);
    await prepareContentUpdate(ctx, tx, def, current, values, touched);
    const ts = now().toISOString();
    const fields = replaceAll ? def.fields.map((f) => f.name) : [...new Set(touched)];
    const by = writerOf(ctx);
    const changed = await updateRecords(tx, def, accountId, [id], values, fields, { at: ts, by }, current.version).catch((e) => mapConstraintError(def, e));
    if (changed !== 1) throw new ConflictError(`Version conflict: record '${id}' changed concurrently`);
    const rec: RecordData = { ...current, ...values, updated: ts, updated_by: by, version: current.version + 1 };
    await emitWrite(ctx, tx, [recordEvent("record.update", def, accountId, rec, ts, current)]);
    return rec;
  });
  return redactRecord(updated, readable);
}

/**
 * Deletes one record (and applies reference delete behaviour). 404 when absent, 403 when the
 * delete rule denies the stored record. Returns it as the caller may view it.
 */
export async function deleteRecord(ctx: Context, collection: string, id: string): Promise<RecordData> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "delete");
  const readable = viewable(ctx, def);
  const accountId = ctx.principal.accountId;
  const deleted = await db.transaction(async (tx) => {
    const current = await selectById(tx, def, accountId, id, true);
    if (!current) throw notFound(def, id);
    assertAllowed(ctx, def, access, current, "delete");
    const ts = now().toISOString();
    const cascaded = await applyDeleteReferences(ctx, tx, def, accountId, [id], { at: ts, by: writerOf(ctx) });
    await deleteRecords(tx, def, accountId, [id]);
    await emitWrite(ctx, tx, [...cascaded, recordEvent("record.delete", def, accountId, current, ts)]);
    return current;
  });
  return redactRecord(deleted, readable);
}

/** A bulk id list: 1…100 non-empty strings, deduplicated. Throws 422 otherwise. */
export function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== "string" || x.length === 0))
    throw new ValidationError("recordIds must be a list of record ids", { recordIds: "Must be a list of record ids" });
  if (ids.length === 0) throw new ValidationError("recordIds must not be empty", { recordIds: "At least one id is required" });
  if (ids.length > MAX_BULK) throw new ValidationError(`At most ${MAX_BULK} records per bulk operation`, { recordIds: `At most ${MAX_BULK} ids allowed` });
  return [...new Set(ids as string[])];
}

/**
 * Loads all `ids` for a bulk operation, all or nothing: 403 naming every id the rule forbids
 * (`details.forbidden_ids`, audited), else 422 naming every missing id. Nothing is changed then.
 */
async function loadAll(ctx: Context, tx: Context["services"]["db"], def: CollectionDef, ids: string[], access: Expr, action: "update" | "delete"): Promise<RecordData[]> {
  const rows = await selectByIds(tx, def, ctx.principal.accountId, ids, true);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const problems = dict<string>();
  const forbidden: string[] = [];
  const allowed = access.kind === "const" && access.value ? undefined : toPredicate(access, collectionResolver(def));
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) problems[id] = `Record '${id}' not found`;
    else if (allowed && !allowed(r)) forbidden.push(id);
  }
  if (forbidden.length) {
    const denied = accessDenied(ctx, def, action, { details: { forbidden_ids: forbidden } });
    throw new AppError(denied.code, denied.status, `${denied.message} on ${forbidden.length} record(s); nothing was changed`, denied.details);
  }
  if (Object.keys(problems).length) throw new ValidationError(`Bulk ${action} failed for ${Object.keys(problems).length} record(s); nothing was changed`, problems);
  return ids.map((id) => byId.get(id)!);
}

/** Deletes up to 100 records, all or nothing (see `loadAll`). Returns the deleted records as the caller may view them. */
export async function bulkDeleteRecords(ctx: Context, collection: string, ids: unknown): Promise<RecordData[]> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "delete");
  const readable = viewable(ctx, def);
  const list = checkIds(ids);
  const accountId = ctx.principal.accountId;
  const deleted = await db.transaction(async (tx) => {
    const rows = await loadAll(ctx, tx, def, list, access, "delete");
    const ts = now().toISOString();
    const cascaded = await applyDeleteReferences(ctx, tx, def, accountId, list, { at: ts, by: writerOf(ctx) });
    await deleteRecords(tx, def, accountId, list);
    await emitWrite(ctx, tx, [...cascaded, ...rows.map((r) => recordEvent("record.delete", def, accountId, r, ts))]);
    return rows;
  });
  return deleted.map((r) => redactRecord(r, readable));
}

/** Applies the same PATCH `data` to up to 100 records, all or nothing (see `loadAll`). Returns the updated records as the caller may view them. */
export async function bulkUpdateRecords(ctx: Context, collection: string, ids: unknown, data: unknown): Promise<RecordData[]> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const access = recordAccess(ctx, def, "update", data);
  assertWritable(ctx, def, data, fieldAccess(ctx, def, "update", data).writable, "update");
  const readable = viewable(ctx, def);
  const list = checkIds(ids);
  const accountId = ctx.principal.accountId;
  const result = await db.transaction(async (tx) => {
    const rows = await loadAll(ctx, tx, def, list, access, "update");
    const ts = now().toISOString();
    const prepared = rows.map((r) => prepareInput(def, data, "patch", r));
    const increments = Object.keys(data as object).some((k) => /[+-]$/.test(k) && !def.fields.some((f) => f.name === k));
    const stamp = { at: ts, by: writerOf(ctx) };
    await checkReferences(ctx, tx, def, accountId, prepared[0]!.values, [...new Set(prepared[0]!.touched)]);
    await prepareContentUpdates(
      ctx,
      tx,
      def,
      rows.map((current, i) => ({ current, values: prepared[i]!.values, touched: prepared[i]!.touched })),
    );
    // Records whose changes are alike share one UPDATE (increments and per-record slugs differ per record).
    for (const group of alikeChanges(prepared, increments)) {
      const first = prepared[group[0]!]!;
      await updateRecords(
        tx,
        def,
        accountId,
        group.map((i) => rows[i]!.id),
        first.values,
        [...new Set(first.touched)],
        stamp,
      ).catch((e) => mapConstraintError(def, e));
    }
    const updated = rows.map((r, i) => ({ ...r, ...prepared[i]!.values, updated: ts, updated_by: stamp.by, version: r.version + 1 }) as RecordData);
    await emitWrite(
      ctx,
      tx,
      updated.map((rec, i) => recordEvent("record.update", def, accountId, rec, ts, rows[i])),
    );
    return updated;
  });
  return result.map((r) => redactRecord(r, readable));
}

/**
 * Groups the records of a bulk update by the change each one gets (the fields set and their
 * values): the indices of each group, in order. With `increments`, every record is its own group.
 */
function alikeChanges(prepared: readonly { values: Record<string, unknown>; touched: string[] }[], increments: boolean): number[][] {
  if (increments) return prepared.map((_, i) => [i]);
  const groups = new Map<string, number[]>();
  prepared.forEach((p, i) => {
    const fields = [...new Set(p.touched)].sort();
    const key = JSON.stringify(fields.map((f) => [f, p.values[f] ?? null]));
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

/**
 * Creates up to 100 records in one transaction, all or nothing (422 names `[index].field`; 403
 * when the create rule denies any of them; 409 naming the field on a unique violation, within
 * the batch too). One INSERT for all of them. Returns them as the caller may view them.
 */
export async function bulkCreateRecords(ctx: Context, collection: string, items: unknown): Promise<RecordData[]> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  requireSignedIn(ctx);
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK)
    throw new ValidationError(`Between 1 and ${MAX_BULK} records are required`, { data: `Must be a list of 1 to ${MAX_BULK} records` });
  const accesses = items.map((data) => recordAccess(ctx, def, "create", data));
  for (const data of items) assertWritable(ctx, def, data, fieldAccess(ctx, def, "create", data).writable, "create");
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
  const writer = writerOf(ctx);
  const recs = prepared.map((p) => ({ id: uuidv7(), owner_id: writer, created: ts, updated: ts, version: 1, updated_by: writer, ...p!.values }) as RecordData);
  recs.forEach((r, i) => assertAllowed(ctx, def, accesses[i]!, r, "create"));
  const accountId = ctx.principal.accountId;
  await db.transaction(async (tx) => {
    // One existence query per referenced collection, one INSERT and one outbox write: the
    // statement count does not grow with the number of records.
    await checkReferencesMany(
      ctx,
      tx,
      def,
      accountId,
      prepared.map((p) => p!),
    );
    await prepareContentCreates(ctx, tx, def, recs);
    await insertRecords(tx, def, accountId, recs).catch((e) => mapConstraintError(def, e));
    await emitWrite(
      ctx,
      tx,
      recs.map((r) => recordEvent("record.create", def, accountId, r, ts)),
    );
  });
  // statistics follow bulk growth off the request: the reply does not wait for them
  void analyzeAfterBulkLoad(db, def.name, recs.length).catch((e) => ctx.services.log.warn({ err: e }, `ANALYZE of '${def.name}' after a bulk load failed`));
  const readable = viewable(ctx, def);
  return recs.map((r) => redactRecord(r, readable));
}
