/**
 * Low-level statements for one collection table: select, insert, update, delete, the outbox
 * row, and the mapping of driver constraint errors to 409. Every statement is scoped by
 * account_id. SQL text for the fixed-shape statements is compiled once per definition.
 */
import { sql } from "kysely";
import type { Dialect } from "../../config.ts";
import type { SqlDb } from "../../db/sql-db.ts";
import { SYSTEM_FIELDS } from "../../query/system-fields.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { CairnEvent, EventType } from "../events/bus.ts";
import { writeOutbox, type AlsoInsert } from "../events/outbox.ts";
import { ConflictError } from "../errors.ts";
import { rowMapper, selectColumns, toStorage, type RecordData } from "./values.ts";
import { fieldsByName } from "./input.ts";

interface Compiled {
  byId: string;
  byIdForUpdate: string;
  /** INSERT of every column: system columns, then the fields in definition order */
  insert: string;
  /** the same for n rows in one statement, by n (made when first used) */
  inserts: Map<number, string>;
}
const compiled = new WeakMap<CollectionDef, Partial<Record<Dialect, Compiled>>>();
const INSERT_SYSTEM_COLUMNS: readonly string[] = SYSTEM_FIELDS.map((f) => f.column);

function statements(db: SqlDb, def: CollectionDef): Compiled {
  let byDialect = compiled.get(def);
  if (!byDialect) compiled.set(def, (byDialect = {}));
  let c = byDialect[db.dialect];
  if (!c) {
    const q = db.qb.selectFrom(def.name).select(selectColumns(def)).where("account_id", "=", "").where("id", "=", "");
    const columns = [...INSERT_SYSTEM_COLUMNS, ...def.fields.map((f) => f.name)];
    const insert = db.qb
      .insertInto(def.name)
      .values(Object.fromEntries(columns.map((col) => [col, null])))
      .compile().sql;
    c = { byId: q.compile().sql, byIdForUpdate: (db.dialect === "postgres" ? q.forUpdate() : q).compile().sql, insert, inserts: new Map() };
    byDialect[db.dialect] = c;
  }
  return c;
}

/** One record by id in the account, or undefined. `lock` takes a row lock (PostgreSQL) inside a transaction. */
export async function selectById(db: SqlDb, def: CollectionDef, accountId: string, id: string, lock = false): Promise<RecordData | undefined> {
  const c = statements(db, def);
  const rows = await db.query({ sql: lock ? c.byIdForUpdate : c.byId, parameters: [accountId, id] });
  return rows[0] ? rowMapper(def, db.dialect)(rows[0]) : undefined;
}

/** Records by ids in the account (order unspecified). */
export async function selectByIds(db: SqlDb, def: CollectionDef, accountId: string, ids: readonly string[], lock = false): Promise<RecordData[]> {
  if (ids.length === 0) return [];
  let q = db.qb.selectFrom(def.name).select(selectColumns(def)).where("account_id", "=", accountId).where("id", "in", ids);
  if (lock && db.dialect === "postgres") q = q.forUpdate();
  const map = rowMapper(def, db.dialect);
  return (await db.query(q)).map(map);
}

/** Field values → storage parameters. */
export function storageValues(db: SqlDb, def: CollectionDef, values: Record<string, unknown>, only?: readonly string[]): Record<string, unknown> {
  const byName = fieldsByName(def);
  const out: Record<string, unknown> = {};
  for (const name of only ?? def.fields.map((f) => f.name)) out[name] = toStorage(byName.get(name)!, values[name], db.dialect);
  return out;
}

/** Bound parameters per statement at most: below SQLite's default limit (32,766) and PostgreSQL's (65,535). */
const MAX_PARAMETERS = 30_000;

/** The INSERT parameters of one record, in the compiled column order. */
function insertParameters(db: SqlDb, def: CollectionDef, accountId: string, rec: RecordData, out: unknown[]): void {
  for (const f of SYSTEM_FIELDS) out.push(f.column === "account_id" ? accountId : (rec[f.name] ?? null));
  for (const f of def.fields) out.push(toStorage(f, rec[f.name], db.dialect));
}

export async function insertRecord(db: SqlDb, def: CollectionDef, accountId: string, rec: RecordData): Promise<void> {
  const parameters: unknown[] = [];
  insertParameters(db, def, accountId, rec, parameters);
  await db.execute({ sql: statements(db, def).insert, parameters });
}

