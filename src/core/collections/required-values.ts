/**
 * Existing records and fields that become required (added as required, or turned required):
 * GraphQL types such a field as non-null, so no row may keep NULL in it. A field with a
 * `default` gives it to every row holding NULL (one UPDATE per field, in the schema change's
 * transaction); a field without one is refused with 422 naming it and the number of records
 * that have no value (any account). Runs after the column DDL, so it sees the values as
 * converted, and the caller's transaction rolls the whole change back on refusal.
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { ValidationError } from "../errors.ts";
import { toStorage } from "../records/values.ts";
import type { SchemaPlan } from "./plan.ts";

const hasDefault = (f: { default?: unknown }) => f.default !== undefined && f.default !== null;

/** Refuses (422) fields without a default that existing records leave empty, then fills the others. */
export async function settleRequiredValues(tx: SqlDb, plan: SchemaPlan): Promise<void> {
  const table = plan.next.name;
  const unfilled = plan.newlyRequired.filter(({ field }) => !hasDefault(field));
  if (unfilled.length) {
    // one pass over the table counts the empty rows of every such field
    const counts = sql.join(unfilled.map(({ field }, i) => sql`SUM(CASE WHEN ${sql.ref(field.name)} IS NULL THEN 1 ELSE 0 END) AS ${sql.ref(`n${i}`)}`));
    const stmt = sql<Record<string, unknown>>`SELECT ${counts} FROM ${sql.table(table)}`;
    const [row] = await tx.query<Record<string, unknown>>(stmt.compile(tx.qb));
    const errors: Record<string, string> = {};
    let message = "";
    unfilled.forEach(({ field, index }, i) => {
      const n = Number(row?.[`n${i}`] ?? 0);
      if (!n) return;
      const have = n === 1 ? "1 record has" : `${n} records have`;
      errors[`schema[${index}].required`] = `${have} no value for required field '${field.name}': give it a default or fill them first`;
      message ||= `Field '${field.name}' is required but ${have} no value: give it a default or fill them first`;
    });
    if (message) throw new ValidationError(message, errors);
  }
  for (const { field, index } of plan.newlyRequired) {
    if (!hasDefault(field)) continue;
    const col = sql.ref(field.name);
    const stmt = sql`UPDATE ${sql.table(table)} SET ${col} = ${toStorage(field, field.default, tx.dialect)} WHERE ${col} IS NULL`;
    try {
      await tx.execute(stmt.compile(tx.qb));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "SQLITE_CONSTRAINT_UNIQUE" && code !== "23505") throw e;
      const msg = `Field '${field.name}' is unique: its default cannot fill more than one record of an account`;
      throw new ValidationError(msg, { [`schema[${index}].default`]: "a unique field's default cannot fill more than one record of an account" });
    }
  }
}
