/**
 * SQLite reads rows as arrays and names their values itself (db/sqlite.ts, `Prepared`): the rows
 * a query, a write's RETURNING and a statement SQLite prepared again after a schema change return
 * carry every column under its own name. On a database file of its own; SQLite only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/db/sqlite.ts";

let dir: string;
let db: SqliteDb;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-sqlite-rows-"));
  db = new SqliteDb(join(dir, "data.db"));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = (sql: string, ...parameters: unknown[]) => db.query({ sql, parameters });

describe.runIf(process.env.CAIRN_TEST_DB !== "postgres")("rows read from SQLite", () => {
  it("carry each column under its name, from queries and from RETURNING", async () => {
    await db.script(`CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY, "title" TEXT, "views" REAL, "data" BLOB)`);
    const inserted = await db.execute({
      sql: `INSERT INTO "notes" ("id", "title", "views", "data") VALUES (?, ?, ?, ?), (?, ?, ?, ?) RETURNING "id", "title"`,
      parameters: [1, "one", 1.5, Buffer.from("a"), 2, null, null, null],
    });
    expect(inserted).toEqual({
      rows: [
        { id: 1, title: "one" },
        { id: 2, title: null },
      ],
      changes: 2,
    });
    expect(await all(`SELECT * FROM "notes" ORDER BY "id"`)).toEqual([
      { id: 1, title: "one", views: 1.5, data: Buffer.from("a") },
      { id: 2, title: null, views: null, data: null },
    ]);
    expect(await all(`SELECT "title" AS "name", "id" * 10 AS "ten" FROM "notes" WHERE "id" = ?`, 1)).toEqual([{ name: "one", ten: 10 }]);
    expect(await all(`SELECT * FROM "notes" WHERE "id" = ?`, 99)).toEqual([]);
  });

  it("follow a table's new columns when SQLite prepares a cached statement again", async () => {
    const select = `SELECT * FROM "notes" WHERE "id" = ?`;
    expect(Object.keys((await all(select, 1))[0]!)).toEqual(["id", "title", "views", "data"]);
    // DDL outside db.script leaves the statement caches as they are: SQLite prepares the cached
    // statement again, and `*` now has five columns
    db.writer.exec(`ALTER TABLE "notes" ADD COLUMN "status" TEXT DEFAULT 'draft'`);
    expect(await all(select, 1)).toEqual([{ id: 1, title: "one", views: 1.5, data: Buffer.from("a"), status: "draft" }]);
  });
});
