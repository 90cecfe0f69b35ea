/**
 * Test harness: a real Cairn server on a random port with a fresh database per call —
 * a temporary SQLite file, or a new PostgreSQL database (CAIRN_TEST_DB=postgres) that is
 * dropped on close. Migrated with the production migrations.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";

export const TEST_DB = (process.env.CAIRN_TEST_DB ?? "sqlite") as "sqlite" | "postgres";
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "Admin-pass-123";

export interface TestApp {
  app: App;
  url: string;
  config: Config;
  /** fetch wrapper: JSON in, parsed JSON (or text) out */
  api: ApiClient;
  adminToken: string;
  close(): Promise<void>;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export type ApiClient = <T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }) => Promise<ApiResponse<T>>;

export function apiClient(base: string): ApiClient {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers["content-type"] ??= "application/json";
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
}

/**
 * Collation of a fresh PostgreSQL database: the server's default, `C`, or ICU `en-US` (a
 * linguistic order that differs from code-point order). Ignored on SQLite.
 */
export type TestCollation = "default" | "C" | "icu-en-US";

const CREATE_DATABASE_OPTIONS: ReadonlyMap<TestCollation, string> = new Map([
  ["default", ""],
  ["C", ` TEMPLATE template0 LOCALE 'C'`],
  ["icu-en-US", ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.utf8'`],
]);

/**
 * Creates a fresh database of the run's kind (or of `dialect`, e.g. the other one for a
 * cross-database restore) and returns its URL plus a function dropping it.
 */
export async function freshDatabase(collation: TestCollation = "default", dialect: "sqlite" | "postgres" = TEST_DB): Promise<{ url: string; dataDir: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-test-"));
  if (dialect === "sqlite") {
    return { url: `file:${join(dataDir, "cairn.db")}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `cairn_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${CREATE_DATABASE_OPTIONS.get(collation)}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts Cairn on port 0 with a fresh database and a superadmin; returns clients and a token.
 * Request rate limits are off (every test client shares 127.0.0.1); pass
 * `{ CAIRN_RATE_LIMIT: "true" }` in `env` to test them. `opts.collation` picks the collation of
 * a PostgreSQL database (see {@link TestCollation}); `opts.dialect` the other kind of database.
 */
export async function startApp(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = {}, opts: { collation?: TestCollation; dialect?: "sqlite" | "postgres" } = {}): Promise<TestApp> {
  const db = await freshDatabase(opts.collation, opts.dialect);
  const config = loadConfig(
    { CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: "warn", CAIRN_RATE_LIMIT: "false", ...env },
    { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: db.dataDir, ...overrides },
  );
  const app = await createApp(config);
  const url = await app.listen();
  const api = apiClient(url);
  const login = await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    app,
    url,
    config,
    api,
    adminToken: login.body.access_token,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** Registers a user through the public API and returns its access token and id. */
export async function registerUser(
  api: ApiClient,
  email = `u${randomBytes(4).toString("hex")}@example.com`,
  password = "User-pass-123",
): Promise<{ token: string; id: string; email: string; refreshToken: string }> {
  const res = await api("POST", "/api/v1/auth/register", { body: { email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.access_token, id: res.body.user.id, email, refreshToken: res.body.refresh_token };
}

/** Polls `fn` until it returns a truthy value and returns it; rejects after `timeoutMs`. No fixed sleeps. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 5000, what = "condition", intervalMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
