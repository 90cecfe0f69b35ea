/**
 * Transactions started together (db/sqlite.ts commits them as one group on SQLite): each one is
 * still all or nothing on its own, a failing one takes none of the others with it, each promise
 * settles only once its writes are committed (visible to a fresh read), and after-commit
 * callbacks run after that commit. On SQLite, transactions started in one turn of the event loop
 * settle together; the same semantics hold on PostgreSQL, where each commits on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDb } from "../../src/db/sql-db.ts";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let db: SqlDb;

beforeAll(async () => {
  t = await startApp();
  db = t.app.services.db;
  await db.script(`CREATE TABLE "group_rows" ("id" TEXT PRIMARY KEY, "n" INTEGER)`);
  await db.execute(db.qb.insertInto("group_rows" as never).values({ id: "p-0", n: 0 } as never));
});
afterAll(async () => t?.close());

const insert = (tx: SqlDb, id: string, n: number) => tx.execute(tx.qb.insertInto("group_rows" as never).values({ id, n } as never));
const ids = async () =>
  (
    await db.query<{ id: string }>(
      db.qb
        .selectFrom("group_rows" as never)
        .select("id" as never)
        .orderBy("id" as never),
    )
  ).map((r) => r.id);

describe("transactions started together", () => {
  it("stay all or nothing each; a failing one rolls back alone; each settles after its commit", async () => {
    const settled: string[] = [];
    const afterCommit: string[] = [];
    let slowDone = false;
    const run = (name: string, fn: (tx: SqlDb) => Promise<void>) =>
      db
        .transaction(async (tx) => {
          await fn(tx);
          tx.afterCommit(() => afterCommit.push(name));
        })
        .then(
          async () => {
            // committed: a read on the read connection sees the rows
            expect(await ids()).toContain(`${name}-1`);
            settled.push(name);
            return slowDone;
          },
          (e: unknown) => {
            settled.push(`${name}!`);
            throw e;
          },
        );
    const a = run("a", async (tx) => {
      await insert(tx, "a-1", 1);
      await insert(tx, "a-2", 2);
    });
    const bad = run("b", async (tx) => {
      await insert(tx, "b-1", 1);
      await insert(tx, "p-0", 3); // primary key taken before: this transaction fails, the others' rows stay
    });
    const slow = run("c", async (tx) => {
      await insert(tx, "c-1", 1);
      await new Promise((r) => setTimeout(r, 50));
      await insert(tx, "c-2", 2);
      slowDone = true;
    });
    const [ra, rb, rc] = await Promise.allSettled([a, bad, slow]);
    expect(ra.status).toBe("fulfilled");
    expect(rb.status).toBe("rejected");
    expect(rc.status).toBe("fulfilled");
    expect(await ids()).toEqual(["a-1", "a-2", "c-1", "c-2", "p-0"]);
    expect(afterCommit).toEqual(["a", "c"]);
    // SQLite: the three started in one turn share one commit, so a settles only after the slow c ran
    if (db.dialect === "sqlite") expect((ra as PromiseFulfilledResult<boolean>).value).toBe(true);
    expect(settled.sort()).toEqual(["a", "b!", "c"]);
  });

  it("keeps a schema change and the transactions after it apart", async () => {
    const ddl = db.transaction(async (tx) => {
      await tx.script(`CREATE TABLE "group_later" ("id" TEXT PRIMARY KEY)`);
    });
    // PostgreSQL runs concurrent transactions on separate connections, in no promised order: there
    // the caller orders them (SQLite: started in the same turn, and the group keeps that order)
    if (db.dialect === "postgres") await ddl;
    const after = db.transaction(async (tx) => {
      await tx.execute(tx.qb.insertInto("group_later" as never).values({ id: "x" } as never));
    });
    await Promise.all([ddl, after]);
    const rows = await db.query<{ id: string }>(db.qb.selectFrom("group_later" as never).select("id" as never));
    expect(rows.map((r) => r.id)).toEqual(["x"]);
  });

  it("commits many concurrent transactions, every one of them", async () => {
    await Promise.all(Array.from({ length: 150 }, (_, i) => db.transaction((tx) => insert(tx, `m-${String(i).padStart(3, "0")}`, i))));
    expect((await ids()).filter((id) => id.startsWith("m-"))).toHaveLength(150);
  });
});
