/**
 * The SSRF guard through the API, with CAIRN_WEBHOOK_ALLOW_PRIVATE off (the default): targets on
 * loopback, private, link-local/metadata and other non-public addresses are refused with 422
 * naming the address — on create and update, over REST and GraphQL — and nothing is stored.
 * (Refusal at delivery, DNS rebinding and connecting to the checked address:
 * test/unit/webhooks-target.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";

describe("webhook targets on private networks", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
    expect(t.config.webhookAllowPrivate).toBe(false);
    expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "posts", schema: [{ name: "title", type: "text" }] } })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it.each([
    ["http://127.0.0.1:8080/hook", "127.0.0.1 is not a public address (loopback)"],
    ["http://localhost/hook", ") is not a public address (loopback)"],
    ["http://[::1]/hook", "::1 is not a public address (loopback)"],
    ["http://2130706433/", "127.0.0.1 is not a public address (loopback)"],
    ["http://10.0.0.7/", "10.0.0.7 is not a public address (private)"],
    ["http://192.168.1.20/", "192.168.1.20 is not a public address (private)"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address (link-local / metadata)"],
    ["http://0.0.0.0/", "0.0.0.0 is not a public address (unspecified)"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is not a public address (loopback)"],
  ])("refuses %s", async (url, message) => {
    const res = await t.api("POST", "/api/v1/webhooks", { token: t.adminToken, body: { url, collection_name: "posts" } });
    expect(res.status).toBe(422);
    expect(res.body.details.url).toContain(message);
    expect(res.body.details.url).toContain("CAIRN_WEBHOOK_ALLOW_PRIVATE=true");
  });

  it("refuses on update and over GraphQL; nothing is stored", async () => {
    const ok = await t.api("POST", "/api/v1/webhooks", { token: t.adminToken, body: { url: "https://93.184.216.34/hook", collection_name: "posts" } });
    expect(ok.status).toBe(201);
    const patched = await t.api("PATCH", `/api/v1/webhooks/${ok.body.id}`, { token: t.adminToken, body: { url: "http://172.16.0.1/" } });
    expect(patched.status).toBe(422);
    expect((await t.api("GET", `/api/v1/webhooks/${ok.body.id}`, { token: t.adminToken })).body.url).toBe("https://93.184.216.34/hook");
    const viaGraphql = await gql(t.url, `mutation { createWebhook(input: { url: "http://127.0.0.1:9/", collections: ["posts"] }) { id } }`, undefined, t.adminToken);
    expect(viaGraphql.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(viaGraphql.body.errors[0].message).toContain("127.0.0.1 is not a public address (loopback)");
    expect((await t.api("GET", "/api/v1/webhooks", { token: t.adminToken })).body.total).toBe(1);
  });
});
