/**
 * The `record.delete` outbox rows of a whole account's records in one collection, written by
 * one INSERT … SELECT per table: the database builds each payload (the record as the API
 * shows it: system fields, then the collection's fields) from the rows, so no record travels
 * to the server and the statement count does not grow with the records. Used when an account
 * is deleted with its data, so subscriptions and webhooks see every record go.
 */
import { sql, type RawBuilder } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { SYSTEM_FIELDS } from "../../query/system-fields.ts";
import { storageKind, type CollectionDef, type StorageKind } from "../collections/types.ts";
import { lockOutboxOrder } from "../events/outbox.ts";

/** PostgreSQL functions take at most 100 arguments: json objects are built in slices of pairs. */
const PG_PAIRS_PER_CALL = 50;

/** The JSON value of a column as the API record has it (ISO timestamps, booleans, parsed JSON). */
function value(dialect: SqlDb["dialect"], column: string, kind: StorageKind): RawBuilder<unknown> {
  const col = sql.ref(column);
  if (dialect === "sqlite") {
    if (kind === "bool") return sql`CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} THEN json('true') ELSE json('false') END`;
    if (kind === "json") return sql`json(${col})`;
    return sql`${col}`;
  }
  if (kind === "datetime") return sql`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (kind === "date") return sql`to_char(${col}, 'YYYY-MM-DD')`;
  return sql`${col}`;
}

function payload(dialect: SqlDb["dialect"], def: CollectionDef): RawBuilder<unknown> {
  const pairs = [
    ...SYSTEM_FIELDS.filter((f) => f.inRecord).map((f) => [f.name, value(dialect, f.column, f.kind)] as const),
    ...def.fields.map((f) => [f.name, value(dialect, f.name, storageKind(f))] as const),
  ].map(([k, v]) => sql`${sql.lit(k)}, ${v}`);
  if (dialect === "sqlite") return sql`json_object(${sql.join(pairs)})`;
  if (pairs.length <= PG_PAIRS_PER_CALL) return sql`json_build_object(${sql.join(pairs)})::text`;
  const slices: RawBuilder<unknown>[] = [];
  for (let i = 0; i < pairs.length; i += PG_PAIRS_PER_CALL) slices.push(sql`jsonb_build_object(${sql.join(pairs.slice(i, i + PG_PAIRS_PER_CALL))})`);
  return sql`(${sql.join(slices, sql` || `)})::text`;
}

/**
 * Writes a `record.delete` outbox row for every record of `accountId` in `def` (one
 * statement), before the records themselves are deleted in the same transaction.
 * @returns how many rows were written
 */
export async function writeAccountDeleteEvents(tx: SqlDb, def: CollectionDef, accountId: string, created: string): Promise<number> {
  await lockOutboxOrder(tx);
  const statement = sql`INSERT INTO "_events" ("account_id", "type", "collection", "record_id", "payload", "created")
    SELECT "account_id", 'record.delete', CAST(${def.name} AS TEXT), "id", ${payload(tx.dialect, def)}, CAST(${created} AS TEXT) FROM ${sql.table(def.name)} WHERE "account_id" = ${accountId} ORDER BY "id"`;
  return (await tx.execute(statement.compile(tx.qb))).changes;
}
