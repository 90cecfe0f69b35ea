/**
 * API keys over real HTTP: create (secret shown once, stored hashed), list/get/update/delete,
 * revoke-all; use as `X-API-Key` and `Authorization: Bearer`; scopes enforced on a records
 * route and on admin routes; expired, revoked and unknown keys → 401 at once (a deactivated
 * owner's keys: users.test.ts).
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
const records = "/api/v1/collections/notes/records";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    // "" = public in both rule dialects: records access is decided by the key's scopes alone
    body: { name: "notes", schema: [{ name: "title", type: "text" }], list_rule: "", view_rule: "", create_rule: "", update_rule: "", delete_rule: "" },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  owner = await registerUser(t.api);
});
afterAll(async () => t?.close());

async function createKey(body: Record<string, unknown>, token = owner.token) {
  const res = await t.api("POST", "/api/v1/api-keys", { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; key: string; key_prefix: string; scopes: string[]; name: string; expires_at: string | null };
}

const viaHeader = (key: string) => ({ headers: { "x-api-key": key } });
const viaBearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

function expectError(res: { status: number; body: any }, status: number, message?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  if (message) expect(res.body.message).toMatch(message);
}

describe("managing keys", () => {
  it("create answers the key once; only its SHA-256 is stored", async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const k = await createKey({ name: "CI server", scopes: ["read", "write"], expires_at: expires });
    expect(k).toEqual({
      id: expect.any(String),
      name: "CI server",
      key: expect.stringMatching(/^cairn_[0-9a-f]{8}_[0-9a-f]{32}$/),
      key_prefix: expect.stringMatching(/^cairn_[0-9a-f]{8}$/),
      scopes: ["read", "write"],
      active: true,
      expires_at: expires,
      last_used_at: null,
      last_used_ip: null,
      created: expect.stringMatching(ISO),
      message: expect.any(String),
    });
    expect(k.key.startsWith(`${k.key_prefix}_`)).toBe(true);
    const row = await t.app.services.prisma.apiKey.findUniqueOrThrow({ where: { id: k.id } });
    expect(row.keyHash).toBe(createHash("sha256").update(k.key).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(k.key);
    expect(row.userId).toBe(owner.id);
  });

  it("list is a plain array without secrets; get, patch and delete by id", async () => {
    const k = await createKey({ name: "to manage" });
    expect(k.scopes).toEqual(["read"]);
    const list = await t.api("GET", "/api/v1/api-keys", { token: owner.token });
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    const item = list.body.find((x: any) => x.id === k.id);
    expect(Object.keys(item).sort()).toEqual(["active", "created", "expires_at", "id", "key_prefix", "last_used_at", "last_used_ip", "name", "scopes"]);
    expect(JSON.stringify(list.body)).not.toMatch(/cairn_[0-9a-f]{8}_[0-9a-f]{32}/);

    expect((await t.api("GET", `/api/v1/api-keys/${k.id}`, { token: owner.token })).body).toEqual(item);
    const patched = await t.api("PATCH", `/api/v1/api-keys/${k.id}`, { token: owner.token, body: { name: "renamed", scopes: "write, read", expires_at: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: k.id, name: "renamed", scopes: ["read", "write"], expires_at: null, active: true });

    expect((await t.api("DELETE", `/api/v1/api-keys/${k.id}`, { token: owner.token })).status).toBe(204);
    expectError(await t.api("GET", `/api/v1/api-keys/${k.id}`, { token: owner.token }), 404);
    expectError(await t.api("DELETE", `/api/v1/api-keys/${k.id}`, { token: owner.token }), 404);
  });

  it("scopes as a comma string or `*`", async () => {
    expect((await createKey({ name: "a", scopes: "read,write" })).scopes).toEqual(["read", "write"]);
    expect((await createKey({ name: "b", scopes: "*" })).scopes).toEqual(["*"]);
    expect((await createKey({ name: "c", scopes: ["admin", "read", "read"] })).scopes).toEqual(["read", "admin"]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown scope → 422", { name: "x", scopes: ["read", "delete"] }, "scopes"],
    ["an unknown scope in a string → 422", { name: "x", scopes: "read,root" }, "scopes"],
    ["no scope → 422", { name: "x", scopes: [] }, "scopes"],
    ["a non-string scope → 422", { name: "x", scopes: [{ a: 1 }] }, "scopes"],
    ["an empty name → 422", { name: "  " }, "name"],
    ["a name over 255 characters → 422", { name: "n".repeat(256) }, "name"],
    ["an expiry in the past → 422", { name: "x", expires_at: "2020-01-01T00:00:00Z" }, "expires_at"],
    ["an expiry that is not a date → 422", { name: "x", expires_at: "next tuesday" }, "expires_at"],
  ])("create with %s", async (_n, body, field) => {
    const res = await t.api("POST", "/api/v1/api-keys", { token: owner.token, body });
    expectError(res, 422);
    // core checks name the field, schema checks its path (`body.scopes`)
    expect(
      Object.keys(res.body.details).some((k) => k === field || k.startsWith(`body.${field}`)),
      JSON.stringify(res.body.details),
    ).toBe(true);
  });

  it("keys are private to their owner; anonymous callers get 401", async () => {
    const k = await createKey({ name: "mine" });
    const other = await registerUser(t.api);
    expectError(await t.api("GET", `/api/v1/api-keys/${k.id}`, { token: other.token }), 404);
    expectError(await t.api("PATCH", `/api/v1/api-keys/${k.id}`, { token: other.token, body: { active: false } }), 404);
    expectError(await t.api("DELETE", `/api/v1/api-keys/${k.id}`, { token: other.token }), 404);
    expect((await t.api("GET", "/api/v1/api-keys", { token: other.token })).body).toEqual([]);
    expectError(await t.api("GET", "/api/v1/api-keys"), 401);
    expectError(await t.api("POST", "/api/v1/api-keys", { body: { name: "x" } }), 401);
    // superadmins can open anyone's key
    expect((await t.api("GET", `/api/v1/api-keys/${k.id}`, { token: t.adminToken })).status).toBe(200);
  });
});

describe("using keys", () => {
  it("works as X-API-Key and as Bearer; acts as its owner; records last use", async () => {
    const k = await createKey({ name: "rw", scopes: ["read", "write"] });
    const created = await t.api("POST", records, { ...viaHeader(k.key), body: { data: { title: "by key" } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.owner_id).toBe(owner.id);
    const viaAuth = await t.api("GET", `${records}/${created.body.id}`, viaBearer(k.key));
    expect(viaAuth.status).toBe(200);
    const me = await t.api("GET", "/api/v1/auth/me", viaBearer(k.key));
    expect(me.body).toMatchObject({ id: owner.id, email: owner.email });

    const deadline = Date.now() + 5000;
    let row;
    do {
      row = await t.app.services.prisma.apiKey.findUniqueOrThrow({ where: { id: k.id } });
      if (row.lastUsedAt) break;
      await new Promise((r) => setTimeout(r, 25));
    } while (Date.now() < deadline);
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    expect(row.lastUsedIp).toMatch(/127\.0\.0\.1/);
    const listed = (await t.api("GET", "/api/v1/api-keys", { token: owner.token })).body.find((x: any) => x.id === k.id);
    expect(listed.last_used_at).toMatch(ISO);
  });

  it("a read key may GET but not POST, PATCH or DELETE (403, audited)", async () => {
    const rw = await createKey({ name: "rw2", scopes: "read,write" });
    const rec = (await t.api("POST", records, { ...viaHeader(rw.key), body: { data: { title: "x" } } })).body;
    const k = await createKey({ name: "reader", scopes: ["read"] });
    expect((await t.api("GET", records, viaHeader(k.key))).status).toBe(200);
    expect((await t.api("HEAD", records, viaHeader(k.key))).status).toBe(200);
    expectError(await t.api("POST", records, { ...viaHeader(k.key), body: { data: { title: "nope" } } }), 403, /lacks the 'write' scope/);
    expectError(await t.api("PATCH", `${records}/${rec.id}`, { ...viaBearer(k.key), body: { data: { title: "nope" } } }), 403);
    expectError(await t.api("DELETE", `${records}/${rec.id}`, viaHeader(k.key)), 403);
    expect((await t.api("GET", `${records}/${rec.id}`, viaHeader(k.key))).body.data.title).toBe("x");
    const deadline = Date.now() + 5000;
    let denied;
    do {
      denied = await t.app.services.prisma.auditLog.findFirst({ where: { eventType: "api_key", eventAction: "use_denied", resourceId: k.id } });
      if (denied) break;
      await new Promise((r) => setTimeout(r, 25));
    } while (Date.now() < deadline);
    expect(denied).toMatchObject({ severity: "warning", outcome: "failure", userId: owner.id });
  });

  it("a write-only key may POST but not GET", async () => {
    const k = await createKey({ name: "writer", scopes: ["write"] });
    expect((await t.api("POST", records, { ...viaHeader(k.key), body: { data: { title: "w" } } })).status).toBe(201);
    expectError(await t.api("GET", records, viaHeader(k.key)), 403, /'read'/);
  });

  it("an expired key → 401", async () => {
    const k = await createKey({ name: "expiring", expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    await t.app.services.prisma.apiKey.update({ where: { id: k.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(await t.api("GET", records, viaHeader(k.key)), 401, /Invalid or expired API key/);
    expectError(await t.api("GET", records, viaBearer(k.key)), 401);
  });

  it("a revoked key stops working at once: delete, deactivate, revoke-all", async () => {
    const a = await createKey({ name: "del" });
    const b = await createKey({ name: "deact" });
    expect((await t.api("GET", records, viaHeader(a.key))).status).toBe(200);
    expect((await t.api("GET", records, viaHeader(b.key))).status).toBe(200);
    expect((await t.api("DELETE", `/api/v1/api-keys/${a.id}`, { token: owner.token })).status).toBe(204);
    expectError(await t.api("GET", records, viaHeader(a.key)), 401);
    expect((await t.api("PATCH", `/api/v1/api-keys/${b.id}`, { token: owner.token, body: { active: false } })).body.active).toBe(false);
    expectError(await t.api("GET", records, viaBearer(b.key)), 401);
    expect((await t.api("PATCH", `/api/v1/api-keys/${b.id}`, { token: owner.token, body: { active: true } })).status).toBe(200);
    expect((await t.api("GET", records, viaBearer(b.key))).status).toBe(200);

    const u = await registerUser(t.api);
    const c = await createKey({ name: "c1" }, u.token);
    const d = await createKey({ name: "c2" }, u.token);
    expect((await t.api("GET", records, viaHeader(c.key))).status).toBe(200);
    const all = await t.api("POST", "/api/v1/api-keys/revoke-all", { token: u.token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ revoked: 2, message: expect.any(String) });
    expectError(await t.api("GET", records, viaHeader(c.key)), 401);
    expectError(await t.api("GET", records, viaHeader(d.key)), 401);
    expect((await t.api("GET", records, viaHeader(b.key))).status).toBe(200);
  });

  it.each<[string, Record<string, string>]>([
    ["an unknown key in X-API-Key", { "x-api-key": `cairn_00000000_${"0".repeat(32)}` }],
    ["an unknown key as Bearer", { authorization: `Bearer cairn_00000000_${"0".repeat(32)}` }],
    ["garbage in X-API-Key", { "x-api-key": "not-a-key" }],
    ["an overlong key", { "x-api-key": `cairn_${"a".repeat(5000)}` }],
  ])("%s → 401 (even on a public route)", async (_n, headers) => {
    expectError(await t.api("GET", records, { headers }), 401, /Invalid or expired API key/);
  });

  it("admin routes need a superadmin's key with the admin scope", async () => {
    const read = await createKey({ name: "sa-read", scopes: ["read", "write"] }, t.adminToken);
    const admin = await createKey({ name: "sa-admin", scopes: ["admin"] }, t.adminToken);
    const star = await createKey({ name: "sa-star", scopes: "*" }, t.adminToken);
    // GET /mail (the outbox) is a superadmin route
    expectError(await t.api("GET", "/api/v1/mail", viaHeader(read.key)), 403);
    expect((await t.api("GET", "/api/v1/mail", viaHeader(admin.key))).status).toBe(200);
    expect((await t.api("GET", "/api/v1/mail", viaBearer(star.key))).status).toBe(200);
    const userAdmin = await createKey({ name: "user-admin", scopes: ["admin"] });
    expectError(await t.api("GET", "/api/v1/mail", viaHeader(userAdmin.key)), 403);
  });

  it("managing keys with a key needs the admin scope", async () => {
    const rw = await createKey({ name: "rw3", scopes: ["read", "write"] });
    expectError(await t.api("POST", "/api/v1/api-keys", { ...viaHeader(rw.key), body: { name: "minted" } }), 403, /'admin'/);
    expectError(await t.api("GET", "/api/v1/api-keys", viaHeader(rw.key)), 403);
    const admin = await createKey({ name: "adm", scopes: ["admin"] });
    const res = await t.api("POST", "/api/v1/api-keys", { ...viaHeader(admin.key), body: { name: "minted" } });
    expect(res.status).toBe(201);
  });

  it("GraphQL over HTTP: queries need read, mutations write", async () => {
    const read = await createKey({ name: "gql-read", scopes: ["read"] });
    const write = await createKey({ name: "gql-write", scopes: ["write"] });
    const gql = (key: string, query: string, operationName?: string) => t.api("POST", "/graphql", { headers: { "x-api-key": key }, body: { query, ...(operationName ? { operationName } : {}) } });
    const q = await gql(read.key, "query Me { me { id email } }");
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    expect(q.body.data.me.id).toBe(owner.id);
    const m = await gql(read.key, 'mutation { refreshToken(refreshToken: "x") { accessToken } }');
    expectError(m, 403, /lacks the 'write' scope/);
    // with several operations, the selected one decides
    const doc = 'query Me { me { id } } mutation Refresh { refreshToken(refreshToken: "x") { accessToken } }';
    expect((await gql(read.key, doc, "Me")).status).toBe(200);
    expectError(await gql(read.key, doc, "Refresh"), 403);
    expectError(await gql(write.key, "{ me { id } }"), 403, /'read'/);
    // bad documents are Yoga's to answer
    const broken = await gql(read.key, "{ me { id ");
    expect(broken.status).not.toBe(403);
    expect(broken.body.errors[0].message).toMatch(/Syntax Error/);
  });

  it("a JWT in Authorization wins over X-API-Key; an invalid JWT falls back to the key", async () => {
    const k = await createKey({ name: "fallback", scopes: ["read"] });
    const other = await registerUser(t.api);
    const both = await t.api("GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${other.token}`, "x-api-key": k.key } });
    expect(both.body.id).toBe(other.id);
    const bad = await t.api("GET", "/api/v1/auth/me", { headers: { authorization: "Bearer not.a.jwt", "x-api-key": k.key } });
    expect(bad.body.id).toBe(owner.id);
  });
});
