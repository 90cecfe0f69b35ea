/**
 * Settings over real HTTP (compat/fastcms.md §14): grouped listing, create/update/delete,
 * validation (categories, keys, typed known keys → 422), superadmin only, audit of changes,
 * maintenance mode (non-superadmin writes → 503 on REST and GraphQL, reads and sign-in still
 * work), and — PostgreSQL + Redis only — a change on one instance reaching another instance.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, registerUser, startApp, TEST_DB, type ApiClient, type TestApp, eventually } from "../helpers/app.ts";

let t: TestApp;
let api: ApiClient;
let user: { token: string; id: string; email: string };

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  user = await registerUser(api);
});
afterAll(async () => t?.close());

function expectErrorBody(body: any, code?: string) {
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  expect(body).toHaveProperty("details");
  if (code) expect(body.code).toBe(code);
}

describe("settings CRUD", () => {
  it("only superadmins: anonymous → 401, user → 403", async () => {
    for (const [method, path, body] of [
      ["GET", "/api/v1/settings", undefined],
      ["GET", "/api/v1/settings/app", undefined],
      ["POST", "/api/v1/settings", { key: "x", value: 1 }],
      ["DELETE", "/api/v1/settings/x", undefined],
    ] as const) {
      const anon = await api(method, path, { body });
      expect(anon.status, `${method} ${path}`).toBe(401);
      expectErrorBody(anon.body, "UNAUTHORIZED");
      const res = await api(method, path, { token: user.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expectErrorBody(res.body, "FORBIDDEN");
    }
  });

  it("creates, lists by category, updates and deletes", async () => {
    const created = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "app_name", value: "My App", category: "app", description: "Shown in the UI" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: expect.any(String), key: "app_name", value: "My App", category: "app", description: "Shown in the UI" });

    const flag = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "enable_ai_features", value: { on: true, models: ["a", "b"] } } });
    expect(flag.status).toBe(200);
    expect(flag.body).toMatchObject({ key: "enable_ai_features", category: "app", value: { on: true, models: ["a", "b"] } });

    await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "api_rate_limit", value: 100, category: "security", description: "Max API requests per minute" } });

    const all = await api("GET", "/api/v1/settings", { token: t.adminToken });
    expect(all.status).toBe(200);
    expect(all.body.app).toMatchObject({ app_name: { value: "My App", description: "Shown in the UI" }, enable_ai_features: { value: { on: true, models: ["a", "b"] }, description: null } });
    expect(all.body.security).toMatchObject({ api_rate_limit: { value: 100, description: "Max API requests per minute" } });

    const app = await api("GET", "/api/v1/settings/app", { token: t.adminToken });
    expect(app.status).toBe(200);
    expect(Object.keys(app.body).sort()).toEqual(["app_name", "enable_ai_features"]);
    const empty = await api("GET", "/api/v1/settings/backup", { token: t.adminToken });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({});

    // update without a description keeps it; the id stays
    const updated = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "app_name", value: "Renamed" } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, value: "Renamed", description: "Shown in the UI" });

    const del = await api("DELETE", "/api/v1/settings/app_name", { token: t.adminToken });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: true });
    const again = await api("DELETE", "/api/v1/settings/app_name", { token: t.adminToken });
    expect(again.body).toEqual({ deleted: false });
    const after = await api("GET", "/api/v1/settings/app", { token: t.adminToken });
    expect(after.body).not.toHaveProperty("app_name");
  });

  it("null and false are values, not absence", async () => {
    const res = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "nullable_thing", value: null, category: "custom" } });
    expect(res.status).toBe(200);
    expect(res.body.value).toBeNull();
    const list = await api("GET", "/api/v1/settings/custom", { token: t.adminToken });
    expect(list.body.nullable_thing).toEqual({ value: null, description: null });
  });

  it.each([
    ["unknown category", { key: "k1", value: 1, category: "nope" }, "category"],
    ["missing value", { key: "k2", category: "app" }, "value"],
    ["missing key", { value: 1 }, "key"],
    ["bad key characters", { key: "bad key!", value: 1 }, "key"],
    ["over-long key", { key: "k".repeat(101), value: 1 }, "key"],
    ["maintenance_mode not boolean", { key: "maintenance_mode", value: "yes" }, "value"],
    ["rate limit zero", { key: "rate_limit_user_per_minute", value: 0, category: "security" }, "value"],
    ["rate limit fraction", { key: "rate_limit_user_per_hour", value: 2.5, category: "security" }, "value"],
    ["upload size negative", { key: "max_upload_size", value: -1, category: "storage" }, "value"],
    ["lockout attempts text", { key: "login_lockout_attempts", value: "5", category: "security" }, "value"],
    ["description too long", { key: "k3", value: 1, description: "d".repeat(1001) }, "description"],
    ["oversized value", { key: "k4", value: "v".repeat(70_000) }, "value"],
  ])("%s → 422 naming the field", async (_name, body, field) => {
    const res = await api("POST", "/api/v1/settings", { token: t.adminToken, body });
    expect(res.status).toBe(422);
    expectErrorBody(res.body, "VALIDATION_ERROR");
    expect(JSON.stringify(res.body.details)).toContain(field);
  });

  it("bad JSON → 400, unknown category path → 422", async () => {
    const bad = await api("POST", "/api/v1/settings", { token: t.adminToken, raw: "{nope" });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body);
    const cat = await api("GET", "/api/v1/settings/emails", { token: t.adminToken });
    expect(cat.status).toBe(422);
    expectErrorBody(cat.body, "VALIDATION_ERROR");
    expect(cat.body.message).toMatch(/app, auth, mail, backup, storage, security, custom/);
  });

  it("changes are audited (key and category, never the value)", async () => {
    await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "smtp_password", value: "s3cret-value", category: "mail" } });
    await api("DELETE", "/api/v1/settings/smtp_password", { token: t.adminToken });
    const entries = await eventually(async () => {
      const res = await api("GET", "/api/v1/audit?event_type=admin&limit=50", { token: t.adminToken });
      const mine = (res.body.items ?? []).filter((e: any) => e.resource_type === "setting" && e.resource_id === "smtp_password");
      return mine.length === 2 ? mine : undefined;
    });
    expect(entries.map((e: any) => e.event_action).sort()).toEqual(["create", "delete"]);
    expect(JSON.stringify(entries)).not.toContain("s3cret-value");
    expect(entries[0]).toMatchObject({ user_email: ADMIN_EMAIL, ip_address: expect.any(String), request_id: expect.any(String) });
  });
});

describe("maintenance mode", () => {
  const gql = (query: string, token?: string) =>
    fetch(`${t.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) });

  it("refuses non-superadmin writes with 503; reads, sign-in and admin writes still work", async () => {
    const on = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "maintenance_mode", value: true, category: "app" } });
    expect(on.status).toBe(200);
    try {
      const reg = await api("POST", "/api/v1/auth/register", { body: { email: `m-${randomBytes(3).toString("hex")}@example.com`, password: "User-pass-123" } });
      expect(reg.status).toBe(503);
      expectErrorBody(reg.body, "MAINTENANCE_MODE");
      expect(reg.body.message).toMatch(/maintenance/i);

      const userWrite = await api("POST", "/api/v1/settings", { token: user.token, body: { key: "x", value: 1 } });
      expect(userWrite.status).toBe(503);

      // reads work for everyone
      expect((await api("GET", "/api/v1/auth/me", { token: user.token })).status).toBe(200);
      expect((await api("GET", "/api/v1/collections", { token: t.adminToken })).status).toBe(200);

      // signing in still works (admins must be able to switch the mode off)
      const login = await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(login.status).toBe(200);

      // the superadmin may write
      const coll = await api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: `maint_${randomBytes(3).toString("hex")}`, schema: [{ name: "title", type: "text" }] } });
      expect(coll.status).toBe(201);

      // GraphQL: queries run, mutations (other than sign-in) are refused
      const q = await gql("{ __typename }", user.token);
      expect(q.status).toBe(200);
      const m = await gql(`mutation { register(email: "g@example.com", password: "User-pass-123") { accessToken } }`);
      expect(m.status).toBe(503);
      const mb = (await m.json()) as any;
      expect(mb.errors[0].extensions.code).toBe("MAINTENANCE_MODE");
      const gLogin = await gql(`mutation { login(email: "${ADMIN_EMAIL}", password: "${ADMIN_PASSWORD}") { accessToken } }`);
      expect(gLogin.status).toBe(200);
    } finally {
      const off = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "maintenance_mode", value: false, category: "app" } });
      expect(off.status).toBe(200);
    }
    const reg = await api("POST", "/api/v1/auth/register", { body: { email: `m-${randomBytes(3).toString("hex")}@example.com`, password: "User-pass-123" } });
    expect(reg.status).toBe(201);
  });
});

describe.skipIf(TEST_DB !== "postgres")("settings across instances (PostgreSQL + Redis)", () => {
  it("a change on one instance reaches the other's cache", async () => {
    const secret = `settings-${randomBytes(8).toString("hex")}`;
    const a = await startApp({}, { REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", CAIRN_SECRET: secret });
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-test-b-"));
    const b = await createApp(
      loadConfig(
        { LOG_LEVEL: "warn", CAIRN_RATE_LIMIT: "false", REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", CAIRN_SECRET: secret },
        { port: 0, host: "127.0.0.1", databaseUrl: a.config.databaseUrl, dataDir },
      ),
    );
    try {
      const bApi = apiClient(await b.listen());
      const set = await a.api("POST", "/api/v1/settings", { token: a.adminToken, body: { key: "maintenance_mode", value: true, category: "app" } });
      expect(set.status).toBe(200);
      await eventually(async () => (await bApi("GET", "/api/v1/settings/app", { token: a.adminToken })).body.maintenance_mode?.value === true);
      const write = await bApi("POST", "/api/v1/auth/register", { body: { email: "x-b@example.com", password: "User-pass-123" } });
      expect(write.status).toBe(503);
      await a.api("DELETE", "/api/v1/settings/maintenance_mode", { token: a.adminToken });
      await eventually(async () => (await bApi("GET", "/api/v1/settings/app", { token: a.adminToken })).body.maintenance_mode === undefined);
    } finally {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
      await a.close();
    }
  });
});
