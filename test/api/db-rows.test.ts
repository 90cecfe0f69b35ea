/**
 * Both drivers read rows as arrays and name their values themselves (db/rows.ts): the rows a
 * query and a write's RETURNING return carry every column under its own name, whatever the name,
 * and on SQLite a statement prepared again after a schema change names its new columns (on
 * PostgreSQL: pg-statements.test.ts). On a database of its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresDb } from "../../src/db/postgres.ts";
import type { SqlDb } from "../../src/db/sql-db.ts";
import { SqliteDb } from "../../src/db/sqlite.ts";
import { freshDatabase, TEST_DB } from "../helpers/app.ts";

let dir: string;
let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let db: SqlDb;
/** `?` placeholders as the dialect writes them */
const sqlOf = (sql: string) => (TEST_DB === "postgres" ? sql.replace(/\?/g, (_, i: number, s: string) => `$${s.slice(0, i).split("?").length}`) : sql);
const all = (sql: string, ...parameters: unknown[]) => db.query({ sql: sqlOf(sql), parameters });

beforeAll(async () => {
  if (TEST_DB === "postgres") {
    fresh = await freshDatabase();
    db = new PostgresDb(fresh.url);
  } else {
    dir = mkdtempSync(join(tmpdir(), "cairn-db-rows-"));
    db = new SqliteDb(join(dir, "data.db"));
  }
  await db.script(`CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY, "title" TEXT, "views" REAL)`);
});
afterAll(async () => {
  await db?.close();
  await fresh?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("rows read from the database", () => {
  it("carry each column under its name, from queries and from RETURNING", async () => {
    const inserted = await db.execute({ sql: sqlOf(`INSERT INTO "notes" ("id", "title", "views") VALUES (?, ?, ?), (?, ?, ?) RETURNING "id", "title"`), parameters: [1, "one", 1.5, 2, null, null] });
    expect(inserted).toEqual({
      rows: [
        { id: 1, title: "one" },
        { id: 2, title: null },
      ],
      changes: 2,
    });
    expect(await all(`SELECT * FROM "notes" ORDER BY "id"`)).toEqual([
      { id: 1, title: "one", views: 1.5 },
      { id: 2, title: null, views: null },
    ]);
    expect(await all(`SELECT "title" AS "name", "id" * 10 AS "ten" FROM "notes" WHERE "id" = ?`, 1)).toEqual([{ name: "one", ten: 10 }]);
    expect(await all(`SELECT * FROM "notes" WHERE "id" = ?`, 99)).toEqual([]);
  });

  it("keep any column name a plain own property, and the last of two equal names", async () => {
    const [row] = await all(`SELECT 1 AS "__proto__", 2 AS "a", 3 AS "a", 4 AS "it's ""quoted""\n\u2028", 5 AS "constructor"`);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.entries(row!)).toEqual([
      ["__proto__", 1],
      ["a", 3],
      ['it\'s "quoted"\n\u2028', 4],
      ["constructor", 5],
    ]);
  });

  it.runIf(TEST_DB !== "postgres")("follow a table's new columns when SQLite prepares a cached statement again", async () => {
    const select = `SELECT * FROM "notes" WHERE "id" = ?`;
    expect(Object.keys((await all(select, 1))[0]!)).toEqual(["id", "title", "views"]);
    // DDL outside db.script leaves the statement caches as they are: SQLite prepares the cached
    // statement again, and `*` now has four columns
    (db as SqliteDb).writer.exec(`ALTER TABLE "notes" ADD COLUMN "status" TEXT DEFAULT 'draft'`);
    expect(await all(select, 1)).toEqual([{ id: 1, title: "one", views: 1.5, status: "draft" }]);
  });
});
