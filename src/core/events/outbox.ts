/**
 * The `_events` outbox: rows written in the same transaction as the change they describe, read
 * back in `seq` order by the dispatcher (dispatcher.ts).
 *
 * Promises:
 * - Commit order is `seq` order. On PostgreSQL a sequence hands out numbers before commit, so a
 *   later number could become visible first and a reader that moved past it would skip the
 *   earlier one for good. `writeOutbox` therefore takes a transaction-scoped advisory lock just
 *   before its insert (the last statement of every writing transaction), so event-writing
 *   transactions commit in the order of their numbers. SQLite has one writer: nothing to do.
 * - Events of one transaction are one INSERT, numbered in the order given.
 * - Deletes store the record before the change as their payload. Updates keep it as a bounded
 *   delta: only the fields whose value changed, with their old values (`{...payload, ...previous}`
 *   is the old record). A delta larger than MAX_PREVIOUS_CHARS is not kept (null): readers then
 *   treat the old state as unknown. The payload itself is the record, bounded by the request
 *   body limit.
 */
import { sql } from "kysely";
import type { Dialect } from "../../config.ts";
import type { Row, SqlDb } from "../../db/sql-db.ts";
import type { CairnEvent, EventType } from "./bus.ts";

/** An event read back from the outbox: numbered, with the record before the change. */
export interface StoredEvent extends CairnEvent {
  seq: number;
  /** the record (or collection) the event is about; decoded on first read (see OutboxEvent) */
  readonly payload: Record<string, unknown>;
  /**
   * The record before the change: for updates (null when its delta was too large to keep) and
   * deletes (the payload itself, stored once); null for creates and collection events.
   */
  readonly previous: Record<string, unknown> | null;
}

/** Largest kept `previous` delta (JSON characters). */
export const MAX_PREVIOUS_CHARS = 64 * 1024;

/** Arbitrary constant naming the outbox commit-order lock ("events" in ASCII). */
const OUTBOX_LOCK_KEY = 0x6576656e7473;

/** Outbox INSERT texts by dialect, row count and the table of the row written with them. */
const insertTexts = new Map<string, string>();
/** Most texts kept in `insertTexts` (row counts vary with bulk writes); past it the map starts again. */
const INSERT_TEXTS_KEPT = 200;

/** The outbox columns: the order of the compiled INSERTs and of their parameters. */
const OUTBOX_COLUMNS = ["account_id", "type", "collection", "record_id", "payload", "previous", "created"] as const;

/**
 * A row for another table to write in the same statement as a single event's outbox row
 * (PostgreSQL: a data-modifying CTE), saving a round trip; its keys in a fixed order.
 */
export interface AlsoInsert {
  table: string;
  row: Record<string, unknown>;
}
const readText: Partial<Record<Dialect, string>> = {};

/**
 * Writes the events' outbox rows inside the caller's transaction (one statement). Sets `seq` on
 * a single event (on PostgreSQL by the time the transaction commits). Call it as the last write
 * of the transaction: on PostgreSQL it holds the outbox lock until commit. There the lock is
 * taken by the INSERT itself (a CTE its rows are selected from, so it runs before any `seq` is
 * drawn): one round trip instead of two. And the INSERT is deferred (`executeDeferred`): it is
 * answered with the COMMIT, so the transaction does not wait for it in between.
 */
export async function writeOutbox(tx: SqlDb, events: CairnEvent[], also?: AlsoInsert): Promise<void> {
  if (also && (events.length !== 1 || tx.dialect !== "postgres")) throw new Error("writeOutbox: `also` needs one event on PostgreSQL");
  if (events.length === 0) return;
  if (!tx.inTransaction) {
    await tx.transaction((inner) => writeOutbox(inner, events, also));
    return;
  }
  const parameters: unknown[] = tx.dialect === "postgres" ? [OUTBOX_LOCK_KEY, ...(also ? Object.values(also.row) : [])] : [];
  for (const e of events) {
    const row = toRow(e);
    for (const c of OUTBOX_COLUMNS) parameters.push(row[c]);
  }
  // deferred: on PostgreSQL the INSERT is answered with the COMMIT that follows it
  await tx.executeDeferred<{ seq: number }>({ sql: insertText(tx, events.length, also), parameters }, ({ rows }) => {
    if (events.length === 1 && rows[0]) events[0]!.seq = Number(rows[0].seq);
  });
}

/**
 * The outbox INSERT of `count` rows (a bulk write's rows are one statement), compiled once per
 * dialect, count and `also` table. A single row returns its `seq`.
 */
function insertText(tx: SqlDb, count: number, also?: AlsoInsert): string {
  const key = `${tx.dialect}\0${count}\0${also?.table ?? ""}`;
  let text = insertTexts.get(key);
  if (text !== undefined) return text;
  if (tx.dialect === "postgres") text = pgInsert(tx, count, also);
  else {
    const row = Object.fromEntries(OUTBOX_COLUMNS.map((c) => [c, null]));
    const insert = tx.qb.insertInto("_events").values(Array.from({ length: count }, () => row));
    text = (count === 1 ? insert.returning("seq") : insert).compile().sql;
  }
  if (insertTexts.size >= INSERT_TEXTS_KEPT) insertTexts.clear();
  insertTexts.set(key, text);
  return text;
}

/**
 * PostgreSQL's outbox INSERT of `count` rows: the commit-order lock in a CTE the rows are
 * selected from, then `also`'s row as a data-modifying CTE; parameters are the lock key, the
 * `also` row's values, then each event row's values. Rows keep their order (`seq` follows it).
 */
