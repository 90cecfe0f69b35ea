/**
 * Stats and metrics over real HTTP: `GET /api/v1/stats` and GraphQL `stats` (superadmins only)
 * report open websocket connections and SSE streams, subscriptions by id, requests per minute,
 * the outbox's lag (made visible by stopping the dispatcher), the database's kind and size and
 * uptime; `/metrics` (Prometheus) is off by default, open with CAIRN_METRICS=true, and needs the
 * bearer token when CAIRN_METRICS_TOKEN is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, TEST_DB, type ApiClient, type TestApp } from "../helpers/app.ts";
import { gql, sse, subscribe, wsClient } from "./graphql-helpers.ts";

let t: TestApp;
let api: ApiClient;
let admin: string;
let user: { token: string; id: string };

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  admin = t.adminToken;
  user = await registerUser(api);
  const res = await api("POST", "/api/v1/collections", {
    token: admin,
    body: { name: "notes", list_rule: "", view_rule: "", create_rule: "", update_rule: "", delete_rule: "", schema: [{ name: "title", type: "text" }] },
  });
  expect(res.status).toBe(201);
});
afterAll(async () => t?.close());

describe("GET /api/v1/stats and GraphQL stats", () => {
  it("superadmins only: anonymous → 401, user → 403", async () => {
    expect((await api("GET", "/api/v1/stats")).status).toBe(401);
    const res = await api("GET", "/api/v1/stats", { token: user.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("FORBIDDEN");
    const g = await gql(t.url, "{ stats { uptimeSeconds } }", undefined, user.token);
    expect(g.body.errors[0].extensions.code).toBe("FORBIDDEN");
  });

  it("counts websocket and SSE subscribers, requests, and reports the database and uptime", async () => {
    const ws = wsClient(t.url, user.token);
    const wsSub = subscribe(ws, "subscription { noteCreated { id title } }");
    const stream = sse(t.url, "subscription { noteChanged { action id } }", undefined, admin);
    try {
      expect(await stream.status).toBe(200);
      const s = await eventually(
        async () => {
          const r = await api("GET", "/api/v1/stats", { token: admin });
          return r.body.subscription_count === 2 && r.body.sse_streams === 1 && r.body.total_connections === 1 ? r : undefined;
        },
        5000,
        "both subscriptions in the stats",
      );
      expect(s.status).toBe(200);
      expect(s.body).toMatchObject({
        total_connections: 1,
        authenticated_connections: 1,
        unique_users: 1,
        pubsub_backend: "memory",
        sse_streams: 1,
        subscription_count: 2,
        jobs: { running: 0, queued: 0 },
        database: { kind: TEST_DB },
      });
      expect(Object.values(s.body.subscriptions).sort()).toEqual([["notes"], ["notes"]]);
      expect(s.body.database.size_bytes).toBeGreaterThan(10_000);
      expect(s.body.uptime_seconds).toBeGreaterThanOrEqual(0);
      expect(s.body.outbox.consumers.map((c: any) => c.name)).toContain("live");

      const before = s.body.requests_per_minute;
      for (let i = 0; i < 5; i++) await api("GET", "/health");
      const after = await api("GET", "/api/v1/stats", { token: admin });
      expect(after.body.requests_per_minute).toBeGreaterThanOrEqual(before + 6);
      expect(after.body.requests_total).toBeGreaterThanOrEqual(after.body.requests_per_minute);

      const g = await gql(t.url, "{ stats { websocketConnections sseStreams subscriptions databaseKind databaseSizeBytes requestsPerMinute outboxLag uptimeSeconds } }", undefined, admin);
      expect(g.body.errors).toBeUndefined();
      expect(g.body.data.stats).toMatchObject({ websocketConnections: 1, sseStreams: 1, subscriptions: 2, databaseKind: TEST_DB });
    } finally {
      wsSub.dispose();
      stream.close();
      await ws.dispose();
    }
    await eventually(
      async () => {
        const r = await api("GET", "/api/v1/stats", { token: admin });
        return r.body.subscription_count === 0 && r.body.sse_streams === 0 && r.body.total_connections === 0;
      },
      5000,
      "subscribers gone from the stats",
    );
  });

  it("shows the outbox lag while events wait for the dispatcher", async () => {
    await t.app.dispatcher.stop();
    for (let i = 0; i < 3; i++) expect((await api("POST", "/api/v1/collections/notes/records", { token: user.token, body: { data: { title: `n${i}` } } })).status).toBe(201);
    const s = await api("GET", "/api/v1/stats", { token: admin });
    expect(s.body.outbox.lag).toBe(3);
    expect(s.body.outbox.consumers.find((c: any) => c.name === "live")).toMatchObject({ lag: 3, last_seq: s.body.outbox.latest_seq - 3 });
  });
});

describe("GET /metrics", () => {
  it("is off unless configured", async () => {
    const res = await api("GET", "/metrics");
    expect(res.status).toBe(404);
  });

  it("CAIRN_METRICS=true: Prometheus text without a token", async () => {
    const m = await startApp({}, { CAIRN_METRICS: "true" });
    try {
      await m.api("GET", "/api/v1/collections", { token: m.adminToken });
      const res = await fetch(`${m.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/cairn_http_requests_total\{method="GET",route="\/api\/v1\/collections",status="200"\} 1/);
      expect(text).toMatch(/cairn_http_request_duration_seconds_bucket\{le="0\.001",method="GET",route="\/api\/v1\/collections",status="200"\}/);
      expect(text).toMatch(/cairn_database_size_bytes [1-9]\d+/);
      expect(text).toMatch(/cairn_outbox_lag_events \d+/);
      expect(text).toMatch(/cairn_websocket_connections 0/);
      expect(text).toMatch(/cairn_process_cpu_seconds_total/);
    } finally {
      await m.close();
    }
  });

  it("CAIRN_METRICS_TOKEN: bearer token required (401 without or with a wrong one)", async () => {
    const m = await startApp({}, { CAIRN_METRICS_TOKEN: "s3cret-metrics" });
    try {
      for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: "s3cret-metrics" }] as Record<string, string>[]) {
        const res = await fetch(`${m.url}/metrics`, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
        expect((await res.json()).message).toMatch(/CAIRN_METRICS_TOKEN/);
      }
      const ok = await fetch(`${m.url}/metrics`, { headers: { authorization: "Bearer s3cret-metrics" } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/cairn_uptime_seconds \d+/);
    } finally {
      await m.close();
    }
  });
});
