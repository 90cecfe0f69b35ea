/**
 * Webhooks over real HTTP on SQLite and PostgreSQL: CRUD in the FastCMS shape (REST) and over
 * GraphQL with their bad inputs, and delivery to real receivers on 127.0.0.1 (private targets
 * allowed in this file; the refusals are in webhooks-ssrf.test.ts): body shape, both signatures
 * (the FastCMS HMAC and Standard Webhooks, verified with the `standardwebhooks` package), filter,
 * order per record, 500 twice then 200, a receiver down for a while, retries running out and
 * redelivery, and a receiver that never answers not holding back another webhook.
 */
import { createHmac } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";
import { gql } from "./graphql-helpers.ts";

const POSTS = {
  name: "posts",
  list_rule: "",
  view_rule: "",
  create_rule: "",
  update_rule: "",
  delete_rule: "",
  schema: [
    { name: "title", type: "text" },
    { name: "status", type: "text" },
    { name: "views", type: "number" },
  ],
};

describe("webhooks", () => {
  let t: TestApp;
  let admin: string;
  let user: string;
  const receivers: Receiver[] = [];

  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  const hook = async (body: Record<string, unknown>) => {
    const res = await t.api("POST", "/api/v1/webhooks", { token: admin, body: { collection_name: "posts", ...body } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const post = async (data: Record<string, unknown>) => {
    const res = await t.api("POST", "/api/v1/collections/posts/records", { token: admin, body: { data } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const deliveries = async (id: string, qs = "") => (await t.api("GET", `/api/v1/webhooks/${id}/deliveries${qs}`, { token: admin })).body;

  beforeAll(async () => {
    t = await startApp({ webhookAllowPrivate: true, webhookBackoffMs: 100, webhookTimeoutMs: 4000 });
    admin = t.adminToken;
    user = (await registerUser(t.api)).token;
    expect((await t.api("POST", "/api/v1/collections", { token: admin, body: POSTS })).status).toBe(201);
  });
  afterAll(async () => {
    for (const r of receivers) await r.stop();
    await t?.close();
  });

  it("CRUD in the FastCMS shape, with the bad inputs", async () => {
    const created = await t.api("POST", "/api/v1/webhooks", { token: admin, body: { url: "https://example.com/hook", collection_name: "posts", events: ["create", "update"], retry_count: 5 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: "https://example.com/hook",
      collection_name: "posts",
      events: ["create", "update"],
      active: true,
      retry_count: 5,
      last_triggered_at: null,
      filter: null,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const id = created.body.id as string;

    const list = await t.api("GET", "/api/v1/webhooks?collection_name=posts&skip=0&limit=10", { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((w: { id: string }) => w.id)).toContain(id);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
    expect((await t.api("GET", "/api/v1/webhooks?collection_name=nothing", { token: admin })).body).toEqual({ items: [], total: 0 });

    const patched = await t.api("PATCH", `/api/v1/webhooks/${id}`, { token: admin, body: { events: "delete", active: false, secret: "new-secret", filter: 'status = "published"' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events: ["delete"], active: false, secret: "new-secret", filter: 'status = "published"', retry_count: 5 });
    expect((await t.api("GET", `/api/v1/webhooks/${id}`, { token: admin })).body.events).toEqual(["delete"]);

    const bad: [string, Record<string, unknown>, number, RegExp][] = [
      ["missing url", { collection_name: "posts" }, 422, /url/],
      ["ftp url", { url: "ftp://example.com/x", collection_name: "posts" }, 422, /http or https/],
      ["not a url", { url: "nope", collection_name: "posts" }, 422, /not a URL/],
      ["unknown collection", { url: "https://example.com", collection_name: "ghosts" }, 422, /unknown collection 'ghosts'/],
      ["unknown event", { url: "https://example.com", collection_name: "posts", events: ["explode"] }, 422, /unknown event 'explode'/],
      ["no events", { url: "https://example.com", collection_name: "posts", events: [] }, 422, /events/],
      ["retry_count over 10", { url: "https://example.com", collection_name: "posts", retry_count: 11 }, 422, /retry_count/],
      ["retry_count wrong type", { url: "https://example.com", collection_name: "posts", retry_count: "many" }, 422, /retry_count/],
      ["filter on an unknown field", { url: "https://example.com", collection_name: "posts", filter: "colour = 'red'" }, 422, /unknown field 'colour'/],
      ["filter syntax", { url: "https://example.com", collection_name: "posts", filter: "title = " }, 422, /filter/],
      ["filter with @request", { url: "https://example.com", collection_name: "posts", filter: "title = @request.auth.id" }, 422, /filter/],
      ["bad whsec secret", { url: "https://example.com", collection_name: "posts", secret: "whsec_%%%" }, 422, /secret/],
    ];
    for (const [what, body, status, message] of bad) {
      const res = await t.api("POST", "/api/v1/webhooks", { token: admin, body });
      expect(res.status, what).toBe(status);
      expect(JSON.stringify(res.body), what).toMatch(message);
    }
    const unknown = await t.api("PATCH", "/api/v1/webhooks/no-such-id", { token: admin, body: { active: true } });
    expect(unknown.status).toBe(404);
    expect((await t.api("GET", "/api/v1/webhooks/no-such-id", { token: admin })).status).toBe(404);
    expect((await t.api("GET", "/api/v1/webhooks/no-such-id/deliveries", { token: admin })).status).toBe(404);
    expect((await t.api("POST", `/api/v1/webhooks/${id}/deliveries/no-such/redeliver`, { token: admin })).status).toBe(404);
    expect((await t.api("GET", `/api/v1/webhooks/${id}/deliveries?status=lost`, { token: admin })).status).toBe(422);

    // anonymous → 401, a signed-in user who is not an admin → 403
    for (const [method, path] of [
      ["GET", "/api/v1/webhooks"],
      ["POST", "/api/v1/webhooks"],
      ["GET", `/api/v1/webhooks/${id}`],
      ["PATCH", `/api/v1/webhooks/${id}`],
      ["DELETE", `/api/v1/webhooks/${id}`],
      ["GET", `/api/v1/webhooks/${id}/deliveries`],
    ] as const) {
      const body = method === "POST" ? { url: "https://example.com", collection_name: "posts" } : method === "PATCH" ? { active: true } : undefined;
      expect((await t.api(method, path, { body })).status, `${method} ${path} anonymous`).toBe(401);
      expect((await t.api(method, path, { token: user, body })).status, `${method} ${path} as a user`).toBe(403);
    }

    expect((await t.api("DELETE", `/api/v1/webhooks/${id}`, { token: admin })).status).toBe(204);
    expect((await t.api("DELETE", `/api/v1/webhooks/${id}`, { token: admin })).status).toBe(404);
  });

  it("the same operations over GraphQL (admin only)", async () => {
    const created = await gql(
      t.url,
      `mutation($i: WebhookInput!) { createWebhook(input: $i) { id url collections events secret retryCount active filter } }`,
      { i: { url: "https://example.com/g", collections: ["posts"], events: ["create"], filter: "views > 10" } },
      admin,
    );
    expect(created.body.errors).toBeUndefined();
    const w = created.body.data.createWebhook;
    expect(w).toMatchObject({ url: "https://example.com/g", collections: ["posts"], events: ["create"], retryCount: 3, active: true, filter: "views > 10" });
    const read = await gql(t.url, `query($id: ID!) { webhook(id: $id) { id deliveries { total } } webhooks(collection: "posts") { total items { id } } }`, { id: w.id }, admin);
    expect(read.body.data.webhook).toEqual({ id: w.id, deliveries: { total: 0 } });
    expect(read.body.data.webhooks.items.map((x: { id: string }) => x.id)).toContain(w.id);
    const updated = await gql(t.url, `mutation($id: ID!) { updateWebhook(id: $id, input: { retryCount: 0, filter: null }) { retryCount filter } }`, { id: w.id }, admin);
    expect(updated.body.data.updateWebhook).toEqual({ retryCount: 0, filter: null });
    const invalid = await gql(t.url, `mutation { createWebhook(input: { url: "https://example.com", collections: ["posts"], retryCount: 99 }) { id } }`, undefined, admin);
    expect(invalid.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(invalid.body.errors[0].message).toMatch(/retryCount/);
    const forbidden = await gql(t.url, `{ webhooks { total } }`, undefined, user);
    expect(forbidden.body.errors[0].extensions.code).toBe("FORBIDDEN");
    const anonymous = await gql(t.url, `mutation { deleteWebhook(id: "${w.id}") { id } }`);
    expect(anonymous.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await gql(t.url, `query { webhook(id: "nope") { id } }`, undefined, admin)).body.data.webhook).toBeNull();
    const deleted = await gql(t.url, `mutation($id: ID!) { deleteWebhook(id: $id) { id } }`, { id: w.id }, admin);
    expect(deleted.body.data.deleteWebhook.id).toBe(w.id);
  });

  it("delivers create, update and delete in order, signed both ways", async () => {
    const r = await receiver();
    const secret = "my-fastcms-secret";
    const h = await hook({ url: `${r.url}/hook`, secret });
    const id = await post({ title: "Hello", status: "draft", views: 1 });
    expect((await t.api("PATCH", `/api/v1/collections/posts/records/${id}`, { token: admin, body: { data: { status: "published" } } })).status).toBe(200);
    expect((await t.api("DELETE", `/api/v1/collections/posts/records/${id}`, { token: admin })).status).toBe(204);
    const got = (await r.waitFor(3)).filter((x) => x.json?.record_id === id);
    expect(got.map((x) => x.json.event)).toEqual(["create", "update", "delete"]);
    expect(got[0]!.json).toMatchObject({ event: "create", collection: "posts", record_id: id, data: { id, title: "Hello", status: "draft", views: 1 } });
    expect(got[1]!.json.data.status).toBe("published");
    expect(got[2]!.json.data.id).toBe(id);
    for (const x of got) {
      expect(x.headers["content-type"]).toBe("application/json");
      expect(x.headers["x-webhook-signature"]).toBe(createHmac("sha256", secret).update(x.body).digest("hex"));
      // any Standard Webhooks library verifies it: the key is the secret's bytes
      const verified = new StandardWebhook(secret, { format: "raw" }).verify(x.body, x.headers as Record<string, string>);
      expect(verified).toEqual(x.json);
      expect(() => new StandardWebhook("other", { format: "raw" }).verify(x.body, x.headers as Record<string, string>)).toThrow();
    }
    const log = await eventually(async () => {
      const d = await deliveries(h.id);
      return d.items.length === 3 && d.items.every((x: { status: string }) => x.status === "delivered") && d;
    });
    expect(log.items[0]).toMatchObject({
      webhook_id: h.id,
      event: "delete",
      collection_name: "posts",
      record_id: id,
      status: "delivered",
      attempt: 1,
      status_code: 200,
      error: null,
      next_retry_at: null,
    });
    expect(log.items[0].duration_ms).toBeGreaterThanOrEqual(0);
    expect((await t.api("GET", `/api/v1/webhooks/${h.id}`, { token: admin })).body.last_triggered_at).not.toBeNull();
    await t.api("DELETE", `/api/v1/webhooks/${h.id}`, { token: admin });
  });

  it("a generated whsec_ secret verifies with the standard constructor; the filter selects events", async () => {
    const r = await receiver();
    const h = await hook({ url: r.url, events: ["create"], filter: 'status = "published" && views > 10' });
    const skipped = await post({ title: "a", status: "draft", views: 50 });
    const low = await post({ title: "b", status: "published", views: 5 });
    const wanted = await post({ title: "c", status: "published", views: 11 });
    const [x] = await r.waitFor(1);
    expect(x!.json.record_id).toBe(wanted);
    expect(new StandardWebhook(h.secret).verify(x!.body, x!.headers as Record<string, string>)).toEqual(x!.json);
    // the later record arrived: the earlier ones were judged already and never come
    const after = await post({ title: "d", status: "published", views: 99 });
    await r.waitFor(2);
    expect(r.received.map((y) => y.json.record_id)).toEqual([wanted, after]);
    expect([skipped, low].some((s) => r.received.some((y) => y.json.record_id === s))).toBe(false);
    await t.api("DELETE", `/api/v1/webhooks/${h.id}`, { token: admin });
  });

  it("answers 500 twice, then 200: one delivery, three attempts, the same message", async () => {
    const r = await receiver();
    r.script = [500, 500];
    const h = await hook({ url: r.url, retry_count: 3 });
    const id = await post({ title: "retry me" });
    await r.waitFor(3);
    expect(new Set(r.received.map((x) => x.headers["webhook-id"])).size).toBe(1);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    const log = await eventually(async () => {
      const d = await deliveries(h.id);
      return d.items[0]?.status === "delivered" && d;
    });
    expect(log.total).toBe(1);
    expect(log.items[0]).toMatchObject({ record_id: id, attempt: 3, status_code: 200, status: "delivered" });
    await t.api("DELETE", `/api/v1/webhooks/${h.id}`, { token: admin });
  });

  it("a receiver that is down for a while receives every event when it is back, in order per record", async () => {
    const r = await receiver();
    const h = await hook({ url: r.url, retry_count: 10 });
    await r.stop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await post({ title: `down ${i}`, views: 0 }));
    for (let v = 1; v <= 3; v++) for (const id of ids) expect((await t.api("PATCH", `/api/v1/collections/posts/records/${id}`, { token: admin, body: { data: { views: v } } })).status).toBe(200);
    // attempts fail while it is down
    await eventually(async () => (await deliveries(h.id, "?status=pending")).items.some((d: { attempt: number }) => d.attempt >= 2), 15_000, "failed attempts");
    const pending = await deliveries(h.id, "?status=pending");
    expect(pending.items.find((d: { attempt: number }) => d.attempt >= 1).error).toMatch(/connection refused/);
    await r.start();
    await r.waitFor(20, 30_000);
    for (const id of ids) {
      const seen = r.received.filter((x) => x.json.record_id === id).map((x) => `${x.json.event}:${x.json.data.views}`);
      expect(seen).toEqual(["create:0", "update:1", "update:2", "update:3"]);
    }
    await eventually(async () => (await deliveries(h.id, "?status=delivered")).total === 20);
    await t.api("DELETE", `/api/v1/webhooks/${h.id}`, { token: admin });
  });

  it("retries run out → failed; redelivery sends it again as a new delivery", async () => {
    const r = await receiver();
    r.status = 503;
    const h = await hook({ url: r.url, retry_count: 1 });
    await post({ title: "doomed" });
    const failed = await eventually(async () => (await deliveries(h.id, "?status=failed")).items[0]);
    expect(failed).toMatchObject({ attempt: 2, status_code: 503, error: "HTTP 503", next_retry_at: null });
    expect(r.received).toHaveLength(2);
    r.status = 200;
    const again = await t.api("POST", `/api/v1/webhooks/${h.id}/deliveries/${failed.id}/redeliver`, { token: admin });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: "pending", attempt: 0, redelivery: 1, message_id: failed.message_id, event_seq: failed.event_seq });
    await r.waitFor(3);
    expect(r.received[2]!.body).toBe(r.received[0]!.body);
    const viaGraphql = await eventually(async () => {
      const res = await gql(t.url, `query($id: ID!) { webhookDeliveries(webhookId: $id, status: "delivered") { total items { id redelivery attempts statusCode } } }`, { id: h.id }, admin);
      return res.body.data.webhookDeliveries.total === 1 && res.body.data.webhookDeliveries;
    });
    expect(viaGraphql.items[0]).toMatchObject({ id: again.body.id, redelivery: 1, attempts: 1, statusCode: 200 });
    await t.api("DELETE", `/api/v1/webhooks/${h.id}`, { token: admin });
  });

  it("a receiver that never answers does not hold back another webhook; its attempts time out", async () => {
    const slow = await receiver();
    slow.hang = true;
    const fast = await receiver();
    const s = await hook({ url: slow.url, retry_count: 0 });
    const f = await hook({ url: fast.url });
    for (let i = 0; i < 20; i++) await post({ title: `burst ${i}` });
    await fast.waitFor(20, 10_000);
    // all twenty reached the fast receiver while the slow one still held its first attempts
    expect(slow.received.length).toBeGreaterThan(0);
    expect((await deliveries(s.id, "?status=failed")).total).toBe(0);
    const timedOut = await eventually(async () => (await deliveries(s.id, "?status=failed")).items[0], 20_000);
    expect(timedOut.error).toMatch(/timed out after 4000 ms/);
    expect(timedOut.status_code).toBeNull();
    for (const id of [s.id, f.id]) await t.api("DELETE", `/api/v1/webhooks/${id}`, { token: admin });
  });

  it("does not follow redirects: a 302 is the answer", async () => {
    const target = await receiver();
    const r = await receiver();
    r.redirectTo = `${target.url}/elsewhere`;
    const h = await hook({ url: r.url });
    await post({ title: "moved" });
    await r.waitFor(1);
    const log = await eventually(async () => (await deliveries(h.id)).items.find((d: { status: string }) => d.status === "delivered"));
    expect(log.status_code).toBe(302);
    expect(target.received).toHaveLength(0);
    await t.api("DELETE", `/api/v1/webhooks/${h.id}`, { token: admin });
  });
});
