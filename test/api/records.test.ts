/**
 * Records over real HTTP: CRUD, validation, optimistic concurrency, list (filter, sort, search,
 * offset and cursor pagination, skip_total), bulk operations, uniqueness, and the outbox.
 * Runs once per database (vitest projects "sqlite" and "postgres").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import type { CairnEvent } from "../../src/core/events/bus.ts";

let t: TestApp;
let user: { token: string; id: string };
/** Every signed-in user may use the records; anonymous callers get 401 (test/api/rules.test.ts covers the rules). */
const SIGNED_IN = '@request.auth.id != ""';
const rules = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };
const base = "/api/v1/collections/posts/records";

async function create(data: Record<string, unknown>, token = user.token) {
  const res = await t.api("POST", base, { token, body: { data } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await startApp();
  const authors = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: { ...rules, name: "authors", schema: [{ name: "name", type: "text", validation: { required: true } }] },
  });
  expect(authors.status, JSON.stringify(authors.body)).toBe(201);
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      ...rules,
      name: "posts",
      schema: [
        { name: "title", type: "text", validation: { required: true, max_length: 200 } },
        { name: "body", type: "editor" },
        { name: "slug", type: "text", validation: { unique: true, pattern: "[a-z0-9-]+$" } },
        { name: "views", type: "number", validation: { min: 0 } },
        { name: "published", type: "bool" },
        { name: "status", type: "select", validation: { values: ["draft", "published", "archived"] } },
        { name: "tags", type: "tags" },
        { name: "meta", type: "json" },
        { name: "contact", type: "email" },
        { name: "site", type: "url" },
        { name: "due", type: "datetime" },
        { name: "author", type: "reference", relation: { collection: "authors", cascade_delete: "set_null" } },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  user = await registerUser(t.api);
});
afterAll(async () => t?.close());

