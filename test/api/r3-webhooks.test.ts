/**
 * R3 webhooks (`/api/webhooks`, spec 004) over the one webhook engine: CRUD in the R3 shape, and
 * deliveries to a real receiver — `entry.publish` / `entry.unpublish` only for status changes,
 * content types filtering, the R3 document in the body, signed like every delivery.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";

let t: TestApp;
let key: string;
let receiver: Receiver;
const as = (body?: unknown) => ({ headers: { "x-api-key": key }, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  t = await startApp({ webhookAllowPrivate: true, webhookBackoffMs: 100, webhookTimeoutMs: 4000 });
  key = (await t.api("POST", "/api/v1/api-keys", { token: t.adminToken, body: { name: "admin", scopes: ["admin"] } })).body.key;
  for (const name of ["blog_post", "page"]) expect((await t.api("POST", "/api/content-types", as({ name, slugField: "title", fields: [{ name: "title", type: "text" }] }))).status).toBe(201);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await t?.close();
});

describe("R3 webhooks", () => {
  it("CRUD in the R3 shape; bad events → 422", async () => {
    const created = await t.api("POST", "/api/webhooks", as({ name: "Deploy", url: `${receiver.url}/x`, secret: "s3cret-value-1234", events: ["entry.create"], contentTypes: ["page"] }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "Deploy",
      url: `${receiver.url}/x`,
      secret: "s3cret-value-1234",
      events: ["entry.create"],
      contentTypes: ["page"],
      active: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const patched = await t.api("PATCH", `/api/webhooks/${created.body.id}`, as({ events: ["entry.publish", "entry.unpublish", "entry.delete"] }));
    expect(patched.body.events).toEqual(["entry.delete", "entry.publish", "entry.unpublish"]);
    expect((await t.api("GET", "/api/webhooks", as())).body.docs.map((w: { id: string }) => w.id)).toContain(created.body.id);
    expect((await t.api("DELETE", `/api/webhooks/${created.body.id}`, as())).status).toBe(200);
    const bad = await t.api("POST", "/api/webhooks", as({ url: receiver.url, events: ["entry.explode"] }));
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    const anon = await t.api("GET", "/api/webhooks");
    expect(anon.status).toBe(401);
  });

  it("entry.publish and entry.unpublish are delivered for status changes of the named content types only", async () => {
    const hook = await t.api(
      "POST",
      "/api/webhooks",
      as({ name: "Deploy on publish", url: receiver.url, secret: "whsec-test-secret-123", events: ["entry.publish", "entry.unpublish"], contentTypes: ["blog_post"] }),
    );
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const before = receiver.received.length;
    const doc = (await t.api("POST", "/api/content", as({ type: "blog_post", data: { title: "Hello" } }))).body;
    const other = (await t.api("POST", "/api/content", as({ type: "page", data: { title: "About" } }))).body;
    await t.api("PATCH", `/api/content/${doc.id}`, as({ data: { title: "Hello again" } }));
    await t.api("POST", `/api/content/${other.id}/publish`, as());
    await t.api("POST", `/api/content/${doc.id}/publish`, as());
    await t.api("POST", `/api/content/${doc.id}/unpublish`, as());
    const got = (await receiver.waitFor(before + 2, 10_000)).slice(before);
    expect(got.map((r) => [r.json.event, r.json.contentType, r.json.entry.id])).toEqual([
      ["entry.publish", "blog_post", doc.id],
      ["entry.unpublish", "blog_post", doc.id],
    ]);
    expect(got[0]!.json.entry).toMatchObject({ type: "blog_post", slug: "hello", status: "published", data: { title: "Hello again" } });
    const sig = createHmac("sha256", "whsec-test-secret-123").update(got[0]!.body).digest("hex");
    expect(JSON.stringify(got[0]!.headers)).toContain(sig);
  });
});
