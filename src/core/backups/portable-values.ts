/**
 * Column values between databases. A backup stores values as the source database returned them
 * (JSON-safe already: the PostgreSQL pool returns timestamps as ISO text, see db/postgres.ts),
 * and the manifest keeps each column's declared type. On restore:
 * - a PostgreSQL `json`/`jsonb` column's value is a parsed JSON value: it goes back as JSON text
 *   (SQLite keeps JSON as text; PostgreSQL parses the text into jsonb);
 * - SQLite's 0/1 booleans become booleans for a PostgreSQL `boolean` column;
 * - everything else (text, numbers, ISO timestamps, `YYYY-MM-DD` dates) goes as it is.
 */
import type { Dialect } from "../../config.ts";

const isJsonType = (type: string) => type === "json" || type === "jsonb";

/** A value read from the source database, made JSON-safe for the archive. */
export function toPortable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Buffer.isBuffer(value)) return value.toString("base64");
  return value;
}

/** The value to insert into the target column for an archived value. */
export function fromPortable(value: unknown, source: { dialect: Dialect; type: string }, target: { dialect: Dialect; type: string }): unknown {
  if (value === null || value === undefined) return null;
  if (source.dialect === "postgres" && isJsonType(source.type)) return JSON.stringify(value);
  if (target.dialect === "postgres" && target.type === "boolean" && typeof value === "number") return value !== 0;
  if (target.dialect === "postgres" && isJsonType(target.type) && typeof value !== "string") return JSON.stringify(value);
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}
