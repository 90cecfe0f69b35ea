/**
 * Cached list pages over real HTTP: a page asked again while its collection is unchanged is
 * answered without reading the table (statements are counted on the db layer), over REST and
 * GraphQL, for a search by relevance too; every kind of write — create, update, delete, bulk
 * update, a cascade from another collection, a schema change, a write to a collection the filter
 * reads through a reference — shows in the next page (and its total); pages
 * are kept apart per caller (the access rule is part of the statement) and field lists still
 * apply per caller to a shared page; random order and requests with `Cache-Control: no-cache`
 * are never answered from the cache; `CAIRN_LIST_CACHE_MB=0` turns page caching off. Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { countStatements, gql } from "./graphql-helpers.ts";
import { listCacheFixture, records, type ListCacheFixture, type Page } from "./list-cache-fixture.ts";

let f: ListCacheFixture;
let t: TestApp;
let user: ListCacheFixture["user"];
let other: ListCacheFixture["user"];

/** Statements run since the last call that read `collection`'s table. */
function reads(collection: string): number {
  const n = f.counter.statements.filter((s) => new RegExp(`from "${collection}"`, "i").test(s)).length;
  f.counter.reset();
  return n;
}

const list = (collection: string, qs = "", token = user.token) => f.list(collection, qs, token);
const create = (collection: string, data: Record<string, unknown>, token = user.token) => f.create(collection, data, token);

/** Lists twice: the first reads the table, the second is the same page from the cache. */
async function listedOnce(collection: string, qs = "", token = user.token): Promise<Page> {
  reads(collection);
  const first = await list(collection, qs, token);
  expect(reads(collection)).toBeGreaterThan(0);
  expect(await list(collection, qs, token)).toEqual(first);
  expect(reads(collection)).toBe(0);
  return first;
}

const titles = (p: Page) => p.items.map((i) => i.data.title).sort();

beforeAll(async () => {
  f = await listCacheFixture([
    {
      name: "profiles",
      schema: [
        { name: "name", type: "text" },
        { name: "email", type: "text" },
      ],
    },
  ]);
  ({ t, user, other } = f);
  const fields = await t.api("PUT", "/api/v1/collections/profiles/rules", { token: t.adminToken, body: { list_rule: "", view_rule: "", list_fields: ["name"] } });
  expect(fields.status, JSON.stringify(fields.body)).toBe(200);
});
afterAll(async () => f?.close());

