/**
 * Auth over real HTTP: register/login/refresh/me shapes (FastCMS + SnackBase merged), failures,
 * refresh-token rotation and reuse detection, forged access tokens, bad input, the superadmin
 * bootstrap across restarts, and `cairn admin create`.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { TokenService } from "../../src/core/auth/tokens.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, freshDatabase, registerUser, startApp, type ApiClient, type TestApp } from "../helpers/app.ts";

const SECRET = "auth-test-secret-0123456789abcdef";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startApp({ secret: SECRET });
  api = t.api;
});
afterAll(async () => t?.close());

const email = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.com`;

function expectErrorBody(body: any, status: number) {
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  expect(body).toHaveProperty("details");
  if (status === 401) expect(body.code).toBe("UNAUTHORIZED");
}

describe("register, login, me", () => {
  it("register answers 201 with flat tokens, the nested FastCMS token object, user and account", async () => {
    const addr = email("Reg");
    const res = await api("POST", "/api/v1/auth/register", { body: { email: addr, password: "secret-pass-1", password_confirm: "secret-pass-1", name: "Reg User" } });
    expect(res.status).toBe(201);
    const b = res.body;
    expect(b).toMatchObject({ token_type: "bearer", expires_in: 3600, message: expect.any(String) });
    expect(b.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // FastCMS upstream nests the tokens; its clients read token.access_token
    expect(b.token).toEqual({ access_token: b.access_token, refresh_token: b.refresh_token, token_type: "bearer", expires_in: 3600 });
    expect(b.refresh_token).toEqual(expect.any(String));
    expect(b.user).toEqual({
      id: expect.any(String),
      email: addr.toLowerCase(),
      role: "user",
      verified: false,
      name: "Reg User",
      avatar: null,
      two_factor_enabled: false,
      created: expect.stringMatching(ISO),
      updated: expect.stringMatching(ISO),
      is_active: true,
      email_verified: false,
      created_at: b.user.created,
    });
    expect(b.account).toEqual({ id: "default", slug: "default", name: "Default", created_at: expect.stringMatching(ISO) });
    expect(JSON.stringify(b)).not.toMatch(/password|hash/i);

    const me = await api("GET", "/api/v1/auth/me", { token: b.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ ...b.user, user_id: b.user.id, account_id: "default" });
  });

  it("login answers 200 with the same shape; e-mail is case-insensitive", async () => {
    const u = await registerUser(api, email("login"));
    const res = await api("POST", "/api/v1/auth/login", { body: { email: u.email.toUpperCase(), password: "User-pass-123" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "bearer", expires_in: 3600, user: { id: u.id, email: u.email, role: "user" }, account: { id: "default", slug: "default" } });
    expect(res.body.token).toEqual({ access_token: res.body.access_token, refresh_token: res.body.refresh_token, token_type: "bearer", expires_in: 3600 });
    // the nested token works as a FastCMS client uses it
    expect((await api("GET", "/api/v1/auth/me", { token: res.body.token.access_token })).status).toBe(200);
    // a SnackBase body (naming the account) gets SnackBase's shape: `token` is the access JWT
    const snack = await api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123", account: "default" } });
    expect(snack.status).toBe(200);
    expect(snack.body.token).toBe(snack.body.access_token);
    expect(res.body.refresh_token).not.toBe(u.refreshToken);
  });

  it("the bootstrapped superadmin is `admin`, also with the SnackBase `account` field", async () => {
    const res = await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, account: "default" } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: ADMIN_EMAIL, role: "admin", verified: true });
    const me = await api("GET", "/api/v1/auth/me", { token: t.adminToken });
    expect(me.body).toMatchObject({ email: ADMIN_EMAIL, role: "admin", user_id: res.body.user.id, account_id: "default" });
  });

  it.each([
    ["wrong password", (e: string) => ({ email: e, password: "Wrong-pass-123" }), "Invalid email or password"],
    ["unknown email", () => ({ email: email("nobody"), password: "User-pass-123" }), "Invalid email or password"],
    // a SnackBase-shaped body (with `account`) gets SnackBase's answer (compat/snackbase.md §2)
    ["unknown account", (e: string) => ({ email: e, password: "User-pass-123", account: "no-such-account" }), "Invalid credentials"],
    ["wrong password in an account", (e: string) => ({ email: e, password: "Wrong-pass-123", account: "default" }), "Invalid credentials"],
  ])("login with %s → 401 %s", async (_name, body, message) => {
    const u = await registerUser(api, email("wrong"));
    const res = await api("POST", "/api/v1/auth/login", { body: body(u.email) });
    expect(res.status).toBe(401);
    expectErrorBody(res.body, 401);
    expect(res.body.message).toBe(message);
    expect(res.body.error).toBe(message === "Invalid credentials" ? "Authentication failed" : "Unauthorized");
  });

  it("duplicate e-mail (any case) → 409", async () => {
    const u = await registerUser(api, email("dup"));
    const res = await api("POST", "/api/v1/auth/register", { body: { email: u.email.toUpperCase(), password: "Other-pass-1" } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already registered/i) });
  });

  it.each([
    ["too short, no digit", "abc", ["at least 8 characters", "at least one digit"]],
    ["no letter", "12345678", ["at least one letter"]],
    ["no digit", "abcdefghij", ["at least one digit"]],
    ["too long", "a1".repeat(51), ["at most 100 characters"]],
  ])("weak password (%s) → 422 naming password and each rule", async (_name, password, rules) => {
    const res = await api("POST", "/api/v1/auth/register", { body: { email: email("weak"), password } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_ERROR");
    expect(res.body.message).toContain("password");
    for (const rule of rules) expect(res.body.details.password).toContain(rule);
  });

  it("password_confirm must match when sent → 422", async () => {
    const res = await api("POST", "/api/v1/auth/register", { body: { email: email("conf"), password: "Good-pass-1", password_confirm: "Good-pass-2" } });
    expect(res.status).toBe(422);
    expect(res.body.details).toHaveProperty("password_confirm");
  });
});

describe("refresh tokens", () => {
  const refresh = (token: string) => api("POST", "/api/v1/auth/refresh", { body: { refresh_token: token } });

  it("rotates: new pair with all five keys, the old token stops working", async () => {
    const u = await registerUser(api, email("rot"));
    const r = await refresh(u.refreshToken);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token", "token_type"]);
    expect(r.body).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(r.body.token).toBe(r.body.access_token);
    expect(r.body.refresh_token).not.toBe(u.refreshToken);
    const me = await api("GET", "/api/v1/auth/me", { token: r.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(u.id);
    // the successor can be rotated in turn
    expect((await refresh(r.body.refresh_token)).status).toBe(200);
  });

  it("reuse of a rotated token → 401 and revokes the whole family, not other sessions", async () => {
    const u = await registerUser(api, email("reuse"));
    const other = await api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } });
    const r1 = await refresh(u.refreshToken);
    expect(r1.status).toBe(200);
    const replay = await refresh(u.refreshToken);
    expect(replay.status).toBe(401);
    expectErrorBody(replay.body, 401);
    // the legitimate successor is gone too
    expect((await refresh(r1.body.refresh_token)).status).toBe(401);
    // a separate login (another family) is untouched
    expect((await refresh(other.body.refresh_token)).status).toBe(200);
  });

  it("concurrent use of one token: one wins, the family is revoked", async () => {
    const u = await registerUser(api, email("race"));
    const results = await Promise.all([refresh(u.refreshToken), refresh(u.refreshToken)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await refresh(winner.body.refresh_token)).status).toBe(401);
  });

  it("expired and unknown tokens → 401", async () => {
    const u = await registerUser(api, email("exp"));
    await t.app.services.prisma.refreshToken.updateMany({ where: { userId: u.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await refresh(u.refreshToken)).status).toBe(401);
    expect((await refresh("not-a-real-token")).status).toBe(401);
  });

  it("stores only hashes of refresh tokens", async () => {
    const u = await registerUser(api, email("hash"));
    const rows = await t.app.services.prisma.refreshToken.findMany({ where: { userId: u.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.tokenHash).not.toContain(u.refreshToken);
  });
});

describe("access tokens on GET /auth/me", () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  let user: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    user = await registerUser(api, email("tok"));
  });
  const claims = () => ({ sub: user.id, acc: "default", email: user.email, role: "admin", sa: true, typ: "access", iss: "cairn" });

  it("a token minted with the instance secret works (control)", async () => {
    const token = await new TokenService(SECRET, 60).signAccess({ sub: user.id, acc: "default", email: user.email, role: "user", sa: false });
    expect((await api("GET", "/api/v1/auth/me", { token })).status).toBe(200);
  });

  it.each<[string, () => Promise<string | undefined>]>([
    ["no token", async () => undefined],
    ["garbage", async () => "not.a.jwt"],
    [
      "flipped signature",
      async () => {
        const [h, p, s] = user.token.split(".") as [string, string, string];
        const flipped = (s[0] === "A" ? "B" : "A") + s.slice(1);
        return `${h}.${p}.${flipped}`;
      },
    ],
    [
      "forged payload, original signature",
      async () => {
        const [h, , s] = user.token.split(".") as [string, string, string];
        const now = Math.floor(Date.now() / 1000);
        return `${h}.${b64({ ...claims(), iat: now, exp: now + 600 })}.${s}`;
      },
    ],
    [
      "alg none",
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims(), iat: now, exp: now + 600 })}.`;
      },
    ],
    [
      "expired (minted by a clock two hours back)",
      async () => new TokenService(SECRET, 60, () => new Date(Date.now() - 2 * 3600_000)).signAccess({ sub: user.id, acc: "default", email: user.email, role: "user", sa: false }),
    ],
    ["signed with another secret", async () => new TokenService("some-other-secret-0123456789", 600).signAccess({ sub: user.id, acc: "default", email: user.email, role: "admin", sa: true })],
  ])("%s → 401", async (_name, make) => {
    const token = await make();
    const res = await api("GET", "/api/v1/auth/me", { token });
    expect(res.status).toBe(401);
    expectErrorBody(res.body, 401);
  });
});

describe("bad input never reaches a 500", () => {
  it.each<[string, string, { body?: unknown; raw?: string; headers?: Record<string, string> }, number, string | undefined]>([
    ["malformed JSON on login", "/api/v1/auth/login", { raw: '{"email": "a@b.co", ' }, 400, undefined],
    ["malformed JSON on register", "/api/v1/auth/register", { raw: "{not json" }, 400, undefined],
    ["empty JSON body", "/api/v1/auth/refresh", { raw: "" }, 400, undefined],
    ["missing password", "/api/v1/auth/login", { body: { email: "a@b.co" } }, 422, "body.password"],
    ["missing email", "/api/v1/auth/register", { body: { password: "Good-pass-1" } }, 422, "body.email"],
    ["missing refresh_token", "/api/v1/auth/refresh", { body: {} }, 422, "body.refresh_token"],
    ["email is an object", "/api/v1/auth/register", { body: { email: { x: 1 }, password: "Good-pass-1" } }, 422, "body.email"],
    ["malformed email", "/api/v1/auth/register", { body: { email: "not-an-email", password: "Good-pass-1" } }, 422, "body.email"],
    ["body is an array", "/api/v1/auth/login", { body: [1, 2] }, 422, undefined],
    ["refresh_token is a number", "/api/v1/auth/refresh", { body: { refresh_token: 12345 } }, 401, undefined],
  ])("%s → %i", async (_name, path, opts, status, detailKey) => {
    const res = await api("POST", path, opts);
    expect(res.status).toBe(status);
    expectErrorBody(res.body, status);
    if (detailKey) expect(res.body.details).toHaveProperty([detailKey]);
  });
});

describe("OpenAPI", () => {
  it("lists every auth route under the tag auth", async () => {
    const res = await api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const paths = res.body.paths;
    for (const [path, method] of [
      ["/api/v1/auth/register", "post"],
      ["/api/v1/auth/login", "post"],
      ["/api/v1/auth/refresh", "post"],
      ["/api/v1/auth/me", "get"],
    ] as const) {
      expect(paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(["auth"]);
    }
    expect(paths["/api/v1/auth/register"].post.requestBody.content["application/json"].schema.required).toEqual(["email", "password"]);
  });
});

describe("superadmin bootstrap", () => {
  it("creates the admin once; restarts (even with other credentials) change nothing", async () => {
    const db = await freshDatabase();
    const cfg = (env: NodeJS.ProcessEnv) => loadConfig({ LOG_LEVEL: "warn", ...env }, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: db.dataDir });
    try {
      for (const env of [
        { CAIRN_ADMIN_EMAIL: "Boot@Example.com", CAIRN_ADMIN_PASSWORD: "Boot-pass-1" },
        { CAIRN_ADMIN_EMAIL: "boot@example.com", CAIRN_ADMIN_PASSWORD: "Changed-pass-2" },
        { CAIRN_ADMIN_EMAIL: "second@example.com", CAIRN_ADMIN_PASSWORD: "Second-pass-3" },
        {},
      ]) {
        const app = await createApp(cfg(env));
        try {
          const client = apiClient(await app.listen());
          const ok = await client("POST", "/api/v1/auth/login", { body: { email: "boot@example.com", password: "Boot-pass-1" } });
          expect(ok.status).toBe(200);
          expect(ok.body.user).toMatchObject({ role: "admin", verified: true });
          const admins = await app.services.prisma.user.findMany({ where: { superadmin: true } });
          expect(admins.map((a) => a.email)).toEqual(["boot@example.com"]);
        } finally {
          await app.close();
        }
      }
    } finally {
      await db.drop();
    }
  });

  it("refuses to start with a weak CAIRN_ADMIN_PASSWORD", async () => {
    const db = await freshDatabase();
    try {
      const config = loadConfig({ LOG_LEVEL: "warn", CAIRN_ADMIN_EMAIL: "weak@example.com", CAIRN_ADMIN_PASSWORD: "short" }, { port: 0, databaseUrl: db.url, dataDir: db.dataDir });
      await expect(createApp(config)).rejects.toThrow(/CAIRN_ADMIN_PASSWORD.*at least 8 characters/);
    } finally {
      await db.drop();
    }
  });
});

describe("cairn admin create (CLI)", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const run = promisify(execFile);
  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    run(process.execPath, ["bin/cairn.js", ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: "warn", ...env }, timeout: 60_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
    );

  it("creates a superadmin who can then log in over HTTP; bad arguments exit 2", { timeout: 120_000 }, async () => {
    const db = await freshDatabase();
    const env = { DATABASE_URL: db.url, CAIRN_DATA_DIR: db.dataDir };
    try {
      const created = await cli(["admin", "create", "--email", "Cli@Example.com", "--password", "Cli-pass-123"], env);
      expect(created.stderr).toBe("");
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/cli@example\.com created/);

      const [missing, unknown, weak] = await Promise.all([
        cli(["admin", "create", "--email", "x@example.com"], env),
        cli(["frobnicate"], env),
        cli(["admin", "create", "--email", "y@example.com", "--password", "short"], env),
      ]);
      for (const r of [missing, unknown, weak]) expect(r.code).toBe(2);
      expect(missing.stderr).toMatch(/--password/);
      expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
      expect(weak.stderr).toMatch(/password must be at least 8 characters/);

      const app = await createApp(loadConfig({ LOG_LEVEL: "warn" }, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: db.dataDir }));
      try {
        const client = apiClient(await app.listen());
        const res = await client("POST", "/api/v1/auth/login", { body: { email: "cli@example.com", password: "Cli-pass-123" } });
        expect(res.status).toBe(200);
        expect(res.body.user).toMatchObject({ email: "cli@example.com", role: "admin", verified: true });
        expect(await app.services.prisma.user.count({ where: { superadmin: true } })).toBe(1);

        // promoting a registered user while the server runs; the given password replaces theirs
        const u = await registerUser(client, "promote-me@example.com");
        const promoted = await cli(["admin", "create", "--email", u.email, "--password", "Promoted-pass-1"], env);
        expect(promoted.code).toBe(0);
        expect(promoted.stdout).toMatch(/promote-me@example\.com promoted/);
        expect((await client("GET", "/api/v1/auth/me", { token: u.token })).body).toMatchObject({ id: u.id, role: "admin" });
        const relog = await client("POST", "/api/v1/auth/login", { body: { email: u.email, password: "Promoted-pass-1" } });
        expect(relog.status).toBe(200);
        expect(relog.body.user).toMatchObject({ id: u.id, role: "admin", verified: true });
      } finally {
        await app.close();
      }
    } finally {
      await db.drop();
    }
  });
});