describe("record CRUD", () => {
  it("creates, reads, patches, replaces and deletes a record", async () => {
    const rec = await create({ title: "Hello", views: 1, published: false, tags: ["a", "b"], meta: { x: [1, 2] }, due: "2026-01-02T03:04:05Z" });
    expect(rec).toMatchObject({
      data: { title: "Hello", views: 1, published: false, tags: ["a", "b"], meta: { x: [1, 2] }, due: "2026-01-02T03:04:05.000Z", body: null },
      version: 1,
      owner_id: user.id,
    });
    expect(rec.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.data).not.toHaveProperty("id");
    expect(new Date(rec.created).toISOString()).toBe(rec.created);

    const got = await t.api("GET", `${base}/${rec.id}`, { token: user.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(rec);

    const patched = await t.api("PATCH", `${base}/${rec.id}`, { token: user.token, body: { data: { views: 5, "views+": 2 } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data).toMatchObject({ title: "Hello", views: 7, tags: ["a", "b"] });
    expect(patched.body.version).toBe(2);

    const replaced = await t.api("PUT", `${base}/${rec.id}`, { token: user.token, body: { data: { title: "Only title" } } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ title: "Only title", views: null, tags: null, meta: null });

    const del = await t.api("DELETE", `${base}/${rec.id}`, { token: user.token });
    expect(del.status).toBe(204);
    expect((await t.api("GET", `${base}/${rec.id}`, { token: user.token })).status).toBe(404);
    expect((await t.api("DELETE", `${base}/${rec.id}`, { token: user.token })).status).toBe(404);
  });

  it("requires a signed-in caller", async () => {
    const res = await t.api("POST", base, { body: { data: { title: "x" } } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: "UNAUTHORIZED", message: "Authentication required" });
    expect((await t.api("GET", base)).status).toBe(401);
    expect((await t.api("GET", base, { token: "not-a-token" })).status).toBe(401);
  });

  it("answers 404 for an unknown collection", async () => {
    const res = await t.api("GET", "/api/v1/collections/nope/records", { token: user.token });
    expect(res.status).toBe(404);
    expect(res.body.message).toContain("nope");
  });
});

describe("validation", () => {
  it("names every failing field in one 422", async () => {
    const res = await t.api("POST", base, {
      token: user.token,
      body: { data: { views: -1, published: "yes", status: "other", contact: "nope", site: "ftp://x", due: "tomorrow", tags: [1], slug: "UPPER" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_ERROR");
    expect(Object.keys(res.body.details).sort()).toEqual(["contact", "due", "published", "site", "slug", "status", "tags", "title", "views"]);
    expect(res.body.details.title).toBe("This field is required");
  });

  it("rejects unknown fields with 400 naming them", async () => {
    const res = await t.api("POST", base, { token: user.token, body: { data: { title: "x", nope: 1, id: "custom" } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("'nope'");
    expect(res.body.details.unknown_fields).toEqual(["nope", "id"]);
  });

  it.each([
    ["empty data", { data: {} }, 422],
    ["data not an object", { data: [1] }, 422],
    ["missing data", {}, 422],
    ["unknown top-level key", { data: { title: "x" }, extra: 1 }, 422],
  ])("%s → %i", async (_name, body, status) => {
    const res = await t.api("POST", base, { token: user.token, body });
    expect(res.status).toBe(status);
    expect(res.body.message).toBeTruthy();
  });

  it("rejects malformed JSON with 400", async () => {
    const res = await t.api("POST", base, { token: user.token, raw: '{"data": {"title": "x"' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/JSON/);
  });

  it("stores an empty optional text as null and bool is not a number", async () => {
    const rec = await create({ title: "t", body: "", contact: "" });
    expect(rec.data.body).toBeNull();
    const res = await t.api("POST", base, { token: user.token, body: { data: { title: "t", views: true } } });
    expect(res.status).toBe(422);
    expect(res.body.details.views).toMatch(/number/);
  });

  it("checks references exist", async () => {
    const res = await t.api("POST", base, { token: user.token, body: { data: { title: "t", author: "missing-id" } } });
    expect(res.status).toBe(422);
    expect(res.body.details.author).toContain("missing-id");
  });

  it("answers 409 on a duplicate unique value and keeps the first", async () => {
    await create({ title: "a", slug: "unique-slug" });
    const res = await t.api("POST", base, { token: user.token, body: { data: { title: "b", slug: "unique-slug" } } });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain("slug");
    const list = await t.api("GET", `${base}?filter=${encodeURIComponent('slug="unique-slug"')}`, { token: user.token });
    expect(list.body.total).toBe(1);
    expect(list.body.items[0].data.title).toBe("a");
  });
});

describe("optimistic concurrency", () => {
  it("rejects a stale expectedVersion or If-Match with 409", async () => {
    const rec = await create({ title: "v" });
    const ok = await t.api("PATCH", `${base}/${rec.id}`, { token: user.token, body: { data: { title: "v2" }, expectedVersion: 1 } });
    expect(ok.status).toBe(200);
    const stale = await t.api("PATCH", `${base}/${rec.id}`, { token: user.token, body: { data: { title: "v3" }, expectedVersion: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.details).toMatchObject({ current_version: 2, expected_version: 1 });
    const header = await t.api("PATCH", `${base}/${rec.id}`, { token: user.token, headers: { "if-match": '"1"' }, body: { data: { title: "v3" } } });
    expect(header.status).toBe(409);
    const good = await t.api("PATCH", `${base}/${rec.id}`, { token: user.token, headers: { "if-match": '"2"' }, body: { data: { title: "v3" } } });
    expect(good.status).toBe(200);
    expect(good.body.version).toBe(3);
    const bad = await t.api("PATCH", `${base}/${rec.id}`, { token: user.token, headers: { "if-match": "abc" }, body: { data: { title: "v4" } } });
    expect(bad.status).toBe(400);
  });
});

describe("listing", () => {
  let ids: string[];
  beforeAll(async () => {
    await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        ...rules,
        name: "items",
        schema: [
          { name: "name", type: "text" },
          { name: "n", type: "number" },
          { name: "even", type: "bool" },
          { name: "kind", type: "select", validation: { values: ["x", "y", "z"] } },
          { name: "labels", type: "tags" },
        ],
      },
    });
    const names = ["Alpha apple", "Bravo banana", "Charlie cherry", "Delta date", "Echo elderberry"];
    ids = [];
    for (let i = 0; i < 45; i++) {
      const res = await t.api("POST", "/api/v1/collections/items/records", {
        token: user.token,
        body: { data: { name: `${names[i % 5]} ${i}`, n: i % 2 === 0 && i % 10 === 0 ? null : i, even: i % 2 === 0, kind: ["x", "y", "z"][i % 3], labels: i % 4 === 0 ? ["four"] : ["other"] } },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
  });
  const list = (qs: string) => t.api("GET", `/api/v1/collections/items/records?${qs}`, { token: user.token });

  it("pages with per_page default 30 and newest first", async () => {
    const res = await list("");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 45, page: 1, per_page: 30, total_pages: 2, has_more: true });
    expect(res.body.items).toHaveLength(30);
    expect(res.body.items[0].id).toBe(ids[44]);
    const p2 = await list("page=2");
    expect(p2.body.items).toHaveLength(15);
    expect(p2.body.has_more).toBe(false);
  });

  it.each([
    ["per_page=101", 422],
    ["per_page=0", 422],
    ["page=0", 422],
    ["page=abc", 422],
    ["sort=nope", 400],
    ["sort=labels", 400],
    ["filter=" + encodeURIComponent("nope = 1"), 400],
    ["filter=" + encodeURIComponent("n > 'abc'"), 400],
    ["filter=" + encodeURIComponent("(n > 1"), 400],
    ["cursor=garbage", 400],
  ])("rejects %s with %i", async (qs, status) => {
    const res = await list(qs);
    expect(res.status).toBe(status);
    expect(res.body.message).toBeTruthy();
  });

  it("names the position of a syntax error", async () => {
    const res = await list("filter=" + encodeURIComponent("n > 1 && && even = true"));
    expect(res.status).toBe(400);
    expect(res.body.details.position).toBeTypeOf("number");
  });

  it("filters with the expression language", async () => {
    const cases: [string, (i: number) => boolean][] = [
      ["n >= 40", (i) => !(i % 10 === 0) && i >= 40],
      ["even = true && n < 10", (i) => i % 2 === 0 && i < 10 && i % 10 !== 0],
      ['(kind = "x" || kind = "y") && n > 30', (i) => i % 3 !== 2 && i > 30 && i % 10 !== 0],
      ["n = null", (i) => i % 10 === 0],
      ['name ~ "APPLE"', (i) => i % 5 === 0],
      ['name !~ "a"', (i) => i % 5 === 4],
      ['labels ?= "four"', (i) => i % 4 === 0],
      ["n != 3", (i) => i !== 3],
    ];
    for (const [expr, pred] of cases) {
      const res = await list(`per_page=100&filter=${encodeURIComponent(expr)}`);
      expect(res.status, expr).toBe(200);
      const expected = ids.filter((_, i) => pred(i)).sort();
      expect(res.body.items.map((r: any) => r.id).sort(), expr).toEqual(expected);
      expect(res.body.total, expr).toBe(expected.length);
    }
  });

  it("sorts by several fields including system fields", async () => {
    const res = await list("per_page=100&sort=kind,-n,created");
    const items = res.body.items.map((r: any) => r.data);
    const expected = [...items].sort((a: any, b: any) => a.kind.localeCompare(b.kind) || (b.n ?? -Infinity) - (a.n ?? -Infinity));
    expect(items.map((d: any) => `${d.kind}${d.n}`)).toEqual(expected.map((d: any) => `${d.kind}${d.n}`));
    const asc = await list("per_page=100&sort=created");
    expect(asc.body.items.map((r: any) => r.id)).toEqual(ids);
  });

  it("searches the full-text index, combined with filter, counted in total", async () => {
    const res = await list("search=banana");
    expect(res.body.total).toBe(9);
    const prefix = await list("search=elder");
    expect(prefix.body.total).toBe(9);
    const both = await list(`search=CHERRY&filter=${encodeURIComponent("n > 20")}`);
    expect(both.body.items.every((r: any) => r.data.name.startsWith("Charlie") && r.data.n > 20)).toBe(true);
    expect(both.body.total).toBe(both.body.items.length);
    expect(both.body.total).toBe(5);
    const none = await list("search=zzzz");
    expect(none.body.total).toBe(0);
    expect((await list("search=" + encodeURIComponent('"; DROP TABLE items; --'))).status).toBe(200);
    expect((await list("search=" + encodeURIComponent("***"))).status).toBe(400);
  });

  it("search follows updates and deletes", async () => {
    const rec = await t.api("POST", "/api/v1/collections/items/records", { token: user.token, body: { data: { name: "Zulu zebra" } } });
    expect((await list("search=zebra")).body.total).toBe(1);
    await t.api("PATCH", `/api/v1/collections/items/records/${rec.body.id}`, { token: user.token, body: { data: { name: "Yankee yak" } } });
    expect((await list("search=zebra")).body.total).toBe(0);
    expect((await list("search=yak")).body.total).toBe(1);
    await t.api("DELETE", `/api/v1/collections/items/records/${rec.body.id}`, { token: user.token });
    expect((await list("search=yak")).body.total).toBe(0);
  });

  it("skips the count on request", async () => {
    const res = await list("skip_total=true&per_page=10");
    expect(res.body).toMatchObject({ total: -1, total_pages: -1, has_more: true });
    expect(res.body.items).toHaveLength(10);
  });

  it("walks every record with cursors in the same order as pages", async () => {
    for (const sort of ["", "n", "-n,name", "kind,-created"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await list(`per_page=7&skip_total=true&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((r: any) => r.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      const all = await list(`per_page=100&sort=${sort}`);
      expect(seen, sort).toEqual(all.body.items.map((r: any) => r.id));
      expect(new Set(seen).size).toBe(45);
    }
  });
});

describe("bulk operations", () => {
  it("atomic=true updates and deletes up to 100 records, all or nothing", async () => {
    const recs = await Promise.all([1, 2, 3].map((i) => create({ title: `bulk ${i}`, views: i })));
    const ids = recs.map((r) => r.id);
    const upd = await t.api("POST", `${base}/bulk-update?atomic=true`, { token: user.token, body: { record_ids: ids, data: { status: "archived", "views+": 10 } } });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    expect(upd.body).toMatchObject({ success: 3, failed: 0, errors: null });
    for (const [i, id] of ids.entries()) {
      const r = await t.api("GET", `${base}/${id}`, { token: user.token });
      expect(r.body.data).toMatchObject({ status: "archived", views: i + 11 });
      expect(r.body.version).toBe(2);
    }
    const missing = await t.api("POST", `${base}/bulk-update?atomic=true`, { token: user.token, body: { record_ids: [...ids, "missing"], data: { status: "draft" } } });
    expect(missing.status).toBe(422);
    expect(missing.body.details.missing).toContain("not found");
    expect((await t.api("GET", `${base}/${ids[0]}`, { token: user.token })).body.data.status).toBe("archived");

    const invalid = await t.api("POST", `${base}/bulk-update?atomic=true`, { token: user.token, body: { record_ids: ids, data: { views: -5 } } });
    expect(invalid.status).toBe(422);

    const tooMany = await t.api("POST", `${base}/bulk-delete`, { token: user.token, body: { record_ids: Array.from({ length: 101 }, (_, i) => `id${i}`) } });
    expect(tooMany.status).toBe(422);
    const empty = await t.api("POST", `${base}/bulk-delete`, { token: user.token, body: { record_ids: [] } });
    expect(empty.status).toBe(422);

    const delMissing = await t.api("POST", `${base}/bulk-delete?atomic=true`, { token: user.token, body: { record_ids: [ids[0], "missing"] } });
    expect(delMissing.status).toBe(422);
    expect((await t.api("GET", `${base}/${ids[0]}`, { token: user.token })).status).toBe(200);

    const del = await t.api("POST", `${base}/bulk-delete?atomic=true`, { token: user.token, body: { record_ids: ids } });
    expect(del.status).toBe(200);
    expect(del.body.success).toBe(3);
    for (const id of ids) expect((await t.api("GET", `${base}/${id}`, { token: user.token })).status).toBe(404);
  });

  it("by default processes each id on its own and reports the failures (FastCMS)", async () => {
    const a = await create({ title: "each a", views: 5, slug: "each-a" });
    const b = await create({ title: "each b", views: 1, slug: "each-b" });
    // b would go below the minimum; the missing id fails; a is changed
    const upd = await t.api("POST", `${base}/bulk-update`, { token: user.token, body: { record_ids: [a.id, "missing", b.id], data: { "views-": 3 } } });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    expect(upd.body).toEqual({
      success: 1,
      failed: 2,
      errors: [
        { record_id: "missing", error: expect.stringContaining("not found") },
        { record_id: b.id, error: expect.any(String) },
      ],
      record_ids: [a.id],
    });
    expect((await t.api("GET", `${base}/${a.id}`, { token: user.token })).body.data.views).toBe(2);
    expect((await t.api("GET", `${base}/${b.id}`, { token: user.token })).body.data).toMatchObject({ views: 1 });
    expect((await t.api("GET", `${base}/${b.id}`, { token: user.token })).body.version).toBe(1);

    // a unique clash is the failure of the id that clashes
    const clash = await t.api("POST", `${base}/bulk-update`, { token: user.token, body: { record_ids: [a.id, b.id], data: { slug: "each-a" } } });
    expect(clash.body).toMatchObject({ success: 1, failed: 1, errors: [{ record_id: b.id }] });

    // all succeed: errors is null
    const ok = await t.api("POST", `${base}/bulk-update`, { token: user.token, body: { record_ids: [a.id, b.id], data: { status: "draft" } } });
    expect(ok.body).toEqual({ success: 2, failed: 0, errors: null, record_ids: [a.id, b.id] });

    // what concerns the whole request still fails it, with nothing changed
    expect((await t.api("POST", `${base}/bulk-update`, { token: user.token, body: { record_ids: [a.id], data: {} } })).status).toBe(422);
    expect((await t.api("POST", `${base}/bulk-update`, { body: { record_ids: [a.id], data: { views: 1 } } })).status).toBe(401);
    expect((await t.api("POST", "/api/v1/collections/nope/records/bulk-delete", { token: user.token, body: { record_ids: [a.id] } })).status).toBe(404);

    const del = await t.api("POST", `${base}/bulk-delete`, { token: user.token, body: { record_ids: ["missing", a.id, b.id] } });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ success: 2, failed: 1, errors: [{ record_id: "missing", error: expect.stringContaining("not found") }] });
    for (const id of [a.id, b.id]) expect((await t.api("GET", `${base}/${id}`, { token: user.token })).status).toBe(404);
  });

  it("a restricting reference fails only the ids it protects", async () => {
    const owners = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: { ...rules, name: "owners", schema: [{ name: "name", type: "text" }] },
    });
    expect(owners.status).toBe(201);
    const pets = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: { ...rules, name: "pets", schema: [{ name: "owner", type: "reference", relation: { collection: "owners", cascade_delete: "restrict" } }] },
    });
    expect(pets.status, JSON.stringify(pets.body)).toBe(201);
    const o1 = (await t.api("POST", "/api/v1/collections/owners/records", { token: user.token, body: { data: { name: "kept" } } })).body.id;
    const o2 = (await t.api("POST", "/api/v1/collections/owners/records", { token: user.token, body: { data: { name: "free" } } })).body.id;
    expect((await t.api("POST", "/api/v1/collections/pets/records", { token: user.token, body: { data: { owner: o1 } } })).status).toBe(201);
    const del = await t.api("POST", "/api/v1/collections/owners/records/bulk-delete", { token: user.token, body: { record_ids: [o1, o2] } });
    expect(del.body).toMatchObject({ success: 1, failed: 1, errors: [{ record_id: o1 }], record_ids: [o2] });
    expect((await t.api("GET", `/api/v1/collections/owners/records/${o1}`, { token: user.token })).status).toBe(200);
  });
});

describe("references", () => {
  it("sets referencing fields to null when the target is deleted", async () => {
    const a = await t.api("POST", "/api/v1/collections/authors/records", { token: user.token, body: { data: { name: "Ann" } } });
    const post = await create({ title: "by Ann", author: a.body.id });
    expect(post.data.author).toBe(a.body.id);
    expect((await t.api("DELETE", `/api/v1/collections/authors/records/${a.body.id}`, { token: user.token })).status).toBe(204);
    const after = await t.api("GET", `${base}/${post.id}`, { token: user.token });
    expect(after.body.data.author).toBeNull();
    expect(after.body.version).toBe(2);
  });
});

describe("events and transactions", () => {
  it("publishes after commit and writes the outbox; failed writes publish nothing", async () => {
    const seen: CairnEvent[] = [];
    const off = t.app.services.events.subscribe((e) => seen.push(e));
    try {
      const rec = await create({ title: "evented" });
      expect(seen.map((e) => [e.type, e.recordId])).toEqual([["record.create", rec.id]]);
      const bad = await t.api("POST", `${base}/bulk-update?atomic=true`, { token: user.token, body: { record_ids: [rec.id, "missing"], data: { title: "no" } } });
      expect(bad.status).toBe(422);
      expect(seen).toHaveLength(1);
      const { db } = t.app.services;
      const rows = await db.query<{ type: string; payload: string }>(db.qb.selectFrom("_events").select(["type", "payload"]).where("record_id", "=", rec.id));
      expect(rows.map((r) => r.type)).toEqual(["record.create"]);
      expect(JSON.parse(rows[0]!.payload).title).toBe("evented");
    } finally {
      off();
    }
  });

  it("keeps concurrent writes, rollbacks and Prisma writes apart", async () => {
    const before = (await t.api("GET", `${base}?skip_total=false&per_page=1`, { token: user.token })).body.total;
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      ops.push(t.api("POST", base, { token: user.token, body: { data: { title: `conc ${i}` } } }).then((r) => expect(r.status).toBe(201)));
      ops.push(t.api("POST", `${base}/bulk-update?atomic=true`, { token: user.token, body: { record_ids: ["missing"], data: { title: "x" } } }).then((r) => expect(r.status).toBe(422)));
      ops.push(registerUser(t.api));
    }
    await Promise.all(ops);
    const after = (await t.api("GET", `${base}?per_page=1`, { token: user.token })).body.total;
    expect(after - before).toBe(20);
  });
});

describe("persistence", () => {
  it("keeps collections and records across a restart", async () => {
    const rec = await create({ title: "durable" });
    const { createApp } = await import("../../src/app.ts");
    await t.app.close();
    const again = await createApp(t.config);
    const url = await again.listen();
    try {
      const { apiClient } = await import("../helpers/app.ts");
      const api = apiClient(url);
      const res = await api("GET", `${base}/${rec.id}`, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body.data.title).toBe("durable");
    } finally {
      await again.close();
    }
  });
});
