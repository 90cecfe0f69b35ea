/**
 * Rate limits and login lockout over real HTTP (compat/fastcms.md §15): a bounded burst gets
 * exactly `limit` answers and 429s for the rest (headers, Retry-After, compat body, one audit
 * entry), counters per IP vs per user, the stricter login endpoint limit, /graphql covered by
 * the same hook, counters shared through Redis by two instances on one PostgreSQL database,
 * and the lockout after repeated failed logins (429 even with the right password, audited,
 * reset by a success, lifted when the lock expires).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { apiClient, registerUser, startApp, TEST_DB, type ApiClient, type ApiResponse, type TestApp, eventually } from "../helpers/app.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function expectErrorBody(body: any, code: string) {
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code });
  expect(body).toHaveProperty("details");
}

async function setSetting(t: TestApp, key: string, value: unknown, category = "security") {
  const res = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key, value, category } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

function expectRefusal(res: ApiResponse, perMinute: number, perHour: number) {
  expect(res.status).toBe(429);
  expectErrorBody(res.body, "RATE_LIMITED");
  expect(res.body.error).toBe("Rate limit exceeded");
  const retry = Number(res.headers.get("retry-after"));
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(60);
  expect(res.body.details).toEqual({ limit_per_minute: perMinute, limit_per_hour: perHour, retry_after_seconds: retry });
  expect(res.headers.get("x-ratelimit-remaining-minute")).toBe("0");
}

describe("request rate limits", () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };

  beforeAll(async () => {
    t = await startApp({}, { CAIRN_RATE_LIMIT: "true" });
    api = t.api;
    alice = await registerUser(api);
    bob = await registerUser(api);
  });
  afterAll(async () => t?.close());

  it("headers on every answer, with the documented defaults", async () => {
    const ok = await api("GET", "/api/v1/auth/me", { token: alice.token });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-limit-minute")).toBe("100");
    expect(ok.headers.get("x-ratelimit-limit-hour")).toBe("1000");
    const before = Number(ok.headers.get("x-ratelimit-remaining-minute"));
    const notFound = await api("GET", "/api/v1/no-such-route", { token: alice.token });
    expect(notFound.status).toBe(404);
    expect(Number(notFound.headers.get("x-ratelimit-remaining-minute"))).toBe(before - 1);
    expect(notFound.headers.get("x-ratelimit-remaining-hour")).toEqual(expect.stringMatching(/^\d+$/));

    const admin = await api("GET", "/api/v1/settings", { token: t.adminToken });
    expect(admin.headers.get("x-ratelimit-limit-minute")).toBe("300");
    expect(admin.headers.get("x-ratelimit-limit-hour")).toBe("5000");
    const anon = await api("GET", "/api/v1/collections");
    expect(anon.headers.get("x-ratelimit-limit-minute")).toBe("60");
    expect(anon.headers.get("x-ratelimit-limit-hour")).toBe("500");
    // probes are never counted
    const health = await api("GET", "/health");
    expect(health.headers.get("x-ratelimit-limit-minute")).toBeNull();
  });

  it("a bounded anonymous burst: exactly the limit passes, the rest get 429; per IP, not per user", async () => {
    await setSetting(t, "rate_limit_anonymous_per_minute", 5);
    // what is left of this IP's anonymous budget (earlier requests count against the new limit)
    const probe = await api("GET", "/api/v1/collections");
    const left = Number(probe.headers.get("x-ratelimit-remaining-minute"));
    expect(left).toBeGreaterThan(0);
    const burst = await Promise.all(Array.from({ length: 12 }, () => api("GET", "/api/v1/collections")));
    const refused = burst.filter((r) => r.status === 429);
    expect(burst.length - refused.length).toBe(left);
    for (const r of burst) expect(r.headers.get("x-ratelimit-limit-minute")).toBe("5");
    for (const r of refused) expectRefusal(r, 5, 500);

    // same IP, signed in: counted per user, unaffected
    const me = await api("GET", "/api/v1/auth/me", { token: alice.token });
    expect(me.status).toBe(200);

    // one audit entry for the window, not one per refused request
    const entries = await eventually(async () => {
      const res = await api("GET", "/api/v1/audit?event_type=security&event_action=rate_limit", { token: t.adminToken });
      return res.body.total >= 1 ? res.body.items : undefined;
    });
    await new Promise((r) => setTimeout(r, 100));
    const again = await api("GET", "/api/v1/audit?event_type=security&event_action=rate_limit", { token: t.adminToken });
    expect(again.body.total).toBe(1);
    expect(entries[0]).toMatchObject({ severity: "warning", outcome: "failure", ip_address: expect.any(String), request_id: expect.any(String) });
    expect(entries[0].details).toMatchObject({ tier: "anonymous", limit_per_minute: 5 });
  });

  it("/graphql is covered by the same hook (GraphQL-shaped errors too)", async () => {
    const res = await fetch(`${t.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = (await res.json()) as any;
    expect(body.code).toBe("RATE_LIMITED");
    expect(body.errors[0].extensions.code).toBe("RATE_LIMITED");
  });

  it("users are counted separately from each other", async () => {
    await setSetting(t, "rate_limit_user_per_minute", 3);
    const seq = [];
    for (let i = 0; i < 4; i++) seq.push(await api("GET", "/api/v1/auth/me", { token: bob.token }));
    expect(seq.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expectRefusal(seq[3]!, 3, 1000);
    // another user from the same IP still has a budget (registration has its own)
    const carol = await registerUser(api);
    const ok = await api("GET", "/api/v1/auth/me", { token: carol.token });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-remaining-minute")).toBe("2");
  });

  it("an API key has its own counter, apart from its owner's sessions", async () => {
    // the user limit is 3 per minute since the previous test
    const dave = await registerUser(api);
    const created = await api("POST", "/api/v1/api-keys", { token: dave.token, body: { name: "ci", scopes: ["read"] } });
    expect(created.status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api("GET", "/api/v1/auth/me", { token: dave.token })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const viaKey = await api("GET", "/api/v1/auth/me", { headers: { "x-api-key": created.body.key } });
    expect(viaKey.status).not.toBe(429);
    expect(viaKey.headers.get("x-ratelimit-limit-minute")).toBe("3");
    expect(viaKey.headers.get("x-ratelimit-remaining-minute")).toBe("2");
  });

  it("the login endpoint has its own stricter limit per IP", async () => {
    await setSetting(t, "rate_limit_login_per_minute", 2);
    const body = { email: "nobody@example.com", password: "whatever-123" };
    // startApp's admin login already used 1 of the login budget of this IP
    const first = await api("POST", "/api/v1/auth/login", { body });
    expect(first.status).toBe(401);
    expect(first.headers.get("x-ratelimit-limit-minute")).toBe("2");
    const second = await api("POST", "/api/v1/auth/login", { body });
    expectRefusal(second, 2, 50);
  });
});

describe.skipIf(TEST_DB !== "postgres")("counters shared through Redis (two instances, one PostgreSQL database)", () => {
  // SQLite is one file per process: two instances of one database only make sense on PostgreSQL.
  it("requests to either instance count against one limit", async () => {
    const secret = `rl-${randomBytes(8).toString("hex")}`;
    const env = { CAIRN_RATE_LIMIT: "true", REDIS_URL, CAIRN_SECRET: secret };
    const a = await startApp({}, env);
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-test-b-"));
    const b = await createApp(loadConfig({ LOG_LEVEL: "warn", ...env }, { port: 0, host: "127.0.0.1", databaseUrl: a.config.databaseUrl, dataDir }));
    try {
      const bApi = apiClient(await b.listen());
      await setSetting(a, "rate_limit_anonymous_per_minute", 4);
      // the setting reaches b through the settings change notice
      await eventually(async () => b.services.settings.get<unknown>("rate_limit_anonymous_per_minute", 0) === 4);
      const seq: number[] = [];
      for (let i = 0; i < 6; i++) seq.push((await (i % 2 ? bApi : a.api)("GET", "/api/v1/collections")).status);
      expect(seq.slice(0, 4).every((s) => s !== 429)).toBe(true);
      expect(seq.slice(4)).toEqual([429, 429]);
      const fromB = await bApi("GET", "/api/v1/collections");
      expectRefusal(fromB, 4, 500);
    } finally {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
      await a.close();
    }
  });
});

describe("login lockout", () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await startApp();
    api = t.api;
  });
  afterAll(async () => t?.close());

  const login = (email: string, password: string, account?: string) => api("POST", "/api/v1/auth/login", { body: { email, password, ...(account ? { account } : {}) } });

  it("locks after 5 failures: 429 even with the right password, audited as auth/lockout", async () => {
    const u = await registerUser(api);
    for (let i = 0; i < 5; i++) expect((await login(u.email, "Wrong-pass-123")).status).toBe(401);
    const locked = await login(u.email, "User-pass-123");
    expect(locked.status).toBe(429);
    expectErrorBody(locked.body, "RATE_LIMITED");
    expect(locked.body.message).toMatch(/too many failed login attempts/i);
    const retry = Number(locked.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(14 * 60);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // the address in another case is the same identity
    expect((await login(u.email.toUpperCase(), "User-pass-123")).status).toBe(429);

    const entry = await eventually(async () => {
      const res = await api("GET", "/api/v1/audit?event_type=auth&event_action=lockout", { token: t.adminToken });
      return res.body.items?.find((e: any) => e.user_email === u.email);
    });
    expect(entry).toMatchObject({ severity: "warning", outcome: "failure", ip_address: expect.any(String) });
    const failed = await api("GET", "/api/v1/audit/failed-logins", { token: t.adminToken });
    expect(failed.body.some((e: any) => e.event_action === "lockout" && e.user_email === u.email)).toBe(true);

    // other users are not affected
    const other = await registerUser(api);
    expect((await login(other.email, "User-pass-123")).status).toBe(200);

    // when the lock expires, the right password works again and the count starts over
    await t.app.services.prisma.loginThrottle.updateMany({ data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await login(u.email, "User-pass-123")).status).toBe(200);
  });

  it("a success resets the count", async () => {
    const u = await registerUser(api);
    for (let i = 0; i < 4; i++) expect((await login(u.email, "Wrong-pass-123")).status).toBe(401);
    expect((await login(u.email, "User-pass-123")).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(u.email, "Wrong-pass-123")).status).toBe(401);
    expect((await login(u.email, "User-pass-123")).status).toBe(200);
  });

  it("settings change the policy; unknown addresses are locked too (no account probing)", async () => {
    await setSetting(t, "login_lockout_attempts", 2);
    try {
      const ghost = `ghost-${randomBytes(3).toString("hex")}@example.com`;
      expect((await login(ghost, "x")).status).toBe(401);
      expect((await login(ghost, "x")).status).toBe(401);
      expect((await login(ghost, "x")).status).toBe(429);
    } finally {
      await setSetting(t, "login_lockout_attempts", 5);
    }
  });

  it("GraphQL login goes through the same lockout", async () => {
    const u = await registerUser(api);
    for (let i = 0; i < 5; i++) expect((await login(u.email, "Wrong-pass-123")).status).toBe(401);
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation { login(email: "${u.email}", password: "User-pass-123") { accessToken } }` }),
    });
    const body = (await res.json()) as any;
    expect(body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });
});