describe("cached list pages", () => {
  it("answers a page asked again from the cache: REST, GraphQL, a search by relevance", async () => {
    expect(titles(await listedOnce("items"))).toEqual(["item 0", "item 1", "item 2", "item 3", "item 4"]);
    // another window, order or filter is another page
    expect((await listedOnce("items", "per_page=2&page=2&sort=-n")).items.map((i) => i.data.n)).toEqual([2, 1]);
    expect(titles(await listedOnce("items", `filter=${encodeURIComponent("n >= 3")}`))).toEqual(["item 3", "item 4"]);
    expect(titles(await listedOnce("items", "search=item&per_page=3"))).toHaveLength(3);

    const query = "{ items(orderBy: [{ n: ASC }], first: 3) { totalCount nodes { title n } } }";
    reads("items");
    const a = await gql(t.url, query, {}, user.token);
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data.items.nodes.map((n: { n: number }) => n.n)).toEqual([0, 1, 2]);
    expect(reads("items")).toBeGreaterThan(0);
    expect((await gql(t.url, query, {}, user.token)).body).toEqual(a.body);
    expect(reads("items")).toBe(0);
  });

  it("reads the table, total included, for a request that says Cache-Control: no-cache", async () => {
    await listedOnce("items", "sort=title");
    for (const value of ["no-cache", "max-age=0, no-store"]) {
      const res = await t.api("GET", `${records("items")}?sort=title`, { token: user.token, headers: { "cache-control": value } });
      expect(res.status).toBe(200);
      expect(f.counter.statements.filter((st) => /from "items"/i.test(st)).map((st) => (/count\(\*\)/i.test(st) ? "count" : "page"))).toEqual(["page", "count"]);
      f.counter.reset();
    }
    const query = "{ items(orderBy: [{ n: DESC }], first: 3) { nodes { n } } }";
    await gql(t.url, query, {}, user.token);
    reads("items");
    expect((await gql(t.url, query, {}, user.token, { "cache-control": "no-cache" })).status).toBe(200);
    expect(reads("items")).toBe(1);
  });

  it("never caches random order", async () => {
    reads("items");
    await list("items", "sort=@random");
    await list("items", "sort=@random");
    expect(reads("items")).toBe(2);
  });

  it("shows every kind of write in the next page", async () => {
    await listedOnce("items", "sort=n");
    const a = await create("items", { title: "new", n: 10 });
    expect((await listedOnce("items", "sort=n")).items.at(-1)).toMatchObject({ id: a.id, data: { title: "new", n: 10 } });

    // an update that changes no total: the page still shows it
    expect((await t.api("PATCH", `${records("items")}/${a.id}`, { token: user.token, body: { data: { title: "renamed" } } })).status).toBe(200);
    expect((await listedOnce("items", "sort=n")).items.at(-1)?.data.title).toBe("renamed");

    const ids = (await list("items", "sort=n")).items.slice(0, 2).map((i) => i.id);
    const upd = await t.api("POST", `${records("items")}/bulk-update`, { token: user.token, body: { record_ids: ids, data: { title: "bulk" } } });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    expect((await listedOnce("items", "sort=n")).items.slice(0, 2).map((i) => i.data.title)).toEqual(["bulk", "bulk"]);

    expect((await t.api("DELETE", `${records("items")}/${a.id}`, { token: user.token })).status).toBe(204);
    expect((await listedOnce("items", "sort=n")).items.map((i) => i.id)).not.toContain(a.id);
  });

  it("shows a cascade from another collection's delete and a schema change", async () => {
    const parent = await create("items", { title: "parent" });
    await create("tags", { item: parent.id });
    expect((await listedOnce("tags")).items).toHaveLength(1);
    expect((await t.api("DELETE", `${records("items")}/${parent.id}`, { token: user.token })).status).toBe(204);
    expect((await listedOnce("tags")).items).toHaveLength(0);

    expect(Object.keys((await listedOnce("items")).items[0]!.data)).not.toContain("color");
    const patched = await t.api("PATCH", "/api/v1/collections/items", {
      token: t.adminToken,
      body: {
        schema: [
          { name: "title", type: "text" },
          { name: "n", type: "number" },
          { name: "color", type: "text" },
        ],
      },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await listedOnce("items")).items[0]!.data).toHaveProperty("color", null);
  });

  it("shows a change of a referenced collection in a page filtered through the reference", async () => {
    const parent = await create("items", { title: "red" });
    const tag = await create("tags", { item: parent.id });
    // Fullfinity's query filters through references (the page's statement reads items too)
    const query = async () => {
      const res = await t.api("POST", "/api/query/tags", { token: user.token, body: { q_filter: "Q(item__title='red')" } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { data: { id: string }[]; total: number };
    };
    reads("tags");
    expect(await query()).toMatchObject({ total: 1, data: [{ id: tag.id }] });
    expect(reads("tags")).toBeGreaterThan(0);
    expect(await query()).toMatchObject({ total: 1, data: [{ id: tag.id }] });
    expect(reads("tags")).toBe(0);
    // a write to items alone: the tags page and its total depend on it
    expect((await t.api("PATCH", `${records("items")}/${parent.id}`, { token: user.token, body: { data: { title: "blue" } } })).status).toBe(200);
    expect(await query()).toMatchObject({ total: 0, data: [] });
  });

  it("keeps pages apart per caller, and applies each caller's field list to a shared page", async () => {
    await create("notes", { text: "mine" }, user.token);
    await create("notes", { text: "theirs" }, other.token);
    expect((await listedOnce("notes", "", user.token)).items.map((i) => i.data.text)).toEqual(["mine"]);
    expect((await listedOnce("notes", "", other.token)).items.map((i) => i.data.text)).toEqual(["theirs"]);

    await create("profiles", { name: "Ann", email: "ann@example.com" }, t.adminToken);
    // the superadmin and an anonymous caller both may list every profile: one statement, one cached page
    expect((await listedOnce("profiles", "", t.adminToken)).items[0]!.data).toEqual({ name: "Ann", email: "ann@example.com" });
    const anon = await t.api("GET", records("profiles"));
    expect(anon.status).toBe(200);
    expect(anon.body.items[0].data).toEqual({ name: "Ann" });
    expect(reads("profiles")).toBe(0);
  });
});

describe("CAIRN_LIST_CACHE_MB=0", () => {
  it("reads the table for every page", async () => {
    const off = await startApp({}, { CAIRN_LIST_CACHE_MB: "0" });
    try {
      expect(off.config.listCacheBytes).toBe(0);
      const made = await off.api("POST", "/api/v1/collections", { token: off.adminToken, body: { name: "things", list_rule: "", schema: [{ name: "title", type: "text" }] } });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const c = countStatements(off.app.services.db);
      try {
        for (let i = 0; i < 2; i++) expect((await off.api("GET", `${records("things")}?skip_total=true`)).status).toBe(200);
        expect(c.statements.filter((s) => /from "things"/i.test(s))).toHaveLength(2);
      } finally {
        c.restore();
      }
    } finally {
      await off.close();
    }
  });
});
