/**
 * The driver-error mapping against errors real drivers raise: pg against the local PostgreSQL
 * (NUL in text and jsonb, a missing database, a closed port, a terminated backend), better-sqlite3
 * on a temporary file (read-only, full), and Prisma's wrapper around both. Each must become the
 * documented AppError, with our fixed phrase and no driver text.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromDriverError, ServiceUnavailableError } from "../../src/core/errors.ts";
import { classifyDriverError } from "../../src/db/driver-errors.ts";

const PG_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const urlFor = (database: string, port?: number) => {
  const u = new URL(PG_URL);
  u.pathname = `/${database}`;
  if (port !== undefined) u.port = String(port);
  return u.toString();
};

async function pgError(fn: (c: pg.Client) => Promise<unknown>, url = PG_URL): Promise<unknown> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await fn(c);
  } catch (e) {
    return e;
  } finally {
    await c.end().catch(() => {});
  }
  throw new Error("expected the driver to fail");
}

function sqliteError(prepare: (db: Database.Database) => void, write: (db: Database.Database) => void): unknown {
  const db = new Database(join(dir, `t${Math.random().toString(36).slice(2)}.db`));
  try {
    db.exec("CREATE TABLE t (x TEXT)");
    prepare(db);
    write(db);
  } catch (e) {
    return e;
  } finally {
    db.close();
  }
  throw new Error("expected the driver to fail");
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-driver-errors-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PostgreSQL errors", () => {
  it("NUL in text (22021) and in jsonb (22P05) → 400", async () => {
    for (const sql of ["SELECT $1::text", "SELECT $1::jsonb"]) {
      const e = await pgError((c) => c.query(sql, [sql.includes("jsonb") ? '{"a":"\\u0000"}' : "a\u0000b"]));
      expect(classifyDriverError(e)).toEqual({ kind: "nul" });
      expect(fromDriverError(e)).toMatchObject({ status: 400, code: "BAD_REQUEST", message: expect.stringContaining("NUL") });
    }
  });

  it("a missing database, a closed port and a terminated backend → 503 naming the cause", async () => {
    const missing = await pgError(async () => {}, urlFor("cairn_no_such_database_xyz"));
    expect(fromDriverError(missing)).toMatchObject({ status: 503, message: "Database unavailable: the database does not exist" });
    const refused = await pgError(async () => {}, urlFor("postgres", 1));
    expect(fromDriverError(refused)).toMatchObject({ status: 503, message: "Database unavailable: connection refused" });
    const terminated = await pgError((c) => c.query("SELECT pg_terminate_backend(pg_backend_pid())"));
    const err = fromDriverError(terminated);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err?.message).toMatch(/^Database unavailable: (the database server is restarting or shutting down|the connection was closed)$/);
    expect((err as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it("ordinary errors stay unclassified (internal)", async () => {
    expect(classifyDriverError(await pgError((c) => c.query("SELECT * FROM no_such_table")))).toBeUndefined();
    expect(classifyDriverError(await pgError((c) => c.query("SELEC 1")))).toBeUndefined();
    expect(classifyDriverError(new Error("boom"))).toBeUndefined();
    expect(classifyDriverError(null)).toBeUndefined();
  });
});

describe("SQLite errors", () => {
  it("read-only and full → 503 naming the cause", () => {
    const readonly = sqliteError(
      (db) => db.pragma("query_only = ON"),
      (db) => db.prepare("INSERT INTO t VALUES ('a')").run(),
    );
    expect(fromDriverError(readonly)).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE", message: "Database unavailable: the database is read-only" });
    const full = sqliteError(
      (db) => db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true })}`),
      (db) => db.prepare("INSERT INTO t VALUES (?)").run("x".repeat(100_000)),
    );
    expect(fromDriverError(full)).toMatchObject({ status: 503, message: "Database unavailable: the disk is full" });
    const cantOpen = (() => {
      try {
        new Database(dir).prepare("SELECT 1").get(); // a directory, not a database file
      } catch (e) {
        return e;
      }
    })();
    expect(fromDriverError(cantOpen)).toMatchObject({ status: 503, message: "Database unavailable: the database file cannot be opened" });
  });

  it("constraint errors stay unclassified", () => {
    const unique = sqliteError(
      (db) => db.exec("CREATE UNIQUE INDEX u ON t (x); INSERT INTO t VALUES ('a')"),
      (db) => db.prepare("INSERT INTO t VALUES ('a')").run(),
    );
    expect(classifyDriverError(unique)).toBeUndefined();
  });
});

/** The error class @prisma/driver-adapter-utils throws: its `cause` is the adapter's payload. */
const adapterError = (cause: Record<string, unknown>) => Object.assign(new Error("DriverAdapterError"), { name: "DriverAdapterError", cause });

describe("Prisma's driver-adapter wrapper", () => {
  it("reads the adapter error inside meta.driverAdapterError", () => {
    // The shape @prisma/client 7 throws for an adapter error it has no P-code for (P2039).
    const wrapped = Object.assign(new Error("Database error. Code: `55000`."), {
      code: "P2039",
      meta: { driverAdapterError: adapterError({ kind: "postgres", originalCode: "55000", code: "55000", message: 'database "x" is not currently accepting connections' }) },
    });
    expect(fromDriverError(wrapped)).toMatchObject({ status: 503, message: "Database unavailable: the database is not accepting connections" });
    const unreachable = Object.assign(new Error("Can't reach database server"), { code: "P1001", meta: { driverAdapterError: adapterError({ kind: "DatabaseNotReachable" }) } });
    expect(fromDriverError(unreachable)?.status).toBe(503);
    const busy = { meta: { driverAdapterError: adapterError({ kind: "SocketTimeout", originalCode: "SQLITE_BUSY" }) } };
    expect(fromDriverError(busy)?.message).toBe("Database unavailable: the database is busy");
    // An adapter error thrown as is (no P-code for it).
    expect(fromDriverError(adapterError({ kind: "sqlite", originalCode: "SQLITE_FULL", extendedCode: 13 }))?.message).toBe("Database unavailable: the disk is full");
  });

  it("does not take a failed fetch (ECONNREFUSED in its cause) for the database", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const e = await fetch(`http://127.0.0.1:${port}/`).catch((err: unknown) => err);
    expect((e as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
    expect(classifyDriverError(e)).toBeUndefined();
  });
});