function pgInsert(tx: SqlDb, count: number, also?: AlsoInsert): string {
  const columns = sql.join(OUTBOX_COLUMNS.map((c) => sql.ref(c)));
  const placeholder = sql.join(OUTBOX_COLUMNS.map(() => sql`${null}`));
  const values = sql.join(Array.from({ length: count }, (_, i) => sql`(${placeholder}, ${sql.lit(i)})`));
  const select = sql`SELECT ${sql.join(OUTBOX_COLUMNS.map((c) => sql.ref(`v.${c}`)))} FROM "outbox_lock", (VALUES ${values}) AS v(${columns}, "ord") ORDER BY v."ord"`;
  const locked = tx.qb.with("outbox_lock", (db) => db.selectNoFrom(sql`pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`.as("locked")));
  const withAlso = also ? locked.with("also", (db) => db.insertInto(also.table).values(also.row)) : locked;
  return withAlso
    .insertInto("_events")
    .columns([...OUTBOX_COLUMNS])
    .expression(select)
    .returning("seq")
    .compile().sql;
}

/**
 * Takes the commit-order lock (PostgreSQL; held until commit) before outbox rows are written
 * by other means than `writeOutbox` (e.g. INSERT … SELECT in one statement).
 */
export async function lockOutboxOrder(tx: SqlDb): Promise<void> {
  if (tx.dialect === "postgres") await tx.query(sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`.compile(tx.qb));
}

function toRow(e: CairnEvent) {
  return {
    account_id: e.accountId,
    type: e.type,
    collection: e.collection,
    record_id: e.recordId,
    payload: JSON.stringify(e.payload),
    previous: e.type === "record.update" && e.previous ? previousDelta(e.payload, e.previous) : null,
    created: e.created,
  };
}

/** The fields of `before` whose value differs in `after` (fields new in `after` as null); null when too large. */
export function previousDelta(after: Record<string, unknown>, before: Record<string, unknown>): string | null {
  // No prototype: field names must stay plain keys.
  const delta: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(before)) {
    if (JSON.stringify(value) !== JSON.stringify(after[key])) delta[key] = value ?? null;
  }
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) delta[key] = null;
  const text = JSON.stringify(delta);
  return text.length <= MAX_PREVIOUS_CHARS ? text : null;
}

/** Outbox rows after `afterSeq`, oldest first, at most `limit`. */
export async function readOutbox(db: SqlDb, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  return toStoredEvents(await readOutboxRows(db, afterSeq, limit));
}

/** The rows of {@link readOutbox}, not yet decoded (consumers at the same position share one read). */
export function readOutboxRows(db: SqlDb, afterSeq: number, limit: number): Promise<readonly Row[]> {
  // runs after every commit: SQL compiled once per dialect
  const text = (readText[db.dialect] ??= db.qb.selectFrom("_events").selectAll().where("seq", ">", 0).orderBy("seq").limit(1).compile().sql);
  return db.query({ sql: text, parameters: [afterSeq, limit] });
}

/** Decodes outbox rows: every call returns new event objects (a consumer may keep or change its own). */
export function toStoredEvents(rows: readonly Row[]): StoredEvent[] {
  return rows.map((r) => new OutboxEvent(r));
}

/** The newest sequence number (0 for an empty outbox). */
export async function latestSeq(db: SqlDb): Promise<number> {
  const [row] = await db.query<{ seq: unknown }>(db.qb.selectFrom("_events").select((eb) => eb.fn.max("seq").as("seq")));
  return Number(row?.seq ?? 0);
}

/**
 * An outbox row as an event. `payload` and `previous` are decoded when first read, then kept:
 * most events reach consumers that look only at their type and collection (no webhook, no live
 * subscriber on it), and a bulk create of 100 records made each consumer parse 100 payloads it
 * never used. They are getters, so a copy made by spreading leaves them out; JSON (the pub/sub
 * port) gets every field through `toJSON`.
 */
class OutboxEvent implements StoredEvent {
  readonly seq: number;
  readonly type: EventType;
  readonly accountId: string;
  readonly collection: string;
  readonly recordId: string | null;
  readonly created: string;
  readonly #rawPayload: unknown;
  readonly #rawPrevious: unknown;
  #payload: Record<string, unknown> | undefined;
  #previous: Record<string, unknown> | null | undefined;

  constructor(r: Row) {
    this.seq = Number(r.seq);
    this.type = r.type as EventType;
    this.accountId = String(r.account_id);
    this.collection = String(r.collection);
    this.recordId = r.record_id == null ? null : String(r.record_id);
    this.created = String(r.created);
    this.#rawPayload = r.payload;
    this.#rawPrevious = r.previous;
  }

  get payload(): Record<string, unknown> {
    return (this.#payload ??= parseObject(this.#rawPayload) ?? {});
  }

  get previous(): Record<string, unknown> | null {
    if (this.#previous === undefined) {
      if (this.type === "record.delete") this.#previous = this.payload;
      else {
        const delta = parseObject(this.#rawPrevious);
        this.#previous = delta ? { ...this.payload, ...delta } : null;
      }
    }
    return this.#previous;
  }

  toJSON(): StoredEvent {
    const { seq, type, accountId, collection, recordId, payload, previous, created } = this;
    return { seq, type, accountId, collection, recordId, payload, previous, created };
  }
}

function parseObject(v: unknown): Record<string, unknown> | null {
  if (v == null) return null;
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}
