/**
 * First run without CAIRN_ADMIN_EMAIL (issue 14): `cairn serve` prints a link to the admin UI's
 * "create the first superadmin" form; its token creates the superadmin over REST (and GraphQL)
 * and stops working once a superadmin exists. Expired, foreign and access tokens are refused with
 * 400; bad input gets 422 naming the field; of concurrent installs exactly one wins;
 * `cairn admin install-link` prints a fresh link until then; with CAIRN_ADMIN_EMAIL set, no link.
 */
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { issueInstallToken } from "../../src/core/auth/install-token.ts";
import { TokenService } from "../../src/core/auth/tokens.ts";
import { ADMIN_EMAIL, apiClient, eventually, freshDatabase, TEST_DB, type ApiClient } from "../helpers/app.ts";
import { childServerEnv, serveChild, type ChildServer } from "../helpers/child-server.ts";
import { runCairn } from "../helpers/cli.ts";
import { gql } from "./graphql-helpers.ts";

const LINK = /Create the first superadmin: (http:\/\/127\.0\.0\.1:\d+)\/_\/#\/install\/([\w.-]+)/;
const PASSWORD = "First-admin-123";

type Db = Awaited<ReturnType<typeof freshDatabase>>;

/** The child-server environment without the superadmin variables. */
function firstRunEnv(db: Db): Record<string, string> {
  const { CAIRN_ADMIN_EMAIL: _e, CAIRN_ADMIN_PASSWORD: _p, ...env } = childServerEnv(db);
  return env;
}

async function stop(server: ChildServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill("SIGTERM");
  await once(server.child, "exit");
}

