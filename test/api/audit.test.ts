/**
 * The audit log over real HTTP (compat/fastcms.md §13): admin actions (collection create/
 * update/delete, settings) and auth events land in it with request id and IP; `/audit` filters
 * and paginates; `/audit/security`, `/audit/failed-logins`, `/audit/user/{id}` and
 * `/audit/statistics` answer their shapes; bad dates, enums and numbers → 422 (never 500);
 * superadmins only.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../src/core/audit/audit.ts";
import { systemContext } from "../../src/core/context.ts";
import { ADMIN_EMAIL, registerUser, startApp, type ApiClient, type TestApp, eventually } from "../helpers/app.ts";

let t: TestApp;
let api: ApiClient;
let user: { token: string; id: string; email: string };
let adminId: string;
const collection = `audited_${randomBytes(3).toString("hex")}`;

const get = (path: string) => api("GET", path, { token: t.adminToken });

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  user = await registerUser(api);
  adminId = (await get("/api/v1/auth/me")).body.id;
  // admin actions
  expect((await api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: collection, schema: [{ name: "title", type: "text" }] } })).status).toBe(201);
  expect(
    (
      await api("PATCH", `/api/v1/collections/${collection}`, {
        token: t.adminToken,
        body: {
          schema: [
            { name: "title", type: "text" },
            { name: "body", type: "textarea" },
          ],
        },
      })
    ).status,
  ).toBe(200);
  expect((await api("DELETE", `/api/v1/collections/${collection}`, { token: t.adminToken })).status).toBe(204);
  // a failed login
  expect((await api("POST", "/api/v1/auth/login", { body: { email: user.email, password: "Wrong-pass-123" } })).status).toBe(401);
  // entries of every severity, written by the core writer as other features do
  const ctx = systemContext(t.app.services);
  await audit(ctx, { eventType: "security", eventAction: "permission_denied", severity: "critical", outcome: "failure", userId: user.id, description: "test critical" });
  await audit(ctx, { eventType: "system", eventAction: "backup", severity: "info", outcome: "error", errorMessage: "disk full" });
  // what the login operation writes for a failed attempt (it also writes its own for the attempt above)
  await audit(ctx, { eventType: "auth", eventAction: "login_failed", severity: "warning", outcome: "failure", userEmail: user.email, details: { reason: "wrong_password" } });
  await eventually(async () => (await get("/api/v1/audit?event_type=collection")).body.total === 3);
});
afterAll(async () => t?.close());

describe("what gets audited", () => {
  it("collection create/update/delete by the admin, with request id and IP", async () => {
    const res = await get(`/api/v1/audit?event_type=collection&user_id=${adminId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 3, limit: 100, offset: 0 });
    expect(res.body.items.map((e: any) => e.event_action)).toEqual(["delete", "update", "create"]);
    for (const e of res.body.items) {
      expect(e).toMatchObject({
        event_type: "collection",
        severity: "info",
        outcome: "success",
        user_id: adminId,
        user_email: ADMIN_EMAIL,
        ip_address: expect.stringMatching(/127\.0\.0\.1/),
        request_id: expect.any(String),
        resource_type: "collection",
        resource_id: expect.any(String),
        created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      });
      expect(e.details).toMatchObject({ name: collection });
      expect(Object.keys(e)).toEqual(expect.arrayContaining(["id", "user_agent", "description", "error_message"]));
    }
    // one request id per request
    expect(new Set(res.body.items.map((e: any) => e.request_id)).size).toBe(3);
  });

  it("failed logins appear in /audit/failed-logins", async () => {
    const res = await get("/api/v1/audit/failed-logins");
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    const mine = res.body.filter((e: any) => e.user_email === user.email);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine[0]).toMatchObject({ event_type: "auth", event_action: "login_failed", outcome: "failure" });
    const byEmail = await get(`/api/v1/audit/failed-logins?email=${encodeURIComponent(user.email)}&hours=1`);
    expect(byEmail.body.every((e: any) => e.user_email === user.email)).toBe(true);
  });
});

describe("GET /audit filters and pagination", () => {
  it.each([
    ["event_type=security", (e: any) => e.event_type === "security"],
    ["event_action=permission_denied", (e: any) => e.event_action === "permission_denied"],
    ["severity=critical", (e: any) => e.severity === "critical"],
    ["outcome=error", (e: any) => e.outcome === "error"],
    ["ip_address=127.0.0.1", (e: any) => e.ip_address === "127.0.0.1"],
  ])("%s", async (query, matches) => {
    const res = await get(`/api/v1/audit?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every(matches)).toBe(true);
    expect(res.body.total).toBe(res.body.items.length);
  });

  it("user_id", async () => {
    const res = await get(`/api/v1/audit?user_id=${user.id}`);
    expect(res.body.items.every((e: any) => e.user_id === user.id)).toBe(true);
    expect(res.body.items.some((e: any) => e.event_action === "permission_denied")).toBe(true);
  });

  it("limit and offset page through newest first; total counts all matches", async () => {
    const all = (await get("/api/v1/audit?limit=1000")).body;
    expect(all.total).toBeGreaterThanOrEqual(6);
    const p1 = (await get("/api/v1/audit?limit=2&offset=0")).body;
    const p2 = (await get("/api/v1/audit?limit=2&offset=2")).body;
    expect(p1).toMatchObject({ limit: 2, offset: 0, total: all.total });
    expect([...p1.items, ...p2.items].map((e: any) => e.id)).toEqual(all.items.slice(0, 4).map((e: any) => e.id));
    const created = all.items.map((e: any) => e.created);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it("from_date / to_date bound the time range (a bare to_date includes that whole day)", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const total = (await get("/api/v1/audit")).body.total;
    expect((await get(`/api/v1/audit?from_date=${yesterday}&to_date=${today}`)).body.total).toBe(total);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await get(`/api/v1/audit?from_date=${encodeURIComponent(future)}`)).body.total).toBe(0);
    expect((await get(`/api/v1/audit?to_date=2000-01-01`)).body.total).toBe(0);
  });
});

describe("the other views", () => {
  it("/audit/security: security type or warning/critical; severity narrows", async () => {
    const res = await get("/api/v1/audit/security");
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.body.every((e: any) => e.event_type === "security" || ["warning", "critical"].includes(e.severity))).toBe(true);
    const critical = await get("/api/v1/audit/security?severity=critical&limit=5");
    expect(critical.body.length).toBeGreaterThan(0);
    expect(critical.body.every((e: any) => e.severity === "critical")).toBe(true);
  });

  it("/audit/user/{id}: that user's entries", async () => {
    const res = await get(`/api/v1/audit/user/${adminId}`);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(3);
    expect(res.body.every((e: any) => e.user_id === adminId)).toBe(true);
    expect((await get("/api/v1/audit/user/no-such-user")).body).toEqual([]);
  });

  it("/audit/statistics: counts by type, severity and outcome", async () => {
    const res = await get("/api/v1/audit/statistics");
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s.by_event_type.collection).toBe(3);
    expect(s.by_severity.critical).toBeGreaterThanOrEqual(1);
    expect(s.by_outcome.error).toBeGreaterThanOrEqual(1);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(sum(s.by_event_type)).toBe(s.total);
    expect(sum(s.by_severity)).toBe(s.total);
    expect(sum(s.by_outcome)).toBe(s.total);
    const empty = (await get("/api/v1/audit/statistics?to_date=2000-01-01")).body;
    expect(empty).toEqual({ by_event_type: {}, by_severity: {}, by_outcome: {}, total: 0 });
  });
});

describe("bad input and access", () => {
  it.each([
    "/api/v1/audit?from_date=yesterday",
    "/api/v1/audit?to_date=2024-02-30",
    "/api/v1/audit?from_date=2024-03-01&to_date=2024-02-01",
    "/api/v1/audit?severity=catastrophic",
    "/api/v1/audit?event_type=nope",
    "/api/v1/audit?outcome=maybe",
    "/api/v1/audit?limit=0",
    "/api/v1/audit?limit=1001",
    "/api/v1/audit?limit=abc",
    "/api/v1/audit?offset=-1",
    `/api/v1/audit?event_action=${"x".repeat(101)}`,
    "/api/v1/audit?severity=info&severity=warning",
    "/api/v1/audit/security?severity=loud",
    "/api/v1/audit/security?limit=5000",
    "/api/v1/audit/failed-logins?hours=0",
    "/api/v1/audit/user/x?from_date=31-12-2024",
    "/api/v1/audit/statistics?from_date=not-a-date",
  ])("%s → 422 with an error body", async (path) => {
    const res = await get(path);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: "VALIDATION_ERROR" });
  });

  it.each(["/api/v1/audit", "/api/v1/audit/security", "/api/v1/audit/failed-logins", `/api/v1/audit/user/x`, "/api/v1/audit/statistics"])("%s: anonymous → 401, user → 403", async (path) => {
    const anon = await api("GET", path);
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe("UNAUTHORIZED");
    const res = await api("GET", path, { token: user.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("FORBIDDEN");
  });
});
