/**
 * The PostgreSQL driver layer (src/db/postgres.ts): statements run as named prepared statements
 * and still see tables changed by DDL (this instance's or another's), are planned for their own
 * parameters (a rare word still finds its rows through the trigram index), and a request that
 * waits for a busy pool waits for a connection instead of failing. Transactions are pipelined:
 * BEGIN leaves with the first statement and COMMIT with the deferred ones (round trips counted
 * through a relay between the pool and the server). SQLite has none of these
 * (one process, statements cached per connection and cleared after DDL: see query-plans).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyDriverError } from "../../src/db/driver-errors.ts";
import { CONNECT_TIMEOUT_MS, PostgresDb } from "../../src/db/postgres.ts";
import { freshDatabase, TEST_DB } from "../helpers/app.ts";

describe.runIf(TEST_DB === "postgres")("PostgreSQL statements and pool", () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: PostgresDb;
  let other: PostgresDb;
  const select = { sql: "SELECT * FROM things WHERE id = $1", parameters: [1] };

  beforeAll(async () => {
    fresh = await freshDatabase();
    db = new PostgresDb(fresh.url, () => {}, 2);
    other = new PostgresDb(fresh.url, () => {}, 1);
    await db.script("CREATE TABLE things (id INT PRIMARY KEY, a TEXT)");
    await db.execute({ sql: "INSERT INTO things (id, a) VALUES ($1, $2)", parameters: [1, "x"] });
  });
  afterAll(async () => {
    await db?.close();
    await other?.close();
    await fresh?.drop();
  });

  it("runs a statement text as a prepared statement on the server", async () => {
    await db.query(select);
    const names = await db.query<{ statement: string }>({ sql: "SELECT statement FROM pg_prepared_statements", parameters: [] });
    expect(names.map((n) => n.statement)).toContain(select.sql);
  });

  it("sees new columns after DDL on this instance, in and out of transactions", async () => {
    expect(await db.query(select)).toEqual([{ id: 1, a: "x" }]);
    await db.script("ALTER TABLE things ADD COLUMN b TEXT");
    expect(await db.query(select)).toEqual([{ id: 1, a: "x", b: null }]);
    await db.transaction(async (tx) => tx.script("ALTER TABLE things ADD COLUMN c TEXT"));
    expect(await db.query(select)).toEqual([{ id: 1, a: "x", b: null, c: null }]);
    expect(await db.transaction((tx) => tx.query(select))).toEqual([{ id: 1, a: "x", b: null, c: null }]);
  });

  it("sees new columns after another instance's DDL, without a reset", async () => {
    // every pooled connection of `db` has the statement prepared
    await Promise.all([db.query(select), db.query(select), db.query(select)]);
    await other.script("ALTER TABLE things ADD COLUMN d TEXT");
    for (let i = 0; i < 3; i++) expect(await db.query(select)).toEqual([{ id: 1, a: "x", b: null, c: null, d: null }]);
  });

  it("plans a prepared statement for its own parameters every time", async () => {
    const mode = await db.query<{ plan_cache_mode: string }>({ sql: "SHOW plan_cache_mode", parameters: [] });
    expect(mode[0]!.plan_cache_mode).toBe("force_custom_plan");
  });

  it("reads timestamps as ISO-8601 in UTC with milliseconds, whatever the session's time zone", async () => {
    const sql = `SELECT '2026-12-04 04:33:23.123456+00'::timestamptz AS a, '2026-12-04 04:33:23.1+00'::timestamptz AS b,
      '2026-12-04 04:33:23+00'::timestamptz AS c, '2026-12-04 04:33:23.999999+00'::timestamptz AS d, '2026-12-04 04:33:23.5'::timestamp AS e`;
    const expected = { a: "2026-12-04T04:33:23.123Z", b: "2026-12-04T04:33:23.100Z", c: "2026-12-04T04:33:23.000Z", d: "2026-12-04T04:33:23.999Z", e: "2026-12-04T04:33:23.500Z" };
    expect(await db.transaction(async (tx) => (await tx.script("SET LOCAL TimeZone = 'UTC'"), tx.query({ sql, parameters: [] })))).toEqual([expected]);
    expect(await db.transaction(async (tx) => (await tx.script("SET LOCAL TimeZone = 'Asia/Kolkata'"), tx.query({ sql, parameters: [] })))).toEqual([expected]);
  });

  it("a request waiting for a busy pool waits for a connection rather than failing", async () => {
    // `other` has one connection; a transaction holds it past the time allowed to open one.
    const held = other.transaction(async (tx) => tx.query({ sql: "SELECT pg_sleep($1::float8)", parameters: [CONNECT_TIMEOUT_MS / 1000 + 0.5] }));
    const started = Date.now();
    const waited = await other.query<{ n: number }>({ sql: "SELECT 1 AS n", parameters: [] });
    expect(waited).toEqual([{ n: 1 }]);
    expect(Date.now() - started).toBeGreaterThan(CONNECT_TIMEOUT_MS);
    await held;
  }, 20_000);

  it("a server that accepts but never answers fails a new connection after the connect timeout, as unavailable", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const stalled = new PostgresDb(`postgres://postgres@127.0.0.1:${port}/none`, () => {}, 1);
    try {
      const started = Date.now();
      const error = await stalled.query({ sql: "SELECT 1", parameters: [] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
      expect(classifyDriverError(error)).toEqual({ kind: "unavailable", reason: "the database did not answer in time" });
    } finally {
      await stalled.close().catch(() => {});
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 20_000);

  describe("pipelined transactions", () => {
    /**
     * A TCP relay to the server that counts round trips: the times the client sent something
     * after having been answered (a client that waits for each answer before its next statement
     * makes one per statement; a pipelined one sends several statements in one go).
     */
    let relay: Server;
    let relayed: PostgresDb;
    let roundTrips = 0;
    let answered = true;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      const target = new URL(fresh.url);
      relay = createServer((client) => {
        const server = connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(server);
        client.on("data", (chunk) => {
          if (answered) roundTrips++;
          answered = false;
          server.write(chunk);
        });
        server.on("data", (chunk) => {
          answered = true;
          client.write(chunk);
        });
        for (const [a, b] of [
          [client, server],
          [server, client],
        ] as const) {
          a.on("error", () => b.destroy());
          a.on("close", () => b.destroy());
        }
      });
      await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
      const url = new URL(fresh.url);
      url.hostname = "127.0.0.1";
      url.port = String((relay.address() as { port: number }).port);
      relayed = new PostgresDb(url.toString(), () => {}, 1);
      await relayed.script("CREATE TABLE piped (id INT PRIMARY KEY, a TEXT)");
    });
    afterAll(async () => {
      await relayed?.close().catch(() => {});
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => relay?.close(() => resolve()));
    });

    const insert = (id: number, a = "x") => ({ sql: "INSERT INTO piped (id, a) VALUES ($1, $2) RETURNING id", parameters: [id, a] });
    const ids = async () => (await relayed.query<{ id: number }>({ sql: "SELECT id FROM piped ORDER BY id", parameters: [] })).map((r) => r.id);
    /** round trips of `fn`, the connection already open */
    async function counted<T>(fn: () => Promise<T>): Promise<{ roundTrips: number; result: T }> {
      await relayed.query({ sql: "SELECT 1", parameters: [] });
      roundTrips = 0;
      const result = await fn();
      return { roundTrips, result };
    }

    it("sends BEGIN with the first statement and COMMIT with the deferred ones: two round trips for a statement and a deferred one", async () => {
      const seen: number[] = [];
      let afterCommit = false;
      const { roundTrips: trips } = await counted(() =>
        relayed.transaction(async (tx) => {
          await tx.execute(insert(1));
          await tx.executeDeferred<{ id: number }>(insert(2), ({ rows }) => seen.push(...rows.map((r) => r.id)));
          tx.afterCommit(() => (afterCommit = true));
        }),
      );
      expect(trips).toBe(2);
      expect(seen).toEqual([2]);
      expect(afterCommit).toBe(true);
      expect(await ids()).toEqual([1, 2]);
      // the same transaction without pipelining would take four: BEGIN, two statements, COMMIT
      const { roundTrips: sequential } = await counted(async () => {
        for (const sql of ["BEGIN", "INSERT INTO piped (id, a) VALUES (3, 'x')", "INSERT INTO piped (id, a) VALUES (4, 'x')", "COMMIT"]) await relayed.query({ sql, parameters: [] });
      });
      expect(sequential).toBe(4);
    });

    it("fails the transaction with a deferred statement's error, rolls back everything and runs no afterCommit callback", async () => {
      let afterCommit = false;
      const error = await relayed
        .transaction(async (tx) => {
          await tx.execute(insert(10));
          await tx.executeDeferred(insert(1)); // 1 exists: unique violation, seen only at commit
          tx.afterCommit(() => (afterCommit = true));
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((error as { code?: string }).code).toBe("23505");
      expect(afterCommit).toBe(false);
      expect(await ids()).not.toContain(10);
    });

    it("throws the deferred statement's error, not the aborted-transaction error of a statement after it", async () => {
      const error = await relayed
        .transaction(async (tx) => {
          await tx.executeDeferred(insert(2));
          await tx.execute(insert(20)); // fails with 25P02: the transaction was aborted by the deferred INSERT
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((error as { code?: string }).code).toBe("23505");
      expect(await ids()).not.toContain(20);
      // the connection is clean for the next transaction
      await relayed.transaction(async (tx) => tx.executeDeferred(insert(21)));
      expect(await ids()).toContain(21);
    });
  });
});
