/**
 * The SQL pieces a list caches per collection definition (core/records/list-statement.ts) follow
 * schema changes: after a field is added, renamed or dropped, the same list request (same filter,
 * sort, projection and page) reads the collection as it now is, its total included. Each list is
 * asked twice before every change, so the cached pieces exist when the schema moves under them.
 * The checked filter (core/records/checked-filter.ts) is cached too: the caller's access rule is
 * part of it, so the same filter text asked by two users, or after a rule change, is answered
 * under each one's rule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";

describe("cached list statements follow schema changes", () => {
  let t: TestApp;
  const base = "/api/v1/collections/notes/records";
  const list = async (qs: string) => {
    const r = await t.api("GET", `${base}?${qs}`, { token: t.adminToken });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { items: { data: Record<string, unknown> }[]; total: number };
  };
  const twice = async (qs: string) => {
    await list(qs);
    return list(qs);
  };
  const patchSchema = async (edit: (schema: any[]) => any[]) => {
    const coll = (await t.api("GET", "/api/v1/collections/notes", { token: t.adminToken })).body;
    const up = await t.api("PATCH", "/api/v1/collections/notes", { token: t.adminToken, body: { schema: edit(coll.schema) } });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
  };

  beforeAll(async () => {
    t = await startApp();
    const c = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "notes", schema: [{ name: "title", type: "text" }] } });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    for (const title of ["alpha one", "beta one", "alpha two"]) expect((await t.api("POST", base, { token: t.adminToken, body: { data: { title } } })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it("adds, renames and drops fields under a cached list", async () => {
    const filtered = `filter=${encodeURIComponent('title~"alpha"')}&sort=id&per_page=1&page=2`;
    let r = await twice(filtered);
    expect(r.total).toBe(2);
    expect(Object.keys(r.items[0]!.data)).toEqual(["title"]);
    expect((await twice("sort=-created")).items.map((i) => Object.keys(i.data))).toEqual([["title"], ["title"], ["title"]]);

    await patchSchema((s) => [...s, { name: "views", type: "number" }]);
    expect((await t.api("POST", base, { token: t.adminToken, body: { data: { title: "alpha three", views: 7 } } })).status).toBe(201);
    r = await list(filtered);
    expect(r.total).toBe(3);
    expect(Object.keys(r.items[0]!.data)).toEqual(["title", "views"]);
    expect((await list(`filter=${encodeURIComponent("views>5")}&sort=id`)).items.map((i) => i.data)).toEqual([{ title: "alpha three", views: 7 }]);
    await twice("sort=-created");

    await patchSchema((s) => s.map((f) => (f.name === "title" ? { ...f, name: "heading" } : f)));
    r = await list("sort=-created");
    expect(r.items.map((i) => i.data.heading).sort()).toEqual(["alpha one", "alpha three", "alpha two", "beta one"]);
    expect((await list(`filter=${encodeURIComponent('heading~"alpha"')}&sort=id&per_page=1&page=2`)).total).toBe(3);

    await twice(`filter=${encodeURIComponent("views>5")}&sort=id`);
    await patchSchema((s) => s.filter((f) => f.name !== "views"));
    r = await list("sort=-created");
    expect(r.items.map((i) => "views" in i.data)).toEqual([false, false, false, false]);
    expect(r.items.map((i) => i.data.heading).sort()).toEqual(["alpha one", "alpha three", "alpha two", "beta one"]);
    // the filter checked before the field was dropped is checked again
    const gone = await t.api("GET", `${base}?filter=${encodeURIComponent("views>5")}&sort=id`, { token: t.adminToken });
    expect(gone.status, JSON.stringify(gone.body)).toBe(400);
    expect(JSON.stringify(gone.body)).toMatch(/views/);
  });

  it("answers the same filter under each caller's access rule, and under a changed rule", async () => {
    const owner = "@request.auth.id = owner_id";
    const made = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: { name: "diaries", list_rule: owner, view_rule: owner, create_rule: '@request.auth.id != ""', schema: [{ name: "title", type: "text" }] },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const alice = await registerUser(t.api);
    const bob = await registerUser(t.api);
    const path = "/api/v1/collections/diaries/records";
    for (const [who, title] of [
      [alice, "dear diary, alice"],
      [bob, "dear diary, bob"],
      [bob, "a note of bob"],
    ] as const)
      expect((await t.api("POST", path, { token: who.token, body: { data: { title } } })).status).toBe(201);
    const titles = async (token: string) => {
      const r = await t.api("GET", `${path}?filter=${encodeURIComponent('title~"diary"')}&sort=id`, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return { titles: r.body.items.map((i: any) => i.data.title).sort(), total: r.body.total };
    };
    for (let round = 0; round < 2; round++) {
      expect(await titles(alice.token)).toEqual({ titles: ["dear diary, alice"], total: 1 });
      expect(await titles(bob.token)).toEqual({ titles: ["dear diary, bob"], total: 1 });
      expect(await titles(t.adminToken)).toEqual({ titles: ["dear diary, alice", "dear diary, bob"], total: 2 });
    }
    const opened = await t.api("PATCH", "/api/v1/collections/diaries", { token: t.adminToken, body: { list_rule: "" } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(await titles(alice.token)).toEqual({ titles: ["dear diary, alice", "dear diary, bob"], total: 2 });
    const closed = await t.api("PATCH", "/api/v1/collections/diaries", { token: t.adminToken, body: { list_rule: owner } });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(await titles(bob.token)).toEqual({ titles: ["dear diary, bob"], total: 1 });
  });
});
