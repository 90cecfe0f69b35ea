/**
 * Documents across content types (`GET /api/content` without `type`, `GET /api/content/:id`):
 * one statement over every content type the caller may read, exact at any depth, with each
 * type's rule and draft visibility applied; a field one type lacks is null there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
let adminKey: string;
let readKey: string;
const published: { id: string; type: string; slug: string; rating: number }[] = [];
const drafts: string[] = [];
let secretId: string;

const get = async (path: string, k = readKey) => {
  const res = await t.api("GET", path, { headers: { "x-api-key": k } });
  return res;
};
const gql = async (query: string) => {
  const res = await t.api("POST", "/graphql", { token: t.adminToken, body: { query } });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data;
};
/** a statement looking documents up by id in the content tables (the scheduler's statements are not) */
const byIdLookup = (s: string) => /from "(essay|recipe|secret_memo)"/i.test(s) && /\bid"? = /i.test(s);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

beforeAll(async () => {
  t = await startApp();
  adminKey = (await t.api("POST", "/api/v1/api-keys", { token: t.adminToken, body: { name: "admin", scopes: ["admin"] } })).body.key;
  const user = await registerUser(t.api);
  readKey = (await t.api("POST", "/api/v1/api-keys", { token: user.token, body: { name: "read", scopes: ["read"] } })).body.key;
  const type = async (name: string, fields: unknown[]) => {
    const res = await t.api("POST", "/api/content-types", { headers: { "x-api-key": adminKey }, body: { name, slugField: "title", fields } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  await type("essay", [
    { name: "title", type: "text", required: true },
    { name: "rating", type: "number" },
  ]);
  await type("recipe", [
    { name: "title", type: "text", required: true },
    { name: "rating", type: "number" },
    { name: "minutes", type: "number" },
  ]);
  await type("secret_memo", [{ name: "title", type: "text", required: true }]);
  // secret memos: superadmins only
  const locked = await t.api("PATCH", "/api/v1/collections/secret_memo", { token: t.adminToken, body: { list_rule: null, view_rule: null } });
  expect(locked.status, JSON.stringify(locked.body)).toBe(200);
  // 130 published documents over two types (bulk creates publish and slug them), a few drafts
  for (const [name, List] of [
    ["essay", "Essays"],
    ["recipe", "Recipes"],
  ] as const) {
    const items = Array.from({ length: 65 }, (_, i) => `{ title: "${name} ${String(i).padStart(3, "0")}", rating: ${(i * 7) % 10}, status: PUBLISHED${name === "recipe" ? `, minutes: ${i}` : ""} }`);
    const made = (await gql(`mutation { create${List}(data: [${items.join(",")}]) { id slug rating } }`))[`create${List}`];
    for (const m of made) published.push({ id: m.id, type: name, slug: m.slug, rating: m.rating });
    drafts.push((await gql(`mutation { create${List.slice(0, -1)}(data: { title: "${name} draft" }) { id } }`))[`create${List.slice(0, -1)}`].id);
  }
  secretId = (await gql(`mutation { createSecretMemo(data: { title: "Hidden", status: PUBLISHED }) { id } }`)).createSecretMemo.id;
});
afterAll(async () => t?.close());

describe("GET /api/content across types", () => {
  it("pages past 100 documents deep are exact, in order, with the right total", async () => {
    const all = [...published].sort((a, b) => cmp(a.slug, b.slug));
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await get(`/api/content?sort=slug&limit=50&page=${page}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ totalDocs: 130, limit: 50, totalPages: 3, page, hasNextPage: page < 3, hasPrevPage: page > 1 });
      seen.push(...res.body.docs.map((d: any) => d.slug));
    }
    expect(seen).toEqual(all.map((d) => d.slug));
    const past = await get(`/api/content?sort=slug&limit=50&page=9`);
    expect(past.body).toMatchObject({ docs: [], totalDocs: 130, totalPages: 3, hasNextPage: false });
  });

  it("sorts by a data field over both types, id breaking ties; renders each type's data", async () => {
    const res = await get(`/api/content?sort=-data.rating,slug&limit=100&page=2`);
    const expected = [...published].sort((a, b) => b.rating - a.rating || cmp(a.slug, b.slug)).slice(100);
    expect(res.body.docs.map((d: any) => d.slug)).toEqual(expected.map((d) => d.slug));
    const recipe = res.body.docs.find((d: any) => d.type === "recipe");
    expect(Object.keys(recipe.data).sort()).toEqual(["minutes", "rating", "title"]);
    expect(recipe).toMatchObject({ status: "published", publishedAt: expect.any(String), slug: expect.any(String), createdAt: expect.any(String) });
  });

  it("a field one type lacks is null there; type is a filter", async () => {
    const res = await get(`/api/content?filters[data.minutes][$gte]=60&sort=slug`);
    expect(res.body.docs.map((d: any) => d.slug)).toEqual(["recipe-060", "recipe-061", "recipe-062", "recipe-063", "recipe-064"]);
    const essays = await get(`/api/content?filters[data.minutes][$null]=true&limit=1`);
    expect(essays.body.totalDocs).toBe(65);
    const byType = await get(`/api/content?filters[type][$eq]=essay&filters[data.rating][$eq]=3&limit=1`);
    expect(byType.body.totalDocs).toBe(published.filter((d) => d.type === "essay" && d.rating === 3).length);
  });

  it("drafts only with draft=true and an admin key; a type the caller may not list is left out", async () => {
    expect((await get(`/api/content?limit=1`)).body.totalDocs).toBe(130);
    const admin = await get(`/api/content?draft=true&limit=1`, adminKey);
    // the admin key's owner is a superadmin: drafts and the secret type
    expect(admin.body.totalDocs).toBe(133);
  });
});

describe("GET /api/content/:id", () => {
  it("finds a document of any type with one statement; drafts and hidden types are 404", async () => {
    const recipe = published.find((d) => d.type === "recipe")!;
    const rec = recordStatements(t.app.services.db);
    let res;
    try {
      res = await get(`/api/content/${recipe.id}`);
    } finally {
      rec.restore();
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: recipe.id, type: "recipe", slug: recipe.slug, data: { rating: recipe.rating } });
    expect(rec.texts().filter(byIdLookup)).toHaveLength(1);
    expect((await get(`/api/content/${drafts[0]}`)).status).toBe(404);
    expect((await get(`/api/content/${drafts[0]}?draft=true`, adminKey)).body.status).toBe("draft");
    expect((await get(`/api/content/${secretId}`)).status).toBe(404);
    expect((await get(`/api/content/${secretId}`, adminKey)).body.type).toBe("secret_memo");
  });

  it("writes addressed by id find the type with one statement", async () => {
    const recipe = published.find((d) => d.type === "recipe")!;
    const rec = recordStatements(t.app.services.db);
    let res;
    try {
      res = await t.api("PATCH", `/api/content/${recipe.id}`, { headers: { "x-api-key": adminKey }, body: { data: { rating: 9 } } });
    } finally {
      rec.restore();
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(rec.texts().filter(byIdLookup)).toHaveLength(1);
  });
});
