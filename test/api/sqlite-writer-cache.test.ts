/**
 * SQLite's write connection keeps a small page cache (db/sqlite.ts: 2 MiB instead of 16): a
 * write that needs more pages than the cache holds still commits and reads back whole. The read
 * connection keeps 12 MiB. On a
 * database file of its own. SQLite only: PostgreSQL keeps no page cache in the server process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteFile, SqliteDb } from "../../src/db/sqlite.ts";

let dir: string;
let db: SqliteDb;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-writer-cache-"));
  db = new SqliteDb(join(dir, "data.db"));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(process.env.CAIRN_TEST_DB !== "postgres")("the connections' page caches", () => {
  it("is 2 MiB, and a transaction larger than it commits whole", async () => {
    expect(db.writer.pragma("cache_size", { simple: true })).toBe(-2000);
    await db.script(`CREATE TABLE "rows" ("id" INTEGER PRIMARY KEY, "text" TEXT); CREATE INDEX "rows_text" ON "rows" ("text")`);
    // about 12 MiB of rows and index in one transaction: six times the cache
    await db.transaction(async (tx) => {
      for (let i = 0; i < 6000; i++) await tx.execute({ sql: `INSERT INTO "rows" ("id", "text") VALUES (?, ?)`, parameters: [i, `${i} `.padEnd(1000, "x")] });
    });
    const [row] = await db.query<{ n: number; bytes: number }>({ sql: `SELECT count(*) AS n, sum(length("text")) AS bytes FROM "rows"`, parameters: [] });
    expect(row).toEqual({ n: 6000, bytes: 6_000_000 });
    await db.execute({ sql: `UPDATE "rows" SET "text" = 'y' WHERE "id" % 2 = 0`, parameters: [] });
    expect((await db.query<{ n: number }>({ sql: `SELECT count(*) AS n FROM "rows" WHERE "text" = 'y'`, parameters: [] }))[0]!.n).toBe(3000);
  });

  it("is 12 MiB on the read connection", () => {
    const reader = openSqliteFile(join(dir, "data.db"), true);
    try {
      expect(reader.pragma("cache_size", { simple: true })).toBe(-12000);
      expect(reader.pragma("query_only", { simple: true })).toBe(1);
    } finally {
      reader.close();
    }
  });
});
