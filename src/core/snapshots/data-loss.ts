/**
 * Warnings for the destructive steps of a plan: how many records a dropped collection holds and
 * how many records have a value in a dropped field. One count per such step (plans are short).
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import type { SchemaPlan } from "./plan.ts";

/** Adds `warning` to each step that drops data. Runs through `db` (the applying transaction, or the database). */
export async function annotateDataLoss(db: SqlDb, plan: SchemaPlan): Promise<void> {
  for (const s of plan.steps) {
    if (!s.destructive || !s.table) continue;
    let q = db.qb.selectFrom(s.table).select(sql<number>`count(*)`.as("n"));
    if (s.column) q = q.where(s.column, "is not", null);
    const [row] = await db.query<{ n: number | bigint | string }>(q);
    const n = Number(row?.n ?? 0);
    if (n === 0) continue;
    const records = `${n} record${n === 1 ? "" : "s"}`;
    s.warning = s.column ? `data loss: the values of ${s.column} in ${records} are deleted` : `data loss: ${records} ${n === 1 ? "is" : "are"} deleted`;
  }
}
