/**
 * Names that mean something to JavaScript objects (`__proto__`, `constructor`, `prototype`,
 * `toString`, …) are plain data wherever a client sends them: as record ids, record keys, JSON
 * field keys, filter and sort field names, setting keys, role names and collection names. Each
 * answers like any other unknown or ordinary name — never a 500, never a polluted object.
 * Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "./graphql-helpers.ts";
import { registerUser, startApp, type ApiResponse, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let user: string;
const R = "/api/v1/collections/things/records";
const SIGNED_IN = '@request.auth.id != ""';
const RULES = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };
const NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf"];
let recordId: string;

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      ...RULES,
      name: "things",
      schema: [
        { name: "name", type: "text" },
        { name: "meta", type: "json" },
      ],
    },
  });
  expect(res.status).toBe(201);
  user = (await registerUser(t.api)).token;
  recordId = (await t.api("POST", R, { token: user, body: { data: { name: "x" } } })).body.id;
});
afterAll(async () => t?.close());

/** A 4xx with the documented error body, and nothing of the server's internals. */
function clientError(res: ApiResponse, status: number | number[]): void {
  const allowed = Array.isArray(status) ? status : [status];
  expect(allowed, `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toContain(res.status);
  expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String), code: expect.any(String) });
}

describe.each(NAMES)("%s", (name) => {
  const enc = encodeURIComponent(name);

  it("as a record id: 404 on get, update and delete", async () => {
    clientError(await t.api("GET", `${R}/${enc}`, { token: user }), 404);
    clientError(await t.api("PATCH", `${R}/${enc}`, { token: user, body: { data: { name: "y" } } }), 404);
    clientError(await t.api("DELETE", `${R}/${enc}`, { token: user }), 404);
  });

  it("as a bulk record id: atomic 422 naming the id, nothing changed; each on its own: that id failed", async () => {
    for (const op of ["bulk-update", "bulk-delete"]) {
      const body = op === "bulk-update" ? { record_ids: [name, recordId], data: { name: "changed" } } : { record_ids: [recordId, name] };
      const res = await t.api("POST", `${R}/${op}?atomic=true`, { token: user, body });
      clientError(res, 422);
      expect(Object.keys(res.body.details)).toEqual([name]);
      expect(res.body.details[name]).toContain(name);
    }
    const still = await t.api("GET", `${R}/${recordId}`, { token: user });
    expect(still.status).toBe(200);
    expect(still.body.data.name).toBe("x");
    const each = await t.api("POST", `${R}/bulk-update`, { token: user, body: { record_ids: [name], data: { name: "y" } } });
    expect(each.status).toBe(200);
    expect(each.body).toEqual({ success: 0, failed: 1, errors: [{ record_id: name, error: expect.stringContaining("not found") }], record_ids: [] });
  });

  it("as a record key: 400 unknown field", async () => {
    const res = await t.api("POST", R, { token: user, raw: JSON.stringify({ data: { name: "n" } }).replace('"name"', JSON.stringify(name)) });
    clientError(res, 400);
    expect(res.body.message).toContain(name);
  });

  it("as a JSON field key: stored and returned as data", async () => {
    const raw = `{"data":{"name":"j","meta":{${JSON.stringify(name)}:{"polluted":true},"inner":{${JSON.stringify(name)}:[1]}}}}`;
    const created = await t.api("POST", R, { token: user, raw });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const got = await t.api("GET", `${R}/${created.body.id}`, { token: user });
    const meta = got.body.data.meta;
    expect(Object.keys(meta).sort()).toEqual([name, "inner"].sort());
    expect(Object.getOwnPropertyDescriptor(meta, name)?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(meta.inner, name)?.value).toEqual([1]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("as a filter or sort field: 400 naming it", async () => {
    for (const filter of [`${name} = 1`, `meta.${name} = 1`, `name = 'a' || ${name} != ''`]) {
      const res = await t.api("GET", `${R}?filter=${encodeURIComponent(filter)}`, { token: user });
      clientError(res, 400);
    }
    for (const sort of [name, `-${name}`, `name,${name}`]) clientError(await t.api("GET", `${R}?sort=${encodeURIComponent(sort)}`, { token: user }), 400);
  });

  it("as a GraphQL where key or JSON value key", async () => {
    const where = await gql(t.url, `query($w: ThingWhere) { things(where: $w) { totalCount } }`, { w: JSON.parse(`{${JSON.stringify(name)}:{"eq":"x"}}`) }, user);
    expect(where.status).toBe(400);
    expect(where.body.errors[0].message).toContain(name);
    const meta = JSON.parse(`{${JSON.stringify(name)}:{"a":1}}`);
    const created = await gql(t.url, `mutation($m: JSON) { createThing(data: { name: "g", meta: $m }) { id meta } }`, { m: meta }, user);
    expect(created.body.errors).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(created.body.data.createThing.meta, name)?.value).toEqual({ a: 1 });
  });

  it("as a collection name or field name: a clear answer", async () => {
    clientError(await t.api("GET", `/api/v1/collections/${enc}/records`, { token: user }), 404);
    clientError(await t.api("GET", `/api/v1/collections/${enc}`, { token: t.adminToken }), 404);
    const coll = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: `c_${name.replace(/_/g, "").toLowerCase()}`, schema: [{ name, type: "text" }] } });
    expect([201, 422], JSON.stringify(coll.body)).toContain(coll.status);
    if (coll.status === 201) {
      const path = `/api/v1/collections/${coll.body.name}/records`;
      const rec = await t.api("POST", path, { token: t.adminToken, raw: `{"data":{${JSON.stringify(name)}:"v"}}` });
      expect(rec.status, JSON.stringify(rec.body)).toBe(201);
      expect(Object.getOwnPropertyDescriptor(rec.body.data, name)?.value).toBe("v");
    } else clientError(coll, 422);
  });

  it("as a setting key or category", async () => {
    const saved = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: name, value: { [name]: 1 } } });
    expect([200, 422], JSON.stringify(saved.body)).toContain(saved.status);
    const all = await t.api("GET", "/api/v1/settings", { token: t.adminToken });
    expect(all.status).toBe(200);
    if (saved.status === 200) expect(Object.getOwnPropertyDescriptor(all.body.app, name)?.value).toMatchObject({ value: { [name]: 1 } });
    clientError(await t.api("GET", `/api/v1/settings/${enc}`, { token: t.adminToken }), 422);
    const del = await t.api("DELETE", `/api/v1/settings/${enc}`, { token: t.adminToken });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: saved.status === 200 });
  });

  it("as a role name or permission collection", async () => {
    clientError(await t.api("GET", `/api/v1/roles/${enc}`, { token: t.adminToken }), 404);
    clientError(await t.api("GET", `/api/v1/roles/${enc}/permissions`, { token: t.adminToken }), 404);
    const role = await t.api("POST", "/api/v1/roles", { token: t.adminToken, body: { name } });
    expect([201, 422], JSON.stringify(role.body)).toContain(role.status);
    if (role.status === 201) {
      const got = await t.api("GET", `/api/v1/roles/${enc}`, { token: t.adminToken });
      expect(got.body).toMatchObject({ name });
    } else clientError(role, 422);
    const bulk = await t.api("PUT", "/api/v1/roles/user/permissions/bulk", { token: t.adminToken, body: { updates: [{ collection: name, operation: "read", rule: "true" }] } });
    expect([200, 422], JSON.stringify(bulk.body)).toContain(bulk.status);
    if (bulk.status === 200) expect(JSON.stringify(bulk.body.errors)).toContain(name);
    const rule = await t.api("POST", "/api/v1/roles/test-rule", { token: t.adminToken, raw: `{"rule":"polluted = true","context":{"record":{${JSON.stringify(name)}:{"polluted":true}}}}` });
    expect(rule.status).toBe(200);
    expect(rule.body.allowed).toBe(false);
  });

  it("as a user id or query parameter", async () => {
    clientError(await t.api("GET", `/api/v1/users/${enc}`, { token: t.adminToken }), 404);
    const list = await t.api("GET", `${R}?${enc}=1`, { token: user });
    expect(list.status).toBe(200);
  });
});

describe("names of Object.prototype members in definitions and filters", () => {
  it("a field named constructor is a field like any other: required, filtered, sorted, over REST and GraphQL", async () => {
    const coll = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        ...RULES,
        name: "protos",
        schema: [
          { name: "constructor", type: "text", validation: { required: true } },
          { name: "toString", type: "number" },
        ],
      },
    });
    expect(coll.status, JSON.stringify(coll.body)).toBe(201);
    const path = "/api/v1/collections/protos/records";
    const missing = await t.api("POST", path, { token: user, body: { data: { toString: 1 } } });
    clientError(missing, 422);
    expect(Object.keys(missing.body.details)).toEqual(["constructor"]);
    for (const [c, n] of [
      ["b", 2],
      ["a", 1],
    ] as const)
      expect((await t.api("POST", path, { token: user, body: { data: { constructor: c, toString: n } } })).status).toBe(201);
    const list = await t.api("GET", `${path}?filter=${encodeURIComponent("constructor = 'a' || toString = 2")}&sort=constructor`, { token: user });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: any) => r.data.constructor)).toEqual(["a", "b"]);
    const q = await gql(t.url, `{ protos(where: { constructor: { eq: "b" } }, orderBy: [{ toString: DESC }]) { nodes { constructor toString } } }`, undefined, user);
    expect(q.body).toEqual({ data: { protos: { nodes: [{ constructor: "b", toString: 2 }] } } });
  });

  it("an unknown body key named __proto__ is reported like any unknown key", async () => {
    const role = await t.api("POST", "/api/v1/roles", { token: t.adminToken, raw: '{"name":"proto_role","__proto__":{"name":"x"}}' });
    clientError(role, 422);
    expect(Object.keys(role.body.details)).toEqual(["__proto__"]);
    const rules = await t.api("PUT", "/api/v1/collections/things/rules", { token: t.adminToken, raw: '{"__proto__":{"list_rule":"true"}}' });
    clientError(rules, 422);
    expect(Object.keys(rules.body.details)).toEqual(["__proto__"]);
  });

  it("a rule reading @request.query or @request.headers under a prototype name reads the request only", async () => {
    const coll = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: { name: "gated", list_rule: '@request.query.constructor = "open" || @request.headers.constructor = "open"', schema: [{ name: "n", type: "number" }] },
    });
    expect(coll.status, JSON.stringify(coll.body)).toBe(201);
    expect((await t.api("POST", "/api/v1/collections/gated/records", { token: t.adminToken, body: { data: { n: 1 } } })).status).toBe(201);
    const path = "/api/v1/collections/gated/records";
    const closed = await t.api("GET", path, { token: user });
    expect(closed.status, JSON.stringify(closed.body)).toBe(403);
    expect(closed.body.code).toBe("FORBIDDEN");
    expect((await t.api("GET", `${path}?constructor=open`, { token: user })).body.items).toHaveLength(1);
    expect((await t.api("GET", path, { token: user, headers: { constructor: "open" } })).body.items).toHaveLength(1);
  });

  it("a field type or filter word named after a prototype member is unknown", async () => {
    const coll = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "badtype", schema: [{ name: "a", type: "constructor" }] } });
    clientError(coll, 422);
    for (const filter of ["created > @constructor", "created > @toString", "name = @request.auth.__proto__", "name = user.constructor"]) {
      const res = await t.api("GET", `${R}?filter=${encodeURIComponent(filter)}`, { token: user });
      expect([200, 400], `${filter}: ${JSON.stringify(res.body)}`).toContain(res.status);
      if (res.status === 400) clientError(res, 400);
      else expect(res.body.items).toEqual([]);
    }
  });
});
