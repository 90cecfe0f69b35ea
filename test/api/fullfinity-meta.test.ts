/**
 * Fullfinity name search (prefix matches first, rules applied), registry (field definitions in
 * Fullfinity's vocabulary), clone (unique values made unique) and resequence (renumbering in
 * one transaction, safe under concurrent moves). Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { fullfinityClient, OPEN_RULES, SIGNED_IN } from "../helpers/fullfinity.ts";

let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };

const { ff, collection, create } = fullfinityClient(() => t);
const open = OPEN_RULES;

beforeAll(async () => {
  t = await startApp();
  [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
  await collection({ ...open, name: "categories", schema: [{ name: "title", type: "text" }] });
  await collection({
    ...open,
    list_rule: `${SIGNED_IN} && secret != true`,
    name: "products",
    options: { monetary_fields: ["price"] },
    schema: [
      { name: "name", type: "text", required: true, max_length: 120 },
      { name: "sku", type: "text", unique: true },
      { name: "slug", type: "text", unique: true, pattern: "^[a-z0-9-]+$" },
      { name: "price", type: "number", default: 0 },
      { name: "stock", type: "number", integer: true },
      { name: "active", type: "bool" },
      { name: "kind", type: "select", values: ["good", "service"] },
      { name: "category", type: "reference", relation: { collection: "categories" } },
      { name: "notes", type: "textarea" },
      { name: "meta", type: "json" },
      { name: "released", type: "date" },
      { name: "secret", type: "bool" },
    ],
  });
  await collection({
    ...open,
    name: "stages",
    schema: [
      { name: "name", type: "text" },
      { name: "sequence", type: "number" },
      { name: "position", type: "text" },
    ],
  });
});

afterAll(async () => {
  await t?.close();
});

describe("name_search", () => {
  it("answers prefix matches first, then other matches, under the rules", async () => {
    for (const name of ["Product B", "Big product", "product a", "Other", "Reproduct", "Product hidden"]) await create("products", { name, secret: name.endsWith("hidden") });
    const res = await ff("POST", "/api/name_search/products", { term: "product", limit: 10 }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.map((r: { display_name: string }) => r.display_name)).toEqual(["Product B", "product a", "Big product", "Reproduct"]);
    expect(Object.keys(res.body.data[0]).sort()).toEqual(["display_name", "id"]);
    const limited = await ff("POST", "/api/name_search/products", { term: "PRODUCT", limit: 3 }, alice.token);
    expect(limited.body.data.map((r: { display_name: string }) => r.display_name)).toEqual(["Product B", "product a", "Big product"]);
    // startswith matches case exactly: "product a" is not excluded
    const filtered = await ff("POST", "/api/name_search/products", { term: "pro", filter: "~Q(name__startswith='Product')" }, alice.token);
    expect(filtered.body.data.map((r: { display_name: string }) => r.display_name)).toEqual(["product a", "Big product", "Reproduct"]);
    const admin = await ff("POST", "/api/name_search/products", { term: "product hid" });
    expect(admin.body.data.map((r: { display_name: string }) => r.display_name)).toEqual(["Product hidden"]);
    const bad = await ff("POST", "/api/name_search/products", { term: "x", filter: "Q(" }, alice.token);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/position 2/);
    const tooMany = await ff("POST", "/api/name_search/products", { term: "x", limit: 1000 }, alice.token);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toMatch(/limit/);
    const cats = await ff("POST", "/api/name_search/categories", { term: "" }, alice.token);
    expect(cats.body).toEqual({ data: [] });
  });
});

describe("get_registry", () => {
  it("describes the fields in Fullfinity's vocabulary", async () => {
    const res = await ff("GET", "/api/get_registry/products", undefined, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const r = res.body;
    expect(r.name).toEqual({ type: "Char", required: true, max_length: 120 });
    expect(r.sku).toEqual({ type: "Char", required: false, max_length: 255, unique: true });
    expect(r.price).toEqual({ type: "Monetary", required: false, default: 0 });
    expect(r.stock).toEqual({ type: "Integer", required: false });
    expect(r.active).toEqual({ type: "Boolean", required: false });
    expect(r.kind).toEqual({
      type: "Selection",
      required: false,
      options: [
        ["good", "good"],
        ["service", "service"],
      ],
    });
    expect(r.category).toEqual({ type: "ManyToOne", related_model: "categories", required: false });
    expect(r.notes.type).toBe("Text");
    expect(r.meta.type).toBe("Json");
    expect(r.released.type).toBe("Date");
    expect(r.created.type).toBe("Datetime");
    const cat = await ff("GET", "/api/get_registry/categories", undefined, alice.token);
    expect(cat.body.products_via_category).toMatchObject({ type: "OneToMany", related_model: "products", related_field: "category" });
    const missing = await ff("GET", "/api/get_registry/nothing", undefined, alice.token);
    expect(missing.status).toBe(404);
    const anon = await ff("GET", "/api/get_registry/products", undefined, "");
    expect(anon.status).toBe(401);
  });
});

describe("clone", () => {
  it("copies under a new id with unique values made unique", async () => {
    const id = await create("products", { name: "Lamp", sku: "LAMP-1", slug: "lamp", price: 12.5, kind: "good" }, alice.token);
    const first = await ff("POST", "/api/clone/products", { id }, alice.token);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ name: "Lamp", sku: "LAMP-1 (copy)", slug: "lamp-copy", price: 12.5, kind: "good", display_name: "Lamp", version: 1 });
    expect(first.body.id).not.toBe(id);
    const second = await ff("POST", "/api/clone/products", { id }, alice.token);
    expect(second.body).toMatchObject({ sku: "LAMP-1 (copy 2)", slug: "lamp-copy-2" });
    const missing = await ff("POST", "/api/clone/products", { id: "nope" }, alice.token);
    expect(missing.status).toBe(404);
    const anon = await ff("POST", "/api/clone/products", { id }, "");
    expect(anon.status).toBe(401);
  });
});

describe("resequence", () => {
  const names = ["A", "B", "C", "D", "E"];
  const ids = new Map<string, string>();
  const order = async () => {
    const res = await ff("POST", "/api/query/stages", { fields: ["name", "sequence"], order_by: ["sequence ASC"], limit: 100 }, alice.token);
    return res.body.data.map((r: { name: string }) => r.name).join("");
  };

  beforeAll(async () => {
    for (const [i, name] of names.entries()) ids.set(name, await create("stages", { name, sequence: (i + 1) * 10 }, alice.token));
  });

  it("moves a record after another, or first, renumbering", async () => {
    const res = await ff("POST", "/api/resequence/stages", { dropped_column_id: ids.get("D"), after_column_id: ids.get("A"), sequence_field: "sequence" }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ sequence: 2 });
    expect(await order()).toBe("ADBCE");
    const first = await ff("POST", "/api/resequence/stages", { dropped_column_id: ids.get("E"), after_column_id: null }, alice.token);
    expect(first.body.sequence).toBe(1);
    expect(await order()).toBe("EADBC");
    const seqs = await ff("POST", "/api/query/stages", { fields: ["sequence"], order_by: ["sequence ASC"] }, alice.token);
    expect(seqs.body.data.map((r: { sequence: number }) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    const errors: [unknown, number, RegExp][] = [
      [{ dropped_column_id: ids.get("A"), after_column_id: ids.get("A") }, 400, /after itself/],
      [{ dropped_column_id: ids.get("A"), after_column_id: null, sequence_field: "position" }, 400, /not a number field/],
      [{ dropped_column_id: "nope", after_column_id: null }, 404, /nope/],
      [{ dropped_column_id: ids.get("A"), after_column_id: "nope" }, 404, /nope/],
    ];
    for (const [body, status, message] of errors) {
      const r = await ff("POST", "/api/resequence/stages", body, alice.token);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.detail).toMatch(message);
    }
    const anon = await ff("POST", "/api/resequence/stages", { dropped_column_id: ids.get("A"), after_column_id: null }, "");
    expect(anon.status).toBe(401);
  });

  it("moves, clones and searches through GraphQL too", async () => {
    const gql = (query: string, variables: Record<string, unknown>) => t.api("POST", "/graphql", { token: alice.token, body: { query, variables } });
    const moved = await gql('mutation($id: ID!) { resequenceRecord(collection: "stages", id: $id) { sequence changed } }', { id: ids.get("C") });
    expect(moved.body.errors).toBeUndefined();
    expect(moved.body.data.resequenceRecord.sequence).toBe(1);
    expect((await order())[0]).toBe("C");
    const clone = await gql('mutation($id: ID!) { cloneRecord(collection: "stages", id: $id) }', { id: ids.get("C") });
    expect(clone.body.data.cloneRecord).toMatchObject({ name: "C", version: 1 });
    await ff("DELETE", `/api/delete/stages/${clone.body.data.cloneRecord.id}`, undefined, alice.token);
    const found = await gql('query { nameSearch(collection: "stages", term: "c") { id displayName } }', {});
    expect(found.body.data.nameSearch).toEqual([{ id: ids.get("C"), displayName: "C" }]);
  });

  it("keeps every move under concurrency: the result is a permutation numbered 1…n", async () => {
    const moves = Array.from({ length: 12 }, (_, i) => ({ dropped_column_id: ids.get(names[i % 5]!), after_column_id: ids.get(names[(i * 3 + 1) % 5]!) })).filter(
      (m) => m.dropped_column_id !== m.after_column_id,
    );
    const results = await Promise.all(moves.map((m, i) => ff("POST", "/api/resequence/stages", m, i % 2 ? alice.token : bob.token)));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const seqs = await ff("POST", "/api/query/stages", { fields: ["name", "sequence"], order_by: ["sequence ASC"] }, alice.token);
    expect(seqs.body.data.map((r: { sequence: number }) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(seqs.body.data.map((r: { name: string }) => r.name).sort()).toEqual(names);
    // the last move wins: its record sits right after its target
    const last = moves[moves.length - 1]!;
    const final = await ff("POST", "/api/resequence/stages", last, alice.token);
    expect(final.status).toBe(200);
    const after = (await order()) as string;
    const dropped = [...ids].find(([, v]) => v === last.dropped_column_id)![0];
    const target = [...ids].find(([, v]) => v === last.after_column_id)![0];
    expect(after.indexOf(dropped)).toBe(after.indexOf(target) + 1);
  });
});
