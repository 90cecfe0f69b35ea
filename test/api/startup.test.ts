/**
 * Start-up failures print one line on stderr naming the cause and the fix, no stack, and exit
 * non-zero: `cairn serve` is spawned as users run it (bin/cairn.js) with a port in use, an
 * invalid LOG_LEVEL, an unusable SQLite path, an unreachable PostgreSQL server and a missing
 * PostgreSQL database its user may not create. A missing database the user may create is
 * created, and the server starts. The running server logs one JSON line per request at `info`
 * (stdout is a pipe here), none at `warn`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, PG_ADMIN_URL, TEST_DB } from "../helpers/app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "cairn-startup-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Spawns `cairn serve` with only the given configuration; `whileUp` runs once /health answers, then the server is stopped. */
function serve(env: Record<string, string>, whileUp?: (url: string) => Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, ["bin/cairn.js", "serve"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CAIRN_DATA_DIR: dataDir, CAIRN_SECRET: randomBytes(16).toString("hex"), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
  return (async () => {
    if (whileUp) {
      const url = `http://127.0.0.1:${env.PORT}`;
      const up = await Promise.race([
        eventually(
          () =>
            fetch(`${url}/health`).then(
              (r) => r.ok,
              () => false,
            ),
          30_000,
          "the server to answer /health",
        ),
        exited.then(() => false),
      ]);
      if (up) {
        await whileUp(url);
        child.kill("SIGTERM");
      }
    }
    const code = await exited;
    clearTimeout(timer);
    return { code, stderr, stdout };
  })();
}

function expectOneLine(run: Run, pattern: RegExp) {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.code).not.toBeNull();
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^cairn: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const sqliteUrl = () => `file:${join(dataDir, `db-${randomBytes(4).toString("hex")}.db`)}`;

describe("start-up failures", () => {
  it("port in use: names the port and PORT", async () => {
    const blocker: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const port = (blocker.address() as { port: number }).port;
      const database = TEST_DB === "postgres" ? { DATABASE_URL: await newPgDatabase() } : { DATABASE_URL: sqliteUrl() };
      expectOneLine(await serve({ PORT: String(port), HOST: "127.0.0.1", ...database }), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use; set PORT`));
    } finally {
      blocker.close();
    }
  });

  it.runIf(TEST_DB === "sqlite")("invalid LOG_LEVEL: named like the other variables", async () => {
    expectOneLine(await serve({ LOG_LEVEL: "loud", DATABASE_URL: sqliteUrl() }), /configuration error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'/);
  });

  it.runIf(TEST_DB === "sqlite")("SQLite path that cannot be created: names the file and the variables", async () => {
    expectOneLine(await serve({ DATABASE_URL: "file:/dev/null/cairn/cairn.db" }), /cannot open the SQLite database \/dev\/null\/cairn\/cairn\.db \(.+\); check DATABASE_URL/);
  });

  it.runIf(TEST_DB === "postgres")("PostgreSQL unreachable: names host, port and DATABASE_URL", async () => {
    const port = await freePort();
    expectOneLine(
      await serve({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/cairn` }),
      new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} database cairn \\(connection refused\\); start it or fix DATABASE_URL`),
    );
  });
});

/** PostgreSQL databases and roles made here, dropped at the end. */
const pgCleanup: string[] = [];
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const pgUrl = (database: string, user?: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  if (user) u.username = user;
  return u.toString();
};
async function newPgDatabase(): Promise<string> {
  const name = `cairn_test_${randomBytes(6).toString("hex")}`;
  pgCleanup.push(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  return pgUrl(name);
}
afterAll(async () => {
  if (TEST_DB !== "postgres") return;
  await admin(async (c) => {
    for (const sql of pgCleanup.reverse()) await c.query(sql);
  });
});

describe.runIf(TEST_DB === "postgres")("missing PostgreSQL database", () => {
  it("is created when the user may create databases, and the server starts", async () => {
    const url = await newPgDatabase();
    const name = new URL(url).pathname.slice(1);
    const port = await freePort();
    const run = await serve({ DATABASE_URL: url, PORT: String(port), LOG_LEVEL: "info" }, async (base) => {
      const health = await (await fetch(`${base}/health`)).json();
      expect(health).toMatchObject({ status: "healthy", database: "postgres" });
    });
    expect(run.stdout).toContain(`Created PostgreSQL database ${name}`);
    expect(run.code).toBe(0);
    const exists = await admin((c) => c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]));
    expect(exists.rowCount).toBe(1);
  });

  it("says how to create it when the user may not", async () => {
    const role = `cairn_nocreate_${randomBytes(4).toString("hex")}`;
    await admin((c) => c.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`));
    pgCleanup.unshift(`DROP ROLE IF EXISTS ${role}`); // dropped last (reverse order)
    const name = `cairn_missing_${randomBytes(4).toString("hex")}`;
    const run = await serve({ DATABASE_URL: pgUrl(name, role) });
    expectOneLine(run, new RegExp(`PostgreSQL database "${name}" does not exist and user "${role}" may not create it; create it with: createdb -h 127\\.0\\.0\\.1 -p 5432 -O ${role} ${name}`));
    const exists = await admin((c) => c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]));
    expect(exists.rowCount).toBe(0);
  });
});

