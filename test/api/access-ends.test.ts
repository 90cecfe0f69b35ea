/**
 * Access that ends at once: after a deactivation, a role change (an admin demoted included),
 * logout-all, a password change or a password set by an admin, the user's existing access tokens
 * are refused with 401 `Session ended; sign in again` over REST and GraphQL, and their open
 * GraphQL subscriptions are closed — on every instance (two instances on one PostgreSQL database
 * sharing Redis: within one second). And the login lockout counts atomically: of 40 wrong
 * passwords sent at once, no more than the threshold (5) are checked.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, registerUser, startApp, TEST_DB, type ApiClient, type TestApp } from "../helpers/app.ts";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { gql, SIGNED_IN_RULES, subscribe, waitFor } from "./graphql-helpers.ts";

const ENDED = "Session ended; sign in again";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A graphql-ws client for a user; the server closing it (4401) is expected, not logged. */
function wsClient(base: string, token: string): WsClient {
  return createClient({
    url: `${base.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
  });
}

/** Asserts the token is refused as an ended session over REST (read and write) and GraphQL. */
async function expectEnded(base: string, api: ApiClient, token: string) {
  const me = await api("GET", "/api/v1/auth/me", { token });
  expect(me.status).toBe(401);
  expect(me.body.message).toBe(ENDED);
  const write = await api("POST", "/api/v1/collections/notes/records", { token, body: { data: { title: "after" } } });
  expect(write.status).toBe(401);
  expect(write.body.message).toBe(ENDED);
  const g = await gql(base, `mutation { createNote(data: { title: "after" }) { id } }`, undefined, token);
  expect(g.body.errors?.[0]?.message, JSON.stringify(g.body)).toBe(ENDED);
  expect(g.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
}

describe("access ends at once (one instance)", () => {
  let t: TestApp;
  const admin = (method: string, path: string, body?: unknown) => t.api(method, `/api/v1${path}`, { token: t.adminToken, body });
  const login = async (email: string, password = "User-pass-123") => {
    const res = await t.api("POST", "/api/v1/auth/login", { body: { email, password } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { access_token: string; refresh_token: string };
  };

  beforeAll(async () => {
    t = await startApp();
    const made = await admin("POST", "/collections", { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "title", type: "text" }] });
    expect(made.status).toBe(201);
  });
  afterAll(async () => t?.close());

  it("deactivation: tokens refused, open subscriptions closed", async () => {
    const u = await registerUser(t.api);
    expect((await t.api("GET", "/api/v1/auth/me", { token: u.token })).status).toBe(200);
    const ws = wsClient(t.url, u.token);
    try {
      const before = t.app.graphql.hub.size;
      const sub = subscribe(ws, `subscription { noteCreated { id } }`);
      await waitFor(() => t.app.graphql.hub.size > before, 5000, "the subscription");
      expect((await admin("DELETE", `/users/${u.id}`)).status).toBe(204);
      await sub.completed(1000).catch(() => undefined);
      expect(sub.error ?? "completed").toBeTruthy();
      expect(t.app.graphql.hub.size).toBe(before);
      expect((sub.error as { code?: number } | undefined)?.code).toBe(4401);
      await expectEnded(t.url, t.api, u.token);
    } finally {
      await ws.dispose();
    }
  });

  it("a role change: the old token is refused, a new sign-in carries the new role", async () => {
    const u = await registerUser(t.api);
    expect((await admin("PATCH", `/users/${u.id}`, { role_id: 1 })).status).toBe(200);
    await expectEnded(t.url, t.api, u.token);
    const asAdmin = await login(u.email);
    expect((await t.api("GET", "/api/v1/roles", { token: asAdmin.access_token })).status).not.toBe(401);
    // demoting the admin ends their admin token too
    expect((await admin("PATCH", `/users/${u.id}`, { role_id: 2 })).status).toBe(200);
    await expectEnded(t.url, t.api, asAdmin.access_token);
    const again = await login(u.email);
    expect((await t.api("GET", "/api/v1/auth/me", { token: again.access_token })).body.id).toBe(u.id);
  });

  it("logout-all refuses every access token of the user; a new sign-in works", async () => {
    const u = await registerUser(t.api);
    const second = await login(u.email);
    expect((await t.api("POST", "/api/v1/auth/logout-all", { token: u.token })).status).toBe(204);
    await expectEnded(t.url, t.api, u.token);
    await expectEnded(t.url, t.api, second.access_token);
    const fresh = await login(u.email);
    expect((await t.api("GET", "/api/v1/auth/me", { token: fresh.access_token })).status).toBe(200);
  });

  it("a password change ends the other sessions' tokens and subscriptions; the current one keeps working", async () => {
    const u = await registerUser(t.api);
    const other = await login(u.email);
    const current = await login(u.email);
    const otherWs = wsClient(t.url, other.access_token);
    const currentWs = wsClient(t.url, current.access_token);
    try {
      const before = t.app.graphql.hub.size;
      const otherSub = subscribe(otherWs, `subscription { noteCreated { id } }`);
      const currentSub = subscribe(currentWs, `subscription { noteCreated { id } }`);
      await waitFor(() => t.app.graphql.hub.size === before + 2, 5000, "both subscriptions");
      const res = await t.api("POST", "/api/v1/auth/change-password", { token: current.access_token, body: { old_password: "User-pass-123", new_password: "Brand-new-pass-4" } });
      expect(res.status).toBe(204);
      await waitFor(() => t.app.graphql.hub.size === before + 1, 1000, "the other session's subscription to end");
      await otherSub.completed(1000).catch(() => undefined);
      expect((otherSub.error as { code?: number } | undefined)?.code).toBe(4401);
      await expectEnded(t.url, t.api, other.access_token);
      await expectEnded(t.url, t.api, u.token);
      expect((await t.api("GET", "/api/v1/auth/me", { token: current.access_token })).status).toBe(200);
      // the current session's subscription still delivers
      const made = await gql(t.url, `mutation { createNote(data: { title: "still here" }) { id } }`, undefined, current.access_token);
      expect((await currentSub.next()).data.noteCreated.id).toBe(made.body.data.createNote.id);
    } finally {
      await otherWs.dispose();
      await currentWs.dispose();
    }
  });

  it("a token served many times from the verified-token cache is refused at once when its access ends", async () => {
    const u = await registerUser(t.api);
    const made = await t.api("POST", "/api/v1/collections/notes/records", { token: u.token, body: { data: { title: "mine" } } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const path = `/api/v1/collections/notes/records/${made.body.id}`;
    // the first request verifies the token; the next ones take the cached path, one caller shared by all
    const reads = await Promise.all(Array.from({ length: 20 }, () => t.api("GET", path, { token: u.token })));
    expect(reads.map((r) => r.status)).toEqual(reads.map(() => 200));
    expect(new Set(reads.map((r) => JSON.stringify(r.body))).size).toBe(1);
    // the same header in the forms the Bearer scheme allows resolves to the same caller
    for (const authorization of [`bearer ${u.token}`, `Bearer  ${u.token}`, `BEARER\t${u.token}`]) {
      const res = await t.api("GET", path, { headers: { authorization } });
      expect(res.status, authorization.slice(0, 8)).toBe(200);
      expect(res.body.id).toBe(made.body.id);
    }
    // …and a token with whitespace inside, or an empty one, is no bearer token (anonymous: the rule asks for sign-in)
    for (const authorization of [`Bearer ${u.token} x`, `Bearer ${u.token.slice(0, 20)} ${u.token.slice(20)}`, "Bearer "]) {
      expect((await t.api("GET", path, { headers: { authorization } })).status, JSON.stringify(authorization.slice(-5))).toBe(401);
    }
    expect((await t.api("POST", "/api/v1/auth/logout-all", { token: u.token })).status).toBe(204);
    const after = await t.api("GET", path, { token: u.token });
    expect(after.status).toBe(401);
    expect(after.body.message).toBe(ENDED);
    await expectEnded(t.url, t.api, u.token);
    // a new sign-in gets a new token, served (and cached) as usual
    const fresh = await login(u.email);
    expect((await t.api("GET", path, { token: fresh.access_token })).status).toBe(200);
    expect((await t.api("GET", path, { token: fresh.access_token })).status).toBe(200);
  });

  it("a password set by an admin ends the user's tokens", async () => {
    const u = await registerUser(t.api);
    expect((await admin("PUT", `/users/${u.id}/password`, { new_password: "Admin-set-Pass-42!" })).status).toBe(200);
    await expectEnded(t.url, t.api, u.token);
  });

  it("lockout counts atomically: of 40 wrong passwords at once, at most 5 are checked", async () => {
    const u = await registerUser(t.api);
    const answers = await Promise.all(Array.from({ length: 40 }, () => t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "Wrong-pass-999" } })));
    const statuses = answers.map((a) => a.status);
    const checked = statuses.filter((s) => s === 401).length;
    const locked = statuses.filter((s) => s === 429).length;
    expect(checked + locked, JSON.stringify(statuses)).toBe(40);
    expect(checked).toBeLessThanOrEqual(5);
    expect(checked).toBeGreaterThanOrEqual(1);
    // locked now, even with the right password
    expect((await t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } })).status).toBe(429);
  });
});

describe.skipIf(TEST_DB !== "postgres")("access ends on every instance (PostgreSQL + Redis)", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const apps: App[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    const env = {
      CAIRN_ADMIN_EMAIL: ADMIN_EMAIL,
      CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CAIRN_SECRET: randomBytes(32).toString("hex"),
      LOG_LEVEL: "warn",
      CAIRN_RATE_LIMIT: "false",
      REDIS_URL,
      CAIRN_REDIS_PREFIX: `cairn-test-${randomBytes(6).toString("hex")}`,
    };
    for (const name of ["a", "b"]) {
      const app = await createApp(loadConfig(env, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: `${db.dataDir}/${name}` }));
      apps.push(app);
      urls.push(await app.listen());
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it("a deactivation on A refuses the token on B within a second and closes B's subscription", async () => {
    const [apiA, apiB] = urls.map((u) => apiClient(u)) as [ApiClient, ApiClient];
    const adminToken = (await apiA("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token;
    expect((await apiA("POST", "/api/v1/collections", { token: adminToken, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "title", type: "text" }] } })).status).toBe(201);
    const u = await registerUser(apiA);
    // B has seen (and cached) the user's session before the change
    expect((await apiB("GET", "/api/v1/auth/me", { token: u.token })).status).toBe(200);
    await eventually(async () => (await gql(urls[1]!, "{ notes { totalCount } }", undefined, u.token)).status === 200, 10_000, "the collection on B");
    const ws = wsClient(urls[1]!, u.token);
    try {
      const hubB = apps[1]!.graphql.hub;
      const before = hubB.size;
      const sub = subscribe(ws, `subscription { noteCreated { id } }`);
      await waitFor(() => hubB.size > before, 5000, "the subscription on B");

      expect((await apiA("DELETE", `/api/v1/users/${u.id}`, { token: adminToken })).status).toBe(204);
      const changed = Date.now();
      await eventually(async () => (await apiB("GET", "/api/v1/auth/me", { token: u.token })).status === 401, 1000, "B to refuse the token", 10);
      expect(Date.now() - changed).toBeLessThan(1000);
      await waitFor(() => hubB.size === before, 1000, "B to end the subscription");
      await sub.completed(1000).catch(() => undefined);
      expect((sub.error as { code?: number } | undefined)?.code).toBe(4401);
      await expectEnded(urls[1]!, apiB, u.token);
    } finally {
      await ws.dispose();
    }
  });
});
