/**
 * Deeply nested input answers a clear 4xx, never a 500 from a stack overflow: JSON field values
 * nested deeper than MAX_JSON_DEPTH (64) are a 422 naming the field, over REST and GraphQL; a
 * deep JSON body elsewhere, a deep filter and deep GraphQL variables are refused too.
 * Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/core/collections/check-value.ts";
import { gql } from "./graphql-helpers.ts";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let user: string;
const R = "/api/v1/collections/docs/records";
const SIGNED_IN = '@request.auth.id != ""';
const RULES = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };

/** JSON text of a value nested `depth` levels: arrays, objects, or both alternating. */
function nested(depth: number, shape: "array" | "object" | "mixed" = "mixed"): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    const arr = shape === "array" || (shape === "mixed" && i % 2 === 0);
    open += arr ? "[" : '{"k":';
    close = (arr ? "]" : "}") + close;
  }
  return `${open}1${close}`;
}

beforeAll(async () => {
  t = await startApp({ bodyLimit: 4 * 1024 * 1024 });
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      ...RULES,
      name: "docs",
      schema: [
        { name: "title", type: "text" },
        { name: "meta", type: "json" },
      ],
    },
  });
  expect(res.status).toBe(201);
  user = (await registerUser(t.api)).token;
});
afterAll(async () => t?.close());

describe("JSON field depth", () => {
  it("is documented as 64", () => expect(MAX_JSON_DEPTH).toBe(64));

  it.each(["array", "object", "mixed"] as const)("accepts %s values nested exactly to the limit and stores them", async (shape) => {
    const raw = `{"data":{"title":"ok","meta":${nested(MAX_JSON_DEPTH, shape)}}}`;
    const res = await t.api("POST", R, { token: user, raw });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201);
    const got = await t.api("GET", `${R}/${res.body.id}`, { token: user });
    expect(JSON.stringify(got.body.data.meta)).toBe(nested(MAX_JSON_DEPTH, shape));
  });

  it.each([MAX_JSON_DEPTH + 1, 4_500, 100_000])("refuses %i levels with a 422 naming the field, on create and update", async (depth) => {
    const value = nested(depth);
    const created = await t.api("POST", R, { token: user, raw: `{"data":{"title":"deep","meta":${value}}}` });
    expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(422);
    expect(created.body.code).toBe("VALIDATION_ERROR");
    expect(created.body.details.meta).toMatch(/nested.*64/);
    const rec = await t.api("POST", R, { token: user, body: { data: { title: "flat" } } });
    const updated = await t.api("PATCH", `${R}/${rec.body.id}`, { token: user, raw: `{"data":{"meta":${value}}}` });
    expect(updated.status).toBe(422);
    expect(updated.body.details.meta).toMatch(/nested.*64/);
  });

  it.each([
    [MAX_JSON_DEPTH + 1, 422, /meta/],
    [100, 422, /meta/],
    [4_500, 400, /"\$m" is nested more than 128 levels/],
  ] as const)("refuses %i levels over GraphQL with %i BAD_USER_INPUT", async (depth, status, message) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${user}` },
      body: `{"query":"mutation($m: JSON) { createDoc(data: { title: \\"g\\", meta: $m }) { id } }","variables":{"m":${nested(depth)}}}`,
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(status);
    expect(body.data?.createDoc ?? null).toBeNull();
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors[0].message).toMatch(message);
  });
});

describe("deep input elsewhere", () => {
  it.each([5_000, 100_000])("a body nested %i levels outside a JSON field answers 4xx", async (depth) => {
    for (const [method, path, raw, token] of [
      ["POST", R, `{"data":{"title":${nested(depth)}}}`, user],
      ["POST", R, `{"data":${nested(depth, "object")}}`, user],
      ["POST", "/api/v1/settings", `{"key":"deep","value":${nested(depth)}}`, t.adminToken],
      ["POST", "/api/v1/auth/login", `{"email":${nested(depth)},"password":"x"}`, undefined],
    ] as const) {
      const res = await t.api(method, path, { token, raw });
      expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
      expect(res.body).toMatchObject({ message: expect.any(String), code: expect.any(String) });
    }
  });

  it.each([5_000, 100_000])("a rule test with a sample record nested %i levels answers, not a 500", async (depth) => {
    const res = await t.api("POST", "/api/v1/roles/test-rule", { token: t.adminToken, raw: `{"rule":"a:length > 0","context":{"record":{"a":${nested(depth)}}}}` });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body).toMatchObject({ allowed: expect.any(Boolean) });
  });

  it("a deep filter answers 400", async () => {
    for (const filter of ["(".repeat(2000) + "title = 'a'" + ")".repeat(2000), "!(".repeat(1300) + "title = 'a'" + ")".repeat(1300)]) {
      const res = await t.api("GET", `${R}?filter=${encodeURIComponent(filter)}`, { token: user });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
    }
  });

  it.each([100, 5_000])("deep GraphQL where variables (%i levels) answer 400", async (depth) => {
    let where = '{"title":{"eq":"a"}}';
    for (let i = 0; i < depth; i++) where = i % 2 ? `{"AND":[${where}]}` : `{"NOT":${where}}`;
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user}` },
      body: `{"query":"query($w: DocWhere) { docs(where: $w) { totalCount } }","variables":{"w":${where}}}`,
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(400);
    expect(body.errors[0].extensions?.code ?? "BAD_USER_INPUT").toBe("BAD_USER_INPUT");
  });

  it("deep GraphQL variables of a list type answer 400", async () => {
    const res = await gql(t.url, "query($ids: [ID!]) { docs(where: { id: { in: $ids } }) { totalCount } }", { ids: JSON.parse(nested(3_000, "array")) }, user);
    expect(res.status).toBe(400);
  });
});
