/**
 * The content workflow on the bulk write paths: GraphQL bulk mutations, FastCMS bulk updates
 * and imports set status, publication time and unique slugs and store versions like single
 * writes — with the slugs of a whole batch found by one query.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
let key: string;

const gql = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await t.api("POST", "/graphql", { token: t.adminToken, body: { query, variables } });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data;
};
const doc = async (id: string) => (await t.api("GET", `/api/content/${id}?draft=true`, { headers: { "x-api-key": key } })).body;
const versions = async (id: string) => (await t.api("GET", `/api/content/${id}/versions`, { headers: { "x-api-key": key } })).body.docs as { status: string; data: Record<string, unknown> }[];

async function importJson(rows: unknown[], query = "") {
  const form = new FormData();
  form.append("file", new Blob([JSON.stringify(rows)], { type: "application/json" }), "rows.json");
  const res = await fetch(`${t.url}/api/v1/collections/memo/records/import/json${query}`, { method: "POST", body: form, headers: { authorization: `Bearer ${t.adminToken}` } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  t = await startApp();
  const k = await t.api("POST", "/api/v1/api-keys", { token: t.adminToken, body: { name: "admin", scopes: ["admin"] } });
  key = k.body.key;
  const type = await t.api("POST", "/api/content-types", {
    headers: { "x-api-key": key },
    body: {
      name: "memo",
      slugField: "title",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "body", type: "text" },
      ],
    },
  });
  expect(type.status, JSON.stringify(type.body)).toBe(201);
});
afterAll(async () => t?.close());

describe("bulk writes go through the content workflow", () => {
  it("GraphQL bulk create: drafts with unique slugs (clashes within the batch and with stored ones), one slug lookup", async () => {
    await gql(`mutation { createMemo(data: { title: "Same title" }) { id } }`);
    const rec = recordStatements(t.app.services.db, { writes: true, transactions: true });
    let created;
    try {
      created = (await gql(`mutation { createMemos(data: [{ title: "Same title" }, { title: "Same title" }, { title: "Other", status: PUBLISHED }]) { id slug status published_at } }`)).createMemos;
    } finally {
      rec.restore();
    }
    expect(created.map((m: any) => [m.slug, m.status])).toEqual([
      ["same-title-2", "DRAFT"],
      ["same-title-3", "DRAFT"],
      ["other", "PUBLISHED"],
    ]);
    expect(created[2].published_at).toEqual(expect.any(String));
    expect(created[0].published_at).toBeNull();
    const slugLookups = rec.texts().filter((s) => /select/i.test(s) && /"slug"/.test(s) && /from "memo"/i.test(s));
    expect(slugLookups).toHaveLength(1);
    expect((await versions(created[0].id)).map((v) => v.status)).toEqual(["draft"]);
  });

  it("FastCMS atomic bulk update publishing: published_at set where a document becomes published, kept where it was; versions stored", async () => {
    const a = (await gql(`mutation { createMemo(data: { title: "Bulk A" }) { id } }`)).createMemo.id;
    const b = (await gql(`mutation { createMemo(data: { title: "Bulk B", status: PUBLISHED, published_at: "2026-01-02T03:04:05.000Z" }) { id } }`)).createMemo.id;
    const res = await t.api("POST", "/api/v1/collections/memo/records/bulk-update?atomic=true", { token: t.adminToken, body: { record_ids: [a, b], data: { status: "published", body: "x" } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [da, db] = [await doc(a), await doc(b)];
    expect(da).toMatchObject({ status: "published", publishedAt: expect.any(String), data: { body: "x" } });
    expect(Date.now() - Date.parse(da.publishedAt)).toBeLessThan(60_000);
    expect(db).toMatchObject({ status: "published", publishedAt: "2026-01-02T03:04:05.000Z" });
    expect((await versions(a)).map((v) => [v.status, v.data.body])).toEqual([
      ["published", "x"],
      ["draft", null],
    ]);
  });

  it("GraphQL bulk update of a slug: each document gets a unique one", async () => {
    const ids = (await gql(`mutation { createMemos(data: [{ title: "S1" }, { title: "S2" }]) { id } }`)).createMemos.map((m: any) => m.id);
    const n = (await gql(`mutation($ids: [ID!]!) { updateMemos(ids: $ids, data: { slug: "shared" }) }`, { ids })).updateMemos;
    expect(n).toBe(2);
    expect([(await doc(ids[0])).slug, (await doc(ids[1])).slug]).toEqual(["shared", "shared-2"]);
  });

  it("imports: slugs and status for new documents, publication for updated ones, versions for both", async () => {
    const r = await importJson([{ title: "Imported" }, { title: "Imported" }, { title: "Imported now", status: "published" }]);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const list = await t.api("GET", "/api/content?type=memo&draft=true&filters[slug][$startsWith]=imported&sort=slug", { headers: { "x-api-key": key } });
    expect(list.body.docs.map((d: any) => [d.slug, d.status, d.publishedAt !== null])).toEqual([
      ["imported", "draft", false],
      ["imported-2", "draft", false],
      ["imported-now", "published", true],
    ]);
    const first = list.body.docs[0];
    const up = await importJson([{ id: first.id, status: "published" }], "?mode=upsert");
    expect(up.status, JSON.stringify(up.body)).toBeLessThan(300);
    expect(await doc(first.id)).toMatchObject({ status: "published", publishedAt: expect.any(String) });
    expect((await versions(first.id)).map((v) => v.status)).toEqual(["published", "draft"]);
  });
});
