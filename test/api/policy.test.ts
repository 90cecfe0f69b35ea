/**
 * Platform policies decided by the operation, on every transport: REST, GraphQL over HTTP
 * through Yoga (a request with an `Origin`), the JSON fast lane (a same-origin `application/json`
 * POST) and graphql-ws. Maintenance mode refuses a signed-in user's create mutation and lets
 * reads through; a read-scope API key cannot run a mutation; the GraphQL `login` mutation is
 * counted in the login rate tier it declares. Plus: a route under /api that declares no
 * operation cannot be registered, and a refused access token answers 401 where sign-in is needed.
 */
import { randomBytes } from "node:crypto";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { TokenService } from "../../src/core/auth/tokens.ts";
import { READ } from "../../src/core/policy/operation.ts";
import { registerPolicy } from "../../src/rest/http/policy.ts";
import { ADMIN_EMAIL, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES, subscribe, wsClient } from "./graphql-helpers.ts";

/** The three GraphQL transports, each answering { status?, errors?, data? }. */
type Transport = "yoga" | "fast" | "ws";
const TRANSPORTS: Transport[] = ["yoga", "fast", "ws"];

interface Answer {
  status?: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[]; [k: string]: unknown };
}

async function run(t: TestApp, via: Transport, query: string, auth: { token?: string; key?: string }): Promise<Answer> {
  const headers: Record<string, string> = auth.key ? { "x-api-key": auth.key } : {};
  if (via === "ws") {
    const client: WsClient = wsClient(t.url, auth.token ?? auth.key);
    try {
      const c = subscribe(client, query);
      const value = await c.next().catch(() => ({ errors: c.error }));
      return { body: value as Answer["body"] };
    } finally {
      await client.dispose();
    }
  }
  // With an Origin, the request is not the fast lane's: Yoga answers it.
  if (via === "yoga") headers.origin = t.url;
  const res = await gql(t.url, query, undefined, auth.token, headers);
  return { status: res.status, body: res.body };
}

const codeOf = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