/**
 * Inserts records with multi-row INSERTs: one statement for a bulk write of up to 100 records
 * (more only when a statement would pass {@link MAX_PARAMETERS}). Triggers (full-text index)
 * and constraints apply per row as for single inserts; a unique violation fails the statement.
 */
export async function insertRecords(db: SqlDb, def: CollectionDef, accountId: string, recs: readonly RecordData[]): Promise<void> {
  const c = statements(db, def);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / (INSERT_SYSTEM_COLUMNS.length + def.fields.length)));
  for (let start = 0; start < recs.length; start += perStatement) {
    const chunk = recs.slice(start, start + perStatement);
    let text = chunk.length === 1 ? c.insert : c.inserts.get(chunk.length);
    if (text === undefined) {
      const row = Object.fromEntries([...INSERT_SYSTEM_COLUMNS, ...def.fields.map((f) => f.name)].map((col) => [col, null]));
      text = db.qb
        .insertInto(def.name)
        .values(chunk.map(() => row))
        .compile().sql;
      c.inserts.set(chunk.length, text);
    }
    const parameters: unknown[] = [];
    for (const rec of chunk) insertParameters(db, def, accountId, rec, parameters);
    await db.execute({ sql: text, parameters });
  }
}

/** Who wrote an update and when: the `updated` and `updated_by` columns of the changed rows. */
export interface WriteStamp {
  at: string;
  by: string | null;
}

/** Updates the given fields of records (same values for all ids), bumping version, updated and updated_by. Returns the changed row count. */
export async function updateRecords(
  db: SqlDb,
  def: CollectionDef,
  accountId: string,
  ids: readonly string[],
  values: Record<string, unknown>,
  fields: readonly string[],
  stamp: WriteStamp,
  expectedVersion?: number,
): Promise<number> {
  let q = db.qb
    .updateTable(def.name)
    .set({ ...storageValues(db, def, values, fields), updated: stamp.at, updated_by: stamp.by, version: sql`"version" + 1` })
    .where("account_id", "=", accountId)
    .where("id", "in", ids);
  if (expectedVersion !== undefined) q = q.where("version", "=", expectedVersion);
  return (await db.execute(q)).changes;
}

export async function deleteRecords(db: SqlDb, def: CollectionDef, accountId: string, ids: readonly string[]): Promise<number> {
  return (await db.execute(db.qb.deleteFrom(def.name).where("account_id", "=", accountId).where("id", "in", ids))).changes;
}

/** Deletes every record of the account (a whole tenant going away); returns how many. */
export async function deleteAccountRecords(db: SqlDb, def: CollectionDef, accountId: string): Promise<number> {
  return (await db.execute(db.qb.deleteFrom(def.name).where("account_id", "=", accountId))).changes;
}

/** Writes outbox rows for the events (one statement, see events/outbox.ts) and publishes them after commit. */
export async function emitEvents(db: SqlDb, publish: (e: CairnEvent) => void, events: CairnEvent[], also?: AlsoInsert): Promise<void> {
  if (events.length === 0) return;
  await writeOutbox(db, events, also);
  db.afterCommit(() => {
    for (const e of events) publish(e);
  });
}

export function recordEvent(type: EventType, def: CollectionDef, accountId: string, rec: RecordData, created: string, previous?: RecordData): CairnEvent {
  return { type, accountId, collection: def.name, recordId: rec.id, payload: rec, previous: previous ?? null, created };
}

/**
 * Maps a unique-constraint violation to 409 naming the field; rethrows anything else.
 * SQLite: "UNIQUE constraint failed: posts.account_id, posts.slug"; PostgreSQL 23505 with
 * "Key (account_id, slug)=(…) already exists".
 */
export function mapConstraintError(def: CollectionDef, e: unknown): never {
  const err = e as { code?: string; message?: string; detail?: string };
  let cols: string[] | undefined;
  if (err?.code === "SQLITE_CONSTRAINT_UNIQUE" || err?.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    cols = /constraint failed: (.+)$/
      .exec(err.message ?? "")?.[1]
      ?.split(",")
      .map((s) => s.trim().split(".").pop()!);
  } else if (err?.code === "23505") {
    cols = /Key \(([^)]*)\)/
      .exec(err.detail ?? "")?.[1]
      ?.split(",")
      .map((s) => s.trim().replace(/"/g, ""));
  }
  if (cols) {
    const field = cols.filter((c) => c !== "account_id").join(", ") || "id";
    throw new ConflictError(`A record with this ${field} already exists in '${def.name}'`, { field, [field]: "Must be unique" });
  }
  throw e;
}
