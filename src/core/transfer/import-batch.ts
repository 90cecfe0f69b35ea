/**
 * Writes one batch of converted import rows in a transaction: upsert lookups (one query), row
 * validation and access checks, reference checks (one query per referenced collection), one
 * multi-row INSERT for the new records, one UPDATE per updated record, and one outbox write for
 * all their events. Rows that fail are reported, never written.
 */
import { v7 as uuidv7 } from "uuid";
import type { SqlDb } from "../../db/sql-db.ts";
import { collectionResolver } from "../../query/fields.ts";
import { toPredicate } from "../../query/predicate.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { AppError, ValidationError } from "../errors.ts";
import type { CairnEvent } from "../events/bus.ts";
import type { PreparedInput } from "../records/input.ts";
import { checkReferencesMany } from "../records/references.ts";
import { emitEvents, insertRecords, mapConstraintError, recordEvent, updateRecords } from "../records/store.ts";
import { writerOf } from "../records/writer.ts";
import { rowMapper, selectColumns, toStorage, type RecordData } from "../records/values.ts";
import { recordAccess } from "../rules/access.ts";
import { storeVersions } from "../content/version-store.ts";
import { prepareContentCreates, prepareContentUpdates } from "../content/write-hooks.ts";
import { assertWritable, fieldAccess } from "../rules/field-access.ts";
import { validateRow, type ConvertedRow, type RowError } from "./import-rows.ts";

export interface BatchOptions {
  /** upsert key (`id` or a unique field), or null for inserts only */
  key: string | null;
}

export interface BatchResult {
  created: number;
  updated: number;
  /** rows of the batch written (in order) */
  written: number[];
}

interface Planned {
  row: ConvertedRow;
  prepared: PreparedInput;
  current?: RecordData;
  rec: RecordData;
}

const rowError = (row: number, e: unknown): RowError[] => {
  if (e instanceof ValidationError && Object.keys(e.fields).length) return Object.entries(e.fields).map(([field, error]) => ({ row, field, error }));
  if (e instanceof AppError) return [{ row, field: null, error: e.message }];
  throw e;
};

/** Existing records of the batch's keys (one query). */
async function existing(tx: SqlDb, def: CollectionDef, accountId: string, key: string, rows: readonly ConvertedRow[]): Promise<Map<string, RecordData>> {
  const field = def.fields.find((f) => f.name === key);
  const values = [...new Set(rows.flatMap((r) => (r.key === null ? [] : [key === "id" ? r.key : toStorage(field!, r.data[key], tx.dialect)])))];
  const found = new Map<string, RecordData>();
  if (values.length === 0) return found;
  const map = rowMapper(def, tx.dialect);
  const got = await tx.query(
    tx.qb
      .selectFrom(def.name)
      .select(selectColumns(def))
      .where("account_id", "=", accountId)
      .where(key, "in", values as string[]),
  );
  for (const r of got) {
    const rec = map(r);
    found.set(String(rec[key]), rec);
  }
  return found;
}

/**
 * Writes a batch inside `tx`; appends the problems of failing rows to `errors`. A unique
 * violation throws (409) — the caller retries the batch row by row to find the row.
 */
export async function writeBatch(ctx: Context, tx: SqlDb, def: CollectionDef, rows: readonly ConvertedRow[], opts: BatchOptions, errors: RowError[]): Promise<BatchResult> {
  const { events, now } = ctx.services;
  const accountId = ctx.principal.accountId;
  const owner = writerOf(ctx);
  const ts = now().toISOString();
  const found = opts.key ? await existing(tx, def, accountId, opts.key, rows) : new Map<string, RecordData>();
  const seen = new Set<string>();
  const resolve = collectionResolver(def);
  let planned: Planned[] = [];
  for (const row of rows) {
    if (row.key !== null && opts.key) {
      if (seen.has(row.key)) {
        errors.push({ row: row.row, field: opts.key, error: `'${row.key}' appears more than once in the file` });
        continue;
      }
      seen.add(row.key);
    }
    const current = row.key !== null ? found.get(row.key) : undefined;
    const prepared = validateRow(def, row, current);
    if (Array.isArray(prepared)) {
      errors.push(...prepared);
      continue;
    }
    const action = current ? "update" : "create";
    try {
      const access = recordAccess(ctx, def, action, row.data);
      assertWritable(ctx, def, row.data, fieldAccess(ctx, def, action, row.data).writable, action);
      const rec: RecordData = current
        ? { ...current, ...prepared.values, updated: ts, updated_by: owner, version: current.version + 1 }
        : { id: opts.key === "id" && row.key !== null ? row.key : uuidv7(), owner_id: owner, created: ts, updated: ts, version: 1, updated_by: owner, ...prepared.values };
      if (!(access.kind === "const" && access.value) && !toPredicate(access, resolve)(current ?? rec)) {
        errors.push({ row: row.row, field: null, error: `Access denied for ${action} operation` });
        continue;
      }
      planned.push({ row, prepared, current, rec });
    } catch (e) {
      errors.push(...rowError(row.row, e));
    }
  }
  // References: one query per referenced collection; failing rows are reported and left out.
  try {
    await checkReferencesMany(
      ctx,
      tx,
      def,
      accountId,
      planned.map((p) => p.prepared),
    );
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const bad = new Set<number>();
    for (const [k, message] of Object.entries(e.fields)) {
      const m = /^\[(\d+)\]\.(.+)$/.exec(k);
      if (!m) continue;
      const p = planned[Number(m[1])]!;
      bad.add(Number(m[1]));
      errors.push({ row: p.row.row, field: m[2]!, error: message });
    }
    planned = planned.filter((_, i) => !bad.has(i));
  }
  const inserts = planned.filter((p) => !p.current);
  const updates = planned.filter((p) => p.current);
  // the content workflow (status, publication time, slugs: one query per batch for each kind)
  await prepareContentCreates(
    ctx,
    tx,
    def,
    inserts.map((p) => p.rec),
  );
  await prepareContentUpdates(
    ctx,
    tx,
    def,
    updates.map((p) => ({ current: p.current!, values: p.prepared.values, touched: p.prepared.touched })),
  );
  for (const p of updates) Object.assign(p.rec, p.prepared.values);
  await insertRecords(
    tx,
    def,
    accountId,
    inserts.map((p) => p.rec),
  ).catch((e) => mapConstraintError(def, e));
  for (const p of updates) {
    const fields = [...new Set(p.prepared.touched)];
    await updateRecords(tx, def, accountId, [p.rec.id], p.prepared.values, fields, { at: ts, by: owner }).catch((e) => mapConstraintError(def, e));
  }
  const out: CairnEvent[] = planned.map((p) => (p.current ? recordEvent("record.update", def, accountId, p.rec, ts, p.current) : recordEvent("record.create", def, accountId, p.rec, ts)));
  await storeVersions(ctx, tx, out);
  await emitEvents(tx, (e) => events.publish(e), out);
  return { created: inserts.length, updated: updates.length, written: planned.map((p) => p.row.row) };
}
