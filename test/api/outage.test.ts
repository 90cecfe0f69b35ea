/**
 * Database outages answer 503 with Retry-After and a message naming the cause, over REST and
 * GraphQL (the JSON fast lane and Yoga), `/health` answers 503 naming the database, and service
 * resumes by itself when the database is back — no restart.
 *
 * PostgreSQL: the test database stops accepting connections (`ALLOW_CONNECTIONS false`) and its
 * backends are terminated, then it is allowed again; and the server is unreachable — Cairn talks
 * to it through a TCP proxy that is stopped (open connections cut, new ones refused) and started
 * again on the same port. SQLite: tests run as root, so a chmod'ed
 * file would still be writable; the write connection is made read-only with `PRAGMA query_only`
 * (SQLite then refuses writes with SQLITE_READONLY, as for a read-only file) and made full with
 * `PRAGMA max_page_count` (SQLITE_FULL, as for a full disk).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqliteDb } from "../../src/db/sqlite.ts";
import { eventually, freshDatabase, PG_ADMIN_URL, startApp, TEST_DB, type ApiResponse, type TestApp } from "../helpers/app.ts";

let t: TestApp;
const R = "/api/v1/collections/things/records";
let recordId: string;

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: { name: "things", schema: [{ name: "name", type: "text" }], list_rule: "", view_rule: "" },
  });
  expect(res.status).toBe(201);
  recordId = (await t.api("POST", R, { token: t.adminToken, body: { data: { name: "first" } } })).body.id;
});
afterAll(async () => t?.close());

const gqlPost = (query: string) => t.api("POST", "/graphql", { token: t.adminToken, body: { query } });
/** A GET goes through Yoga itself rather than the JSON fast lane. */
const gqlGet = (query: string) => t.api("GET", `/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: "application/graphql-response+json", "x-graphql-csrf": "1" } });

function expectUnavailable(res: ApiResponse, cause: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(res.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/^Database unavailable: /) });
  expect(res.body.message).toMatch(cause);
}

function expectGraphqlUnavailable(res: ApiResponse, cause: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  const error = res.body.errors?.[0];
  expect(error?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
  expect(error?.message).toMatch(/^Database unavailable: /);
  expect(error?.message).toMatch(cause);
}

async function expectUnhealthy(cause: RegExp, readonly: boolean) {
  const health = await t.api("GET", "/health");
  expect(health.status).toBe(503);
  expect(health.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(health.body).toMatchObject({ status: "unhealthy", readonly, database: expect.stringMatching(/^unavailable: /) });
  expect(health.body.database).toMatch(cause);
}

const healthy = async () => {
  const res = await t.api("GET", "/health");
  return res.status === 200 && res.body.status === "healthy" ? res : undefined;
};

describe.runIf(TEST_DB === "postgres")("PostgreSQL database that goes away and comes back", () => {
  it("answers 503 while it is gone and serves again once it is back", async () => {
    const name = new URL(t.config.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
      // A request that draws a pooled connection the termination just ended reports that
      // (57P01, "restarting or shutting down"); a new connection is refused (not accepting).
      const cause = /not accepting connections|restarting or shutting down/;

      const list = await t.api("GET", R);
      expectUnavailable(list, cause);
      expect(list.body.message).not.toContain(name);
      expectUnavailable(await t.api("POST", R, { token: t.adminToken, body: { data: { name: "x" } } }), cause);
      expectUnavailable(await t.api("GET", `${R}/${recordId}`), cause);
      expectUnavailable(await t.api("POST", "/api/v1/auth/login", { body: { email: "a@example.com", password: "whatever-123" } }), cause);
      expectGraphqlUnavailable(await gqlPost("{ things { totalCount } }"), cause);
      expectGraphqlUnavailable(await gqlGet("{ things { totalCount } }"), cause);
      await expectUnhealthy(cause, false);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }

    await eventually(healthy, 10_000, "/health to answer 200 again");
    expect((await t.api("GET", `${R}/${recordId}`)).status).toBe(200);
    expect((await t.api("POST", R, { token: t.adminToken, body: { data: { name: "after" } } })).status).toBe(201);
    const gql = await gqlPost("{ things { totalCount } }");
    expect(gql.status).toBe(200);
    expect(gql.body.data.things.totalCount).toBe(2);
  });
});

/** A TCP proxy to PostgreSQL that can be stopped (cutting its connections) and started again on the same port. */
class PgProxy {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  port = 0;
  async start(): Promise<void> {
    const pgUrl = new URL(PG_ADMIN_URL);
    this.#server = createServer((client) => {
      const upstream = connect(Number(pgUrl.port || 5432), pgUrl.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server?.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
}

describe.runIf(TEST_DB === "postgres")("PostgreSQL server that becomes unreachable", () => {
  it("answers 503 naming the connection failure, then serves again without a restart", async () => {
    const proxy = new PgProxy();
    await proxy.start();
    const db = await freshDatabase();
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const p = await startApp({ databaseUrl: url.toString() });
    try {
      const created = await p.api("POST", "/api/v1/collections", { token: p.adminToken, body: { name: "things", schema: [{ name: "name", type: "text" }], list_rule: "", view_rule: "" } });
      expect(created.status).toBe(201);
      await proxy.stop();
      const cause = /connection refused|the connection was (closed|reset)/;
      for (const res of [await p.api("GET", R), await p.api("GET", R), await p.api("POST", R, { token: p.adminToken, body: { data: { name: "x" } } })]) {
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(res.body.message).toMatch(/^Database unavailable: /);
        expect(res.body.message).toMatch(cause);
      }
      const health = await p.api("GET", "/health");
      expect(health.status).toBe(503);
      expect(health.body.database).toMatch(/^unavailable: connection refused/);

      await proxy.start();
      await eventually(async () => (await p.api("GET", "/health")).status === 200, 10_000, "/health to answer 200 again");
      expect((await p.api("POST", R, { token: p.adminToken, body: { data: { name: "after" } } })).status).toBe(201);
      expect((await p.api("GET", R)).body.total).toBe(1);
    } finally {
      await p.close();
      await db.drop();
      await proxy.stop();
    }
  });
});

describe.runIf(TEST_DB === "sqlite")("SQLite database that cannot take writes", () => {
  const writer = () => (t.app.services.db as SqliteDb).writer;

  it("read-only: writes answer 503, reads still work, and writes resume", async () => {
    writer().pragma("query_only = ON");
    try {
      const cause = /read-only/;
      expectUnavailable(await t.api("POST", R, { token: t.adminToken, body: { data: { name: "x" } } }), cause);
      expectUnavailable(await t.api("PATCH", `${R}/${recordId}`, { token: t.adminToken, body: { data: { name: "y" } } }), cause);
      expectGraphqlUnavailable(await gqlPost('mutation { createThing(data: { name: "x" }) { id } }'), cause);
      const read = await t.api("GET", `${R}/${recordId}`);
      expect(read.status).toBe(200);
      expect(read.body.data.name).toBe("first");
      expect((await t.api("GET", R)).status).toBe(200);
      expect((await gqlPost("{ things { totalCount } }")).body.data.things.totalCount).toBe(1);
      await expectUnhealthy(cause, true);
    } finally {
      writer().pragma("query_only = OFF");
    }
    await eventually(healthy, 5000, "/health to answer 200 again");
    expect((await t.api("POST", R, { token: t.adminToken, body: { data: { name: "after read-only" } } })).status).toBe(201);
  });

  it("disk full: writes answer 503, reads still work, and writes resume", async () => {
    const pages = writer().pragma("page_count", { simple: true }) as number;
    const max = writer().pragma("max_page_count", { simple: true }) as number;
    writer().pragma(`max_page_count = ${pages}`);
    try {
      const cause = /disk is full/;
      expectUnavailable(await t.api("POST", R, { token: t.adminToken, body: { data: { name: "x".repeat(50_000) } } }), cause);
      expect((await t.api("GET", `${R}/${recordId}`)).status).toBe(200);
      await expectUnhealthy(cause, true);
    } finally {
      writer().pragma(`max_page_count = ${max}`);
    }
    expect((await t.api("POST", R, { token: t.adminToken, body: { data: { name: "y".repeat(50_000) } } })).status).toBe(201);
    expect(await healthy()).toBeTruthy();
  });
});