describe.runIf(TEST_DB === "sqlite")("request log", () => {
  it("writes one JSON line per request at info, with method, url, status, duration and request id", async () => {
    const port = await freePort();
    const sent: { path: string; status: number; id: string }[] = [];
    const run = await serve({ DATABASE_URL: sqliteUrl(), PORT: String(port), LOG_LEVEL: "info" }, async (base) => {
      for (const path of ["/health", "/api/v1/collections/nope/records?x=1", "/api/v1/nope"]) {
        const id = `log-test-${randomBytes(4).toString("hex")}`;
        const res = await fetch(base + path, { headers: { "x-request-id": id } });
        expect(res.headers.get("x-request-id"), path).toBe(id);
        sent.push({ path, status: res.status, id });
      }
      // without one, the server's own id comes back, the one its log line carries
      const res = await fetch(`${base}/graphql?query=${encodeURIComponent("{__typename}")}`);
      const own = res.headers.get("x-request-id");
      expect(own).toMatch(/^[0-9a-f-]{36}$/);
      sent.push({ path: "", status: res.status, id: own! });
    });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const s of sent.filter((x) => x.path)) {
      const mine = lines.filter((l) => l.reqId === s.id);
      expect(mine, `${s.path}: ${JSON.stringify(mine)}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ level: 30, method: "GET", url: s.path, status: s.status, ms: expect.any(Number), msg: expect.stringContaining(`GET ${s.path} ${s.status}`) });
    }
    expect(lines.filter((l) => l.reqId === sent.at(-1)!.id)).toHaveLength(1);
    expect(lines.some((l) => l.msg === "incoming request" || l.msg === "request completed")).toBe(false);
  });

  it("writes quotes and backslashes of a url and a request id as JSON, the fields in pino's order", async () => {
    const port = await freePort();
    const id = `id"with\\quote-${randomBytes(4).toString("hex")}`;
    const path = `/api/v1/nope?q="a\\b"`;
    let head = "";
    const run = await serve({ DATABASE_URL: sqliteUrl(), PORT: String(port), LOG_LEVEL: "info" }, async () => {
      // sent raw: fetch would percent-encode the quotes
      head = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n`));
        let got = "";
        socket.on("data", (d) => (got += d));
        socket.on("end", () => resolve(got.split("\r\n")[0]!));
        socket.on("error", reject);
      });
    });
    expect(run.code).toBe(0);
    expect(head).toBe("HTTP/1.1 404 Not Found");
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = lines.filter((l) => l.reqId === id);
    expect(mine, run.stdout).toHaveLength(1);
    expect(mine[0]).toMatchObject({ level: 30, method: "GET", url: path, status: 404, msg: `GET ${path} 404 ${mine[0]!.ms} ms` });
    expect(Object.keys(mine[0]!)).toEqual(["level", "time", "pid", "hostname", "reqId", "method", "url", "status", "ms", "msg"]);
    expect(Math.abs((mine[0]!.time as number) - Date.now())).toBeLessThan(60_000);
  });

  it("writes no request lines at warn", async () => {
    const port = await freePort();
    const run = await serve({ DATABASE_URL: sqliteUrl(), PORT: String(port), LOG_LEVEL: "warn" }, async (base) => {
      expect((await fetch(`${base}/health`)).status).toBe(200);
    });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("/health");
  });
});