describe("maintenance mode and API-key scopes on every transport", () => {
  let t: TestApp;
  let user: { token: string; id: string };
  let readKey: string;
  const count = async () => (await t.api("GET", "/api/v1/collections/notes/records", { token: t.adminToken })).body.total as number;

  beforeAll(async () => {
    t = await startApp();
    const made = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "title", type: "text" }] } });
    expect(made.status).toBe(201);
    user = await registerUser(t.api);
    const key = await t.api("POST", "/api/v1/api-keys", { token: user.token, body: { name: "reader", scopes: ["read"] } });
    expect(key.status).toBe(201);
    readKey = key.body.key;
  });
  afterAll(async () => t?.close());

  it("with maintenance on, a user's create is refused over REST and each GraphQL transport; reads work", async () => {
    const on = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "maintenance_mode", value: true, category: "app" } });
    expect(on.status).toBe(200);
    try {
      const before = await count();
      const rest = await t.api("POST", "/api/v1/collections/notes/records", { token: user.token, body: { data: { title: "rest" } } });
      expect(rest.status).toBe(503);
      expect(rest.body).toMatchObject({ code: "MAINTENANCE_MODE", message: expect.stringMatching(/maintenance/i) });
      expect(rest.headers.get("retry-after")).toBe("60");
      expect((await t.api("GET", "/api/v1/collections/notes/records", { token: user.token })).status).toBe(200);
      // a read sent as POST is declared `read`: maintenance lets it through (the route itself is superadmin-only)
      const postRead = await t.api("POST", "/api/v1/roles/validate-rule", { token: user.token, body: { rule: "@request.auth.id != ''" } });
      expect(postRead.status).toBe(403);
      expect(postRead.body.code).not.toBe("MAINTENANCE_MODE");
      expect((await t.api("POST", "/api/v1/roles/validate-rule", { token: t.adminToken, body: { rule: "@request.auth.id != ''" } })).status).toBe(200);

      for (const via of TRANSPORTS) {
        const m = await run(t, via, `mutation { createNote(data: { title: "${via}" }) { id } }`, { token: user.token });
        expect(codeOf(m), `${via}: ${JSON.stringify(m.body)}`).toBe("MAINTENANCE_MODE");
        expect(m.body.data?.createNote ?? null).toBeNull();
        if (via !== "ws") expect(m.status, via).toBe(503);
        const q = await run(t, via, `{ notes { totalCount } }`, { token: user.token });
        expect(q.body.errors, `${via}: ${JSON.stringify(q.body)}`).toBeUndefined();
        expect(q.body.data.notes.totalCount).toBe(before);
      }
      expect(await count()).toBe(before);

      // the superadmin still writes, over GraphQL too
      const admin = await run(t, "ws", `mutation { createNote(data: { title: "admin" }) { id } }`, { token: t.adminToken });
      expect(admin.body.data?.createNote?.id, JSON.stringify(admin.body)).toEqual(expect.any(String));
    } finally {
      const off = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "maintenance_mode", value: false, category: "app" } });
      expect(off.status).toBe(200);
    }
    const after = await run(t, "ws", `mutation { createNote(data: { title: "after" }) { id } }`, { token: user.token });
    expect(after.body.data?.createNote?.id, JSON.stringify(after.body)).toEqual(expect.any(String));
  });

  it("a read-scope key cannot run a mutation over REST or any GraphQL transport, but may read", async () => {
    const before = await count();
    const rest = await t.api("POST", "/api/v1/collections/notes/records", { headers: { "x-api-key": readKey }, body: { data: { title: "rest" } } });
    expect(rest.status).toBe(403);
    expect(rest.body.message).toMatch(/lacks the 'write' scope/);
    for (const via of TRANSPORTS) {
      const m = await run(t, via, `mutation { createNote(data: { title: "${via}" }) { id } }`, { key: readKey });
      expect(codeOf(m), `${via}: ${JSON.stringify(m.body)}`).toBe("FORBIDDEN");
      expect(m.body.errors?.[0]?.message).toMatch(/lacks the 'write' scope/);
      if (via !== "ws") expect(m.status, via).toBe(403);
      const q = await run(t, via, `{ notes { totalCount } }`, { key: readKey });
      expect(q.body.data?.notes?.totalCount, `${via}: ${JSON.stringify(q.body)}`).toBe(before);
    }
    expect(await count()).toBe(before);
  });

  it("a declared read over POST is a read: a read-scope key may run it", async () => {
    const admin = await t.api("POST", "/api/v1/api-keys", { token: t.adminToken, body: { name: "admin-reader", scopes: ["read"] } });
    // POST /roles/validate-rule declares `read`: the key's scope passes; the route itself needs a superadmin
    const res = await t.api("POST", "/api/v1/roles/validate-rule", { headers: { "x-api-key": admin.body.key }, body: { rule: "@request.auth.id != ''" } });
    expect(res.body.message ?? "").not.toMatch(/scope/);
  });
});

describe("the login mutation is counted in the login tier", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, { CAIRN_RATE_LIMIT: "true" });
    // the harness signed the admin in over REST: one login from this IP is counted already
    const set = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "rate_limit_login_per_minute", value: 4, category: "security" } });
    expect(set.status).toBe(200);
  });
  afterAll(async () => t?.close());

  it("over each GraphQL transport, sharing the per-IP counter with the REST login route", async () => {
    const login = `mutation { login(email: "nobody-${randomBytes(3).toString("hex")}@example.com", password: "Wrong-pass-123") { accessToken } }`;
    // three attempts (one per transport) use up the tier: each is a wrong password (401), not a 429
    for (const via of TRANSPORTS) {
      const a = await run(t, via, login, {});
      expect(codeOf(a), `${via}: ${JSON.stringify(a.body)}`).toBe("UNAUTHENTICATED");
    }
    for (const via of TRANSPORTS) {
      const a = await run(t, via, login, {});
      expect(codeOf(a), `${via}: ${JSON.stringify(a.body)}`).toBe("RATE_LIMITED");
      if (via !== "ws") expect(a.status).toBe(429);
    }
    const rest = await t.api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: "whatever" } });
    expect(rest.status).toBe(429);
    // other operations are counted in the caller's tier, not the login one
    expect((await gql(t.url, "{ __typename }")).status).toBe(200);
  });
});

