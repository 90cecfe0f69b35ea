/**
 * The R3 per-key quota (core/ratelimit/key-quota.ts): the settings `r3_rate_limit_per_minute` /
 * `r3_rate_limit_per_day` limit each API key on its own; over the limit → 429 RATE_LIMITED in the
 * R3 error body with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
const keys: string[] = [];

beforeAll(async () => {
  t = await startApp({}, { CAIRN_RATE_LIMIT: "true" });
  for (const name of ["a", "b"]) keys.push((await t.api("POST", "/api/v1/api-keys", { token: t.adminToken, body: { name, scopes: ["read"] } })).body.key);
  const res = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "r3_rate_limit_per_minute", value: 3, category: "security" } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
});
afterAll(async () => t?.close());

describe("R3 per-key rate limit", () => {
  it("the fourth request of a key in a minute is refused; another key is not", async () => {
    const get = (k: string) => t.api("GET", "/api/content-types", { headers: { "x-api-key": k } });
    for (let i = 0; i < 3; i++) expect((await get(keys[0]!)).status).toBe(200);
    const refused = await get(keys[0]!);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/3 requests per minute/) });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await get(keys[1]!)).status).toBe(200);
  });

  it("rejects an invalid quota setting", async () => {
    const res = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "r3_rate_limit_per_day", value: 0, category: "security" } });
    expect(res.status).toBe(422);
  });
});
