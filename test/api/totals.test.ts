/**
 * Cached list totals over real HTTP: a list repeated while its collection is unchanged returns
 * the same exact total without running COUNT again (statements are counted on the db layer);
 * every kind of write — create, update, delete, bulk create/update/delete, a cascade from
 * another collection, a schema change — makes the next list count again; totals are kept apart
 * per caller (the access rule is part of the counted statement). Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";
import { listCacheFixture, OWNER, type ListCacheFixture } from "./list-cache-fixture.ts";

let f: ListCacheFixture;
let t: TestApp;
let user: ListCacheFixture["user"];
let other: ListCacheFixture["user"];
const base = "/api/v1/collections/items/records";

/** Totals' COUNT statements run since the last call (not the probes that count matches up to a bound, match-probe.ts). */
function counts(): number {
  const n = f.counter.statements.filter((s) => /^select count\(\*\) as "n" from "/i.test(s)).length;
  f.counter.reset();
  return n;
}

const list = (qs = "", token = user.token, collection = "items") => f.list(collection, qs, token);
const create = (data: Record<string, unknown>, token = user.token, collection = "items") => f.create(collection, data, token);

/** Lists twice: the first counts (once), the second is answered from the cache. */
async function expectCountedOnce(qs: string, total: number, token = user.token, collection = "items") {
  counts();
  expect((await list(qs, token, collection)).total).toBe(total);
  expect(counts()).toBe(1);
  expect((await list(qs, token, collection)).total).toBe(total);
  expect(counts()).toBe(0);
}

beforeAll(async () => {
  f = await listCacheFixture();
  ({ t, user, other } = f);
});
afterAll(async () => f?.close());

describe("cached totals", () => {
  it("counts a repeated list once while the collection is unchanged", async () => {
    await expectCountedOnce("", 5);
    // other pages, sorts and page sizes of the same list share its total
    expect((await list("per_page=2&page=2&sort=-n")).total).toBe(5);
    expect(counts()).toBe(0);
    // another filter or search is another count
    await expectCountedOnce("filter=n>=2", 3);
    await expectCountedOnce("search=item", 5);
    // a search's pages by relevance, by a sort of its own and by cursor share its total
    expect((await list("search=item&per_page=2&page=2")).total).toBe(5);
    const sorted = (await list("search=item&per_page=2&sort=n")) as { total: number; next_cursor?: string };
    expect(sorted.total).toBe(5);
    expect((await list(`search=item&per_page=2&sort=n&cursor=${encodeURIComponent(sorted.next_cursor!)}`)).total).toBe(5);
    expect(counts()).toBe(0);
    // skip_total never counts
    expect((await list("skip_total=true")).total).toBe(-1);
    expect(counts()).toBe(0);
  });

  it("keeps totals apart per caller: the access rule is part of the count", async () => {
    await create({ text: "mine" }, user.token, "notes");
    await create({ text: "mine too" }, user.token, "notes");
    await create({ text: "theirs" }, other.token, "notes");
    await expectCountedOnce("", 2, user.token, "notes");
    await expectCountedOnce("", 1, other.token, "notes");
  });

  it("counts again after each kind of write", async () => {
    expect((await list()).total).toBe(5);
    const a = await create({ title: "new", n: 10 });
    await expectCountedOnce("", 6);
    await expectCountedOnce("filter=n>=10", 1);

    expect((await t.api("PATCH", `${base}/${a.id}`, { token: user.token, body: { data: { n: 1 } } })).status).toBe(200);
    await expectCountedOnce("filter=n>=10", 0);

    const bulk = await gql(
      t.url,
      `mutation($d: [ItemCreateInput!]!) { createItems(data: $d) { id } }`,
      {
        d: [
          { title: "b1", n: 20 },
          { title: "b2", n: 21 },
        ],
      },
      user.token,
    );
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    const ids: string[] = bulk.body.data.createItems.map((r: { id: string }) => r.id);
    await expectCountedOnce("", 8);
    await expectCountedOnce("filter=n>=10", 2);

    const upd = await t.api("POST", `${base}/bulk-update`, { token: user.token, body: { record_ids: ids, data: { n: 0 } } });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    await expectCountedOnce("filter=n>=10", 0);

    const del = await t.api("POST", `${base}/bulk-delete`, { token: user.token, body: { record_ids: ids } });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    await expectCountedOnce("", 6);

    expect((await t.api("DELETE", `${base}/${a.id}`, { token: user.token })).status).toBe(204);
    await expectCountedOnce("", 5);
  });

  it("counts again after a cascade from another collection's delete and after a schema change", async () => {
    const item = await create({ title: "parent" });
    await create({ item: item.id }, user.token, "tags");
    await create({ item: item.id }, user.token, "tags");
    await expectCountedOnce("", 2, user.token, "tags");
    expect((await t.api("DELETE", `${base}/${item.id}`, { token: user.token })).status).toBe(204);
    await expectCountedOnce("", 0, user.token, "tags");

    await expectCountedOnce("", 5);
    const patched = await t.api("PATCH", "/api/v1/collections/items", { token: t.adminToken, body: { list_rule: OWNER } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await expectCountedOnce("", 5);
    await expectCountedOnce("", 0, other.token);
  });

  it("does not remember a count that a write overtook", async () => {
    const { listCache: totals } = t.app.services;
    const stmt = { sql: "select count(*) from items", parameters: ["x"] };
    const before = totals.generation("items");
    await create({ title: "during" });
    totals.set("items", stmt, before, 123);
    expect(totals.get("items", stmt)).toBeUndefined();
    totals.set("items", stmt, totals.generation("items"), 124);
    expect(totals.get("items", stmt)).toBe(124);
  });
});