describe("refused access tokens", () => {
  let t: TestApp;
  const secret = randomBytes(32).toString("hex");
  beforeAll(async () => {
    t = await startApp({}, { CAIRN_SECRET: secret });
    const made = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "open_notes", list_rule: "", view_rule: "", schema: [{ name: "title", type: "text" }] } });
    expect(made.status).toBe(201);
  });
  afterAll(async () => t?.close());

  it("an invalid or expired token gets 401 `Invalid or expired token` where sign-in is needed, anonymous elsewhere", async () => {
    const user = await registerUser(t.api);
    const past = new TokenService(secret, 60, () => new Date(Date.now() - 3_600_000));
    const expired = await past.signAccess({ sub: user.id, acc: "default", email: user.email, role: "user", sa: false });
    for (const token of ["not.a.jwt", expired]) {
      const me = await t.api("GET", "/api/v1/auth/me", { token });
      expect(me.status).toBe(401);
      expect(me.body.message).toBe("Invalid or expired token");
      const g = await gql(t.url, "{ me { id } }", undefined, token);
      expect(g.body.errors[0].message).toBe("Invalid or expired token");
      const open = await t.api("GET", "/api/v1/collections/open_notes/records", { token });
      expect(open.status).toBe(200);
    }
    expect((await t.api("GET", "/api/v1/auth/me")).body.message).toBe("Authentication required");
  });
});

describe("graphql-ws and the access_token cookie", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t?.close());

  /** `{ me { id } }` over a websocket opened with these upgrade headers. */
  async function meOverWs(headers: Record<string, string>): Promise<Answer["body"]> {
    class WithHeaders extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    }
    const client = createClient({ url: `${t.url.replace(/^http/, "ws")}/graphql`, webSocketImpl: WithHeaders, lazy: false, retryAttempts: 0, onNonLazyError: () => {} });
    try {
      const c = subscribe(client, "{ me { id } }");
      return (await c.next().catch(() => ({ errors: c.error }))) as Answer["body"];
    } finally {
      await client.dispose();
    }
  }

  it("counts only for a same-origin page (or none); a cross-origin page is anonymous", async () => {
    const user = await registerUser(t.api);
    const cookie = `access_token=${user.token}`;
    expect((await meOverWs({ cookie })).data?.me?.id).toBe(user.id);
    expect((await meOverWs({ cookie, origin: t.url })).data?.me?.id).toBe(user.id);
    const cross = await meOverWs({ cookie, origin: "http://evil.example" });
    expect(cross.data?.me ?? null).toBeNull();
    expect(codeOf({ body: cross })).toBe("UNAUTHENTICATED");
    // a bearer token in connectionParams is not a cookie: any origin may use it
    const bearer = createClient({
      url: `${t.url.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${user.token}` },
      lazy: false,
      retryAttempts: 0,
    });
    try {
      const c = subscribe(bearer, "{ me { id } }");
      expect((await c.next()).data.me.id).toBe(user.id);
    } finally {
      await bearer.dispose();
    }
  });
});

describe("route declarations", () => {
  it("a route under /api without a declared operation cannot be registered", async () => {
    const app = Fastify();
    registerPolicy(app);
    const start = async () => {
      await app.register(
        async (api) => {
          api.post("/things/search", { config: { operation: READ } }, async () => ({ ok: true }));
          api.get("/ping", async () => "pong");
        },
        { prefix: "/api/v2" },
      );
      await app.ready();
    };
    await expect(start()).rejects.toThrow(/GET \/api\/v2\/ping declares no operation/);
    await app.close().catch(() => {});
    const ok = Fastify();
    registerPolicy(ok);
    ok.get("/health", async () => "up");
    await expect(ok.ready()).resolves.toBeDefined();
    await ok.close();
  });
});