describe("cairn serve without CAIRN_ADMIN_EMAIL", () => {
  let db: Db;
  let env: Record<string, string>;
  let server: ChildServer | undefined;

  beforeAll(async () => {
    db = await freshDatabase();
    env = firstRunEnv(db);
    server = await serveChild(env);
  });
  afterAll(async () => {
    await stop(server);
    await db?.drop();
  });

  it("prints a link whose token creates the superadmin once; then the link and the CLI refuse", async () => {
    const printed = await eventually(async () => LINK.exec(server!.output()), 10_000, "the install link in the output");
    const [, base, token] = printed as unknown as [string, string, string];
    expect(base).toBe(server!.url); // the address actually listened on (PORT=0 → the real port)
    const api = apiClient(server!.url);

    const check = await api("GET", `/api/v1/admin/install/${token}`);
    expect(check.status).toBe(200);
    expect(check.body.valid).toBe(true);
    const left = Date.parse(check.body.expires_at) - Date.now();
    expect(left).toBeGreaterThan(25 * 60_000);
    expect(left).toBeLessThanOrEqual(30 * 60_000);

    // `cairn admin install-link` prints a fresh link that works on the running server
    const cliEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATABASE_URL: env.DATABASE_URL!,
      CAIRN_DATA_DIR: env.CAIRN_DATA_DIR!,
      CAIRN_SECRET: env.CAIRN_SECRET!,
      PORT: new URL(server!.url).port,
      LOG_LEVEL: "warn",
    };
    const cli = await runCairn(cliEnv, "admin", "install-link");
    expect(cli.code, cli.stderr).toBe(0);
    const fresh = LINK.exec(cli.stdout);
    expect(fresh?.[1]).toBe(server!.url);
    expect((await api("GET", `/api/v1/admin/install/${fresh![2]}`)).status).toBe(200);

    // bad input: 422 naming the field, and nothing is created
    const badEmail = await api("POST", "/api/v1/admin/install", { body: { token, email: "not-an-address", password: PASSWORD } });
    expect(badEmail.status).toBe(422);
    expect(badEmail.body.details).toEqual({ email: "must be a valid email address" });
    const weak = await api("POST", "/api/v1/admin/install", { body: { token, email: "first@example.com", password: "short" } });
    expect(weak.status).toBe(422);
    expect(weak.body.message).toContain("password must be at least 8 characters long");
    expect(Object.keys(weak.body.details)).toEqual(["password"]);
    const mismatch = await api("POST", "/api/v1/admin/install", { body: { token, email: "first@example.com", password: PASSWORD, password_confirm: "Other-pass-123" } });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.details).toEqual({ password_confirm: "does not match password" });
    const missing = await api("POST", "/api/v1/admin/install", { body: { email: "first@example.com", password: PASSWORD } });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body.details)).toContain("token");

    // the link's token creates the superadmin and signs it in
    const created = await api("POST", "/api/v1/admin/install", { body: { token, email: "First@Example.com", password: PASSWORD, password_confirm: PASSWORD } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ token_type: "bearer", user: { email: "first@example.com", role: "admin", verified: true }, account: { id: "default" } });
    expect(typeof created.body.refresh_token).toBe("string");
    // a superadmin: it may read the audit log, which holds the install
    const entries = await eventually(
      async () => {
        const audit = await api("GET", "/api/v1/audit?event_action=install_superadmin", { token: created.body.access_token });
        expect(audit.status, JSON.stringify(audit.body)).toBe(200);
        return audit.body.items.length > 0 && audit.body.items;
      },
      5000,
      "the audit entry of the install",
    );
    expect(entries).toEqual([
      expect.objectContaining({ event_type: "admin", event_action: "install_superadmin", user_email: "first@example.com", resource_type: "user", resource_id: created.body.user.id }),
    ]);
    // the password works for login
    expect((await api("POST", "/api/v1/auth/login", { body: { email: "first@example.com", password: PASSWORD } })).status).toBe(200);

    // the link stops working: both tokens, both routes; the CLI refuses too
    for (const t of [token, fresh![2]]) {
      const again = await api("POST", "/api/v1/admin/install", { body: { token: t, email: "second@example.com", password: PASSWORD } });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/superadmin already exists/);
      const checkAgain = await api("GET", `/api/v1/admin/install/${t}`);
      expect(checkAgain.status).toBe(409);
    }
    const late = await runCairn(cliEnv, "admin", "install-link");
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/superadmin already exists/);
    expect(late.stdout).not.toMatch(LINK);
  });

  it("refuses an expired token, a token signed with another secret and an access token (400, saying why)", async () => {
    const api = apiClient(server!.url);
    const thisServer = new TokenService(env.CAIRN_SECRET!, 900);
    const expired = await issueInstallToken({ tokens: thisServer }, { now: new Date(Date.now() - 31 * 60_000) });
    const foreign = await issueInstallToken({ tokens: new TokenService(randomBytes(32).toString("hex"), 900) });
    const access = await thisServer.signAccess({ sub: "x", acc: "default", email: ADMIN_EMAIL, role: "admin", sa: true });
    const cases: [string, string, string][] = [
      [expired.token, "has expired", "expired"],
      [foreign.token, "is not a valid install token", "not valid"],
      [access, "is not a valid install token", "not valid"],
      ["garbage", "is not a valid install token", "not valid"],
    ];
    // an install token is no access token, and a token of another purpose is no install token
    const other = await thisServer.signPurpose("verify", 900);
    cases.push([other, "is not a valid install token", "not valid"]);
    const asAccess = await api("GET", "/api/v1/auth/me", { token: (await issueInstallToken({ tokens: thisServer })).token });
    expect(asAccess.status).toBe(401);
    for (const [token, detail, words] of cases) {
      const get = await api("GET", `/api/v1/admin/install/${token}`);
      expect(get.status, words).toBe(400);
      expect(get.body.details).toEqual({ token: detail });
      expect(get.body.message).toContain(words);
      const post = await api("POST", "/api/v1/admin/install", { body: { token, email: "late@example.com", password: PASSWORD } });
      expect(post.status, words).toBe(400);
      expect(post.body.details).toEqual({ token: detail });
    }
  });
});

describe("cairn serve with CAIRN_ADMIN_EMAIL", () => {
  let db: Db;
  let server: ChildServer | undefined;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await stop(server);
    await db?.drop();
  });

  it("prints no install link", async () => {
    server = await serveChild(childServerEnv(db));
    // the link would be written before the "listening" line; a request logged after it proves the log is flushed
    const api = apiClient(server.url);
    expect((await api("GET", "/health")).status).toBe(200);
    await eventually(async () => server!.output().includes("GET /health"), 10_000, "the request log line");
    expect(server.output()).not.toContain("/_/#/install/");
    expect(server.output()).not.toContain("Create the first superadmin");
  });
});

