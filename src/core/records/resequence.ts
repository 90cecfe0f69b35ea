/**
 * Resequencing (Kanban columns, list rows): moves one record right after another (first when
 * there is no other) in the order of a number field, renumbering the account's records 1…n in
 * one transaction. Safe under concurrent moves: the moves of one collection and account run one
 * after the other (SQLite: the write transaction; PostgreSQL: a transaction-scoped advisory
 * lock), each reading the order its predecessor committed, so none is lost.
 *
 * Cost: one SELECT of (id, sequence), then only the records whose number changes are read and
 * written, in statements of up to {@link CHUNK} records (a CASE per statement), with their
 * outbox rows; never one statement per record.
 */
import { sql } from "kysely";
import { collectionResolver } from "../../query/fields.ts";
import { toPredicate } from "../../query/predicate.ts";
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import { accessDenied, recordAccess } from "../rules/access.ts";
import { emitEvents, recordEvent, selectByIds, type WriteStamp } from "./store.ts";
import { writerOf } from "./writer.ts";
import type { RecordData } from "./values.ts";

/** Records a collection may hold per account for a resequence. */
export const MAX_RESEQUENCE = 10_000;
const CHUNK = 500;

export interface ResequenceInput {
  /** the record being moved */
  id: string;
  /** the record to place it after; null: first */
  afterId: string | null;
  /** the number field holding the order (default `sequence`) */
  field?: string;
}

export interface ResequenceResult {
  /** the moved record's new number */
  sequence: number;
  /** ids whose number changed, in the new order */
  changed: string[];
}

async function lockOrder(tx: SqlDb, def: CollectionDef, accountId: string): Promise<void> {
  if (tx.dialect !== "postgres") return; // SQLite write transactions already run one at a time
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`cairn.resequence:${def.name}:${accountId}`}))`.compile(tx.qb));
}

async function writeNumbers(tx: SqlDb, def: CollectionDef, accountId: string, field: string, numbers: ReadonlyMap<string, number>, stamp: WriteStamp): Promise<void> {
  const ids = [...numbers.keys()];
  // typed, or PostgreSQL would read the CASE as text
  const type = sql.raw(tx.dialect === "postgres" ? "double precision" : "REAL");
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const cases = sql.join(
      chunk.map((id) => sql`WHEN ${id} THEN CAST(${numbers.get(id)!} AS ${type})`),
      sql` `,
    );
    await tx.execute(
      tx.qb
        .updateTable(def.name)
        .set({ [field]: sql`CASE ${sql.ref("id")} ${cases} END`, updated: stamp.at, updated_by: stamp.by, version: sql`"version" + 1` })
        .where("account_id", "=", accountId)
        .where("id", "in", chunk),
    );
  }
}

/**
 * Moves `input.id` right after `input.afterId` (see the module comment).
 * @throws BadRequestError when the field is not a number field of the collection, the record
 *   is placed after itself, or the collection holds more than {@link MAX_RESEQUENCE} records;
 *   NotFoundError (404) for an unknown record; 403 when the update rule denies a record whose
 *   number would change (nothing is written then).
 * @example await resequenceRecord(ctx, "stages", { id: "b", afterId: "a" })
 */
export async function resequenceRecord(ctx: Context, collection: string, input: ResequenceInput): Promise<ResequenceResult> {
  const { db, collections, now } = ctx.services;
  const def = collections.require(collection);
  const name = input.field ?? "sequence";
  const field = def.fields.find((f) => f.name === name);
  if (!field || field.type !== "number") throw new BadRequestError(`sequence_field '${name}' is not a number field of '${def.name}'`, { sequence_field: "Must name a number field" });
  if (input.afterId === input.id) throw new BadRequestError("A record cannot be placed after itself", { after_column_id: "Must differ from dropped_column_id" });
  const access = recordAccess(ctx, def, "update");
  const allowed = access.kind === "const" && access.value ? undefined : toPredicate(access, collectionResolver(def));
  const accountId = ctx.principal.accountId;
  return db.transaction(async (tx) => {
    await lockOrder(tx, def, accountId);
    const rows = await tx.query<{ id: string; seq: number | null }>(
      tx.qb
        .selectFrom(def.name)
        .select(["id", sql.ref(name).as("seq")])
        .where("account_id", "=", accountId)
        .limit(MAX_RESEQUENCE + 1),
    );
    if (rows.length > MAX_RESEQUENCE) throw new BadRequestError(`Resequencing needs at most ${MAX_RESEQUENCE} records in '${def.name}'`);
    const order = rows
      .map((r) => ({ id: r.id, seq: r.seq === null ? null : Number(r.seq) }))
      .sort((a, b) => (a.seq === b.seq ? (a.id < b.id ? -1 : 1) : a.seq === null ? -1 : b.seq === null ? 1 : a.seq - b.seq));
    const from = order.findIndex((r) => r.id === input.id);
    if (from < 0) throw new NotFoundError(`Record '${input.id}' not found in '${def.name}'`);
    const [moved] = order.splice(from, 1);
    let to = 0;
    if (input.afterId !== null) {
      const after = order.findIndex((r) => r.id === input.afterId);
      if (after < 0) throw new NotFoundError(`Record '${input.afterId}' not found in '${def.name}'`);
      to = after + 1;
    }
    order.splice(to, 0, moved!);
    const numbers = new Map<string, number>();
    order.forEach((r, i) => {
      if (r.seq !== i + 1) numbers.set(r.id, i + 1);
    });
    if (numbers.size === 0) return { sequence: to + 1, changed: [] };
    const before = await selectByIds(tx, def, accountId, [...numbers.keys()], true);
    const denied = allowed ? before.filter((r) => !allowed(r)).map((r) => r.id) : [];
    if (denied.length) throw accessDenied(ctx, def, "update", { details: { forbidden_ids: denied } });
    const ts = now().toISOString();
    const by = writerOf(ctx);
    await writeNumbers(tx, def, accountId, name, numbers, { at: ts, by });
    const events = before.map((r) => recordEvent("record.update", def, accountId, { ...r, [name]: numbers.get(r.id)!, updated: ts, updated_by: by, version: r.version + 1 } as RecordData, ts, r));
    await emitEvents(tx, (e) => ctx.services.events.publish(e), events);
    return { sequence: to + 1, changed: order.filter((r) => numbers.has(r.id)).map((r) => r.id) };
  });
}
