/**
 * SQLite's write connection releases its page cache once writes pause (db/sqlite.ts): not while
 * writes keep coming, once after they stop, not again until the next write, and what was written
 * stays readable and writable after the release. On a database file of its own, with the timer
 * out of the way (the test makes its looks itself). SQLite only: PostgreSQL keeps no page cache
 * in the server process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/db/sqlite.ts";

const HOUR = 3_600_000;
let dir: string;
let db: SqliteDb;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-writer-cache-"));
  db = new SqliteDb(join(dir, "data.db"), undefined, HOUR);
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (from: number, n: number) =>
  db.transaction(async (tx) => {
    for (let i = from; i < from + n; i++) await tx.execute({ sql: `INSERT INTO "rows" ("id", "text") VALUES (?, ?)`, parameters: [i, "x".repeat(500)] });
  });
const count = async (where = "1 = 1") => (await db.query<{ n: number }>({ sql: `SELECT count(*) AS n FROM "rows" WHERE ${where}`, parameters: [] }))[0]!.n;

describe.runIf(process.env.CAIRN_TEST_DB !== "postgres")("the write connection's page cache", () => {
  it("is released once writes paused, once, and writes go on after it", async () => {
    await db.script(`CREATE TABLE "rows" ("id" INTEGER PRIMARY KEY, "text" TEXT)`);
    // nothing written yet
    expect(db.releaseWriterCacheIfIdle()).toBe(false);
    await insert(0, 2000);
    // the first look sees new writes: not yet
    expect(db.releaseWriterCacheIfIdle()).toBe(false);
    // more writes before the next look: still not
    await insert(2000, 10);
    expect(db.releaseWriterCacheIfIdle()).toBe(false);
    // nothing written since the last look: released
    expect(db.releaseWriterCacheIfIdle()).toBe(true);
    // nothing to release until the next write
    expect(db.releaseWriterCacheIfIdle()).toBe(false);
    expect(await count()).toBe(2010);
    await insert(2010, 1);
    expect(db.releaseWriterCacheIfIdle()).toBe(false);
    expect(db.releaseWriterCacheIfIdle()).toBe(true);
    await db.execute({ sql: `UPDATE "rows" SET "text" = 'y' WHERE "id" < 1000`, parameters: [] });
    expect(await count(`"text" = 'y'`)).toBe(1000);
    expect(await count()).toBe(2011);
  });
});
