/**
 * The outbox's commit order on PostgreSQL (src/core/events/outbox.ts): a sequence hands out
 * `seq` before commit, so a transaction holding outbox rows must keep every later writer from
 * drawing numbers until it commits. The lock rides in the outbox INSERT itself (no statement of
 * its own): a second writer, single or bulk, waits on it while the first is open and gets the
 * later numbers. SQLite has one writer and needs none of this.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CairnEvent } from "../../src/core/events/bus.ts";
import { writeOutbox } from "../../src/core/events/outbox.ts";
import { PostgresDb } from "../../src/db/postgres.ts";
import { eventually, freshDatabase, TEST_DB } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";

const event = (id: string): CairnEvent => ({ type: "record.create", accountId: "acc", collection: "posts", recordId: id, payload: { id }, previous: null, created: "2026-01-01T00:00:00.000Z" });

describe.runIf(TEST_DB === "postgres")("outbox commit order on PostgreSQL", () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: PostgresDb;
  let watcher: PostgresDb;

  beforeAll(async () => {
    fresh = await freshDatabase();
    db = new PostgresDb(fresh.url, () => {}, 2);
    watcher = new PostgresDb(fresh.url, () => {}, 1);
    await db.script(
      `CREATE TABLE "_events" ("seq" SERIAL PRIMARY KEY, "account_id" TEXT NOT NULL, "type" TEXT NOT NULL, "collection" TEXT NOT NULL, "record_id" TEXT, "payload" TEXT NOT NULL, "previous" TEXT, "created" TEXT NOT NULL)`,
    );
  });
  afterAll(async () => {
    await db?.close();
    await watcher?.close();
    await fresh?.drop();
  });

  it("a second writer waits for the first to commit, and its rows come after", async () => {
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = event("r1");
    const rec = recordStatements(db, { writes: true, transactions: true });
    let firstDone: Promise<void>;
    let secondDone: Promise<void>;
    let secondFinished = false;
    try {
      firstDone = db.transaction(async (tx) => {
        await writeOutbox(tx, [first]);
        wrote();
        await gate;
      });
      await written;
      secondDone = db.transaction((tx) => writeOutbox(tx, [event("r2"), event("r3")])).then(() => void (secondFinished = true));
      const waiting = await eventually(
        async () => Number((await watcher.query<{ n: string }>({ sql: `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`, parameters: [] }))[0]!.n) > 0,
        5000,
        "the second writer to wait on the outbox lock",
      );
      expect(waiting).toBe(true);
      expect(secondFinished).toBe(false);
      release();
      await firstDone;
      await secondDone;
    } finally {
      release();
      rec.restore();
    }
    const rows = await db.query<{ seq: number; record_id: string }>({ sql: `SELECT "seq", "record_id" FROM "_events" ORDER BY "seq"`, parameters: [] });
    expect(rows.map((r) => r.record_id)).toEqual(["r1", "r2", "r3"]);
    expect(first.seq).toBe(Number(rows[0]!.seq));
    // the lock is part of each outbox INSERT, not a statement of its own
    const outbox = rec.texts().filter((s) => /insert into "_events"/i.test(s));
    expect(outbox).toHaveLength(2);
    for (const s of outbox) expect(s).toMatch(/pg_advisory_xact_lock/);
    expect(rec.texts().filter((s) => /^\s*select pg_advisory_xact_lock/i.test(s))).toEqual([]);
  });
});