/** An in-process server on a fresh database with no superadmin. */
async function firstRunApp(): Promise<{ app: App; api: ApiClient; url: string; db: Db; close(): Promise<void> }> {
  const db = await freshDatabase();
  const app = await createApp(loadConfig({ LOG_LEVEL: "warn", CAIRN_RATE_LIMIT: "false" }, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: db.dataDir }));
  const url = await app.listen();
  return {
    app,
    url,
    db,
    api: apiClient(url),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

describe("concurrent installs", () => {
  let t: Awaited<ReturnType<typeof firstRunApp>>;
  beforeAll(async () => {
    t = await firstRunApp();
  });
  afterAll(async () => t?.close());

  it("create exactly one superadmin", async () => {
    const { token } = await issueInstallToken(t.app.services);
    const RACERS = 6;
    // PostgreSQL: hold a lock on the users table, so every install gets as far as its insert (or
    // its wait for the install lock) before any commits; without the install lock all would insert.
    // SQLite: each install's transaction holds the database's write lock.
    const blocker = TEST_DB === "postgres" ? new pg.Client({ connectionString: t.db.url }) : undefined;
    if (blocker) {
      await blocker.connect();
      await blocker.query("BEGIN");
      await blocker.query('LOCK TABLE "_users" IN SHARE ROW EXCLUSIVE MODE');
    }
    try {
      const pending = Array.from({ length: RACERS }, (_, i) => t.api("POST", "/api/v1/admin/install", { body: { token, email: `racer${i}@example.com`, password: PASSWORD } }));
      if (blocker) {
        // (statistics are a snapshot per transaction: clear it to see the waits as they are now)
        const waiting = async () => {
          await blocker.query("SELECT pg_stat_clear_snapshot()");
          return Number((await blocker.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].n);
        };
        await eventually(async () => (await waiting()) === RACERS, 20_000, `${RACERS} installs waiting on the lock`);
        await blocker.query("COMMIT");
      }
      const answers = await Promise.all(pending);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(RACERS - 1).fill(409)]);
      expect(await t.app.services.prisma.user.count({ where: { superadmin: true } })).toBe(1);
      const winner = answers.find((a) => a.status === 201)!;
      expect((await t.api("GET", "/api/v1/auth/me", { token: winner.body.access_token })).body.email).toBe(winner.body.user.email);
    } finally {
      await blocker?.end();
    }
  });
});

describe("over GraphQL", () => {
  let t: Awaited<ReturnType<typeof firstRunApp>>;
  beforeAll(async () => {
    t = await firstRunApp();
  });
  afterAll(async () => t?.close());

  const INSTALL =
    "mutation($token: String!, $email: String!, $password: String!) { installSuperadmin(token: $token, email: $email, password: $password) { accessToken refreshToken user { email superadmin verified } } }";
  const CHECK = "query($token: String!) { installLink(token: $token) { valid expiresAt } }";

  it("checks the link, names a bad field, creates the superadmin, then refuses", async () => {
    const { token, expiresAt } = await issueInstallToken(t.app.services);
    const check = await gql(t.url, CHECK, { token });
    expect(check.body.errors).toBeUndefined();
    expect(check.body.data.installLink).toEqual({ valid: true, expiresAt: expiresAt.toISOString() });

    const weak = await gql(t.url, INSTALL, { token, email: "gql@example.com", password: "letters-only" });
    expect(weak.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { password: "must contain at least one digit" } });

    const bad = await gql(t.url, CHECK, { token: "garbage" });
    expect(bad.body.errors[0].message).toMatch(/install link is not valid/);
    expect(bad.body.errors[0].extensions.details).toEqual({ token: "is not a valid install token" });

    const ok = await gql(t.url, INSTALL, { token, email: "gql@example.com", password: PASSWORD });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.installSuperadmin.user).toEqual({ email: "gql@example.com", superadmin: true, verified: true });
    const me = await gql(t.url, "{ me { email superadmin } }", undefined, ok.body.data.installSuperadmin.accessToken);
    expect(me.body.data.me).toEqual({ email: "gql@example.com", superadmin: true });

    const again = await gql(t.url, INSTALL, { token, email: "other@example.com", password: PASSWORD });
    expect(again.body.errors[0].extensions.code).toBe("CONFLICT");
    const checkAgain = await gql(t.url, CHECK, { token });
    expect(checkAgain.body.errors[0].extensions.code).toBe("CONFLICT");
  });
});
