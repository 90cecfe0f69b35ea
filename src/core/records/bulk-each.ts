/**
 * Bulk update and delete where each id stands on its own (FastCMS semantics, compat/fastcms.md
 * §3 "Bulk"): the ids that can be changed are changed, the others are reported with the reason.
 * The all-or-nothing variants are `bulkUpdateRecords` / `bulkDeleteRecords` in write.ts.
 *
 * What fails the whole request instead (nothing changed): an unknown collection (404), a caller
 * who may not update/delete in the collection at all (401/403), a bad id list or empty `data`
 * (422) and fields the caller may not write (422). Everything that depends on a record — not
 * found, hidden or forbidden by the rule, a failing value, a unique clash, a restricting
 * reference — is that id's failure.
 *
 * Cost: the batch is first tried in one transaction (one statement per table, as the atomic
 * variant); only when it fails is each id retried in a transaction of its own.
 */
import type { Context } from "../context.ts";
import { AppError, ValidationError } from "../errors.ts";
import { recordAccess } from "../rules/access.ts";
import { assertWritable, fieldAccess } from "../rules/field-access.ts";
import type { RecordData } from "./values.ts";
import { bulkDeleteRecords, bulkUpdateRecords, checkIds, deleteRecord, updateRecord } from "./write.ts";

export interface BulkFailure {
  id: string;
  error: AppError;
}

export interface BulkOutcome {
  /** the changed records as the caller may view them, in request order */
  done: RecordData[];
  /** ids that were not changed, with the reason, in request order */
  failed: BulkFailure[];
}

/** Client errors of one id become its failure; anything else (an outage, a bug) propagates. */
async function eachId(ids: readonly string[], op: (id: string) => Promise<RecordData>): Promise<BulkOutcome> {
  const out: BulkOutcome = { done: [], failed: [] };
  for (const id of ids) {
    try {
      out.done.push(await op(id));
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      out.failed.push({ id, error: e });
    }
  }
  return out;
}

async function atomicFirst(ids: readonly string[], all: () => Promise<RecordData[]>, one: (id: string) => Promise<RecordData>): Promise<BulkOutcome> {
  try {
    return { done: await all(), failed: [] };
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    return eachId(ids, one);
  }
}

/**
 * Applies the same PATCH `data` to each of up to 100 records on its own (see the module
 * comment for what fails the whole request).
 * @example await updateEach(ctx, "posts", ["id1", "id2"], { status: "archived" })
 */
export async function updateEach(ctx: Context, collection: string, ids: unknown, data: unknown): Promise<BulkOutcome> {
  const def = ctx.services.collections.require(collection);
  const list = checkIds(ids);
  if (typeof data !== "object" || data === null || Array.isArray(data) || Object.keys(data).length === 0)
    throw new ValidationError("data must not be empty", { data: "Must contain at least one field" });
  recordAccess(ctx, def, "update", data);
  assertWritable(ctx, def, data, fieldAccess(ctx, def, "update", data).writable, "update");
  return atomicFirst(
    list,
    () => bulkUpdateRecords(ctx, collection, list, data),
    (id) => updateRecord(ctx, collection, id, data),
  );
}

/**
 * Deletes each of up to 100 records on its own (see the module comment for what fails the
 * whole request).
 * @example await deleteEach(ctx, "posts", ["id1", "id2"])
 */
export async function deleteEach(ctx: Context, collection: string, ids: unknown): Promise<BulkOutcome> {
  const def = ctx.services.collections.require(collection);
  const list = checkIds(ids);
  recordAccess(ctx, def, "delete");
  return atomicFirst(
    list,
    () => bulkDeleteRecords(ctx, collection, list),
    (id) => deleteRecord(ctx, collection, id),
  );
}
