/**
 * A field that becomes required (added as required, or an optional field turned required) on a
 * collection that already has records, over real HTTP on SQLite and PostgreSQL: without a
 * default and with records (of any account) that would hold no value the change is refused —
 * 422 naming the field and the count (400 with a SnackBase code for a SnackBase-shaped body,
 * a GraphQL error for `updateCollection`) — and nothing changes; with a default the empty rows
 * get it in one UPDATE in the same transaction, so REST shows it and GraphQL lists, where the
 * field is non-null, keep working. An empty collection takes a required field without default.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant, type Tenant } from "../helpers/snackbase.ts";
import { recordStatements } from "../helpers/statements.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let tenant: Tenant;

const admin = (method: string, path: string, body?: unknown) => t.api(method, `/api/v1${path}`, { token: t.adminToken, body });

async function createColl(name: string, schema: unknown[]) {
  const res = await admin("POST", "/collections", { name, schema, create_rule: "", list_rule: "", view_rule: "" });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function addRecord(coll: string, data: Record<string, unknown>): Promise<string> {
  const res = await admin("POST", `/collections/${coll}/records`, { data });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** A record in the tenant's account (another account than the superadmin's). */
async function addTenantRecord(coll: string, data: Record<string, unknown>): Promise<string> {
  const res = await t.api("POST", `/api/v1/records/${coll}`, { token: tenant.admin.token, body: data });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function restData(coll: string): Promise<Record<string, unknown>[]> {
  const res = await admin("GET", `/collections/${coll}/records?per_page=100&sort=created`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((i: any) => i.data);
}

/** The field's definition as the collections API shows it. */
async function fieldDef(coll: string, name: string): Promise<any> {
  const res = await admin("GET", `/collections/${coll}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.schema.find((f: any) => f.name === name);
}

async function columns(table: string): Promise<string[]> {
  const db = t.app.services.db;
  const q =
    db.dialect === "sqlite"
      ? sql<{ n: string }>`SELECT name AS n FROM pragma_table_info(${table})`
      : sql<{ n: string }>`SELECT column_name AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`;
  return (await db.query<{ n: string }>(q.compile(db.qb))).map((r) => r.n);
}

/** Raw column values of every row (all accounts), straight from the table. */
async function rawValues(table: string, column: string): Promise<unknown[]> {
  const db = t.app.services.db;
  const q = sql<{ v: unknown }>`SELECT ${sql.ref(column)} AS v FROM ${sql.table(table)} ORDER BY id`;
  return (await db.query<{ v: unknown }>(q.compile(db.qb))).map((r) => r.v);
}

/** A GraphQL query as the superadmin; fails on any error (a non-null violation nulls the whole list). */
async function graphql(query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(t.url, query, variables, t.adminToken);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data;
}

async function fieldKind(type: string, field: string): Promise<string> {
  const d = await graphql(
    `
      query ($n: String!) {
        __type(name: $n) {
          fields {
            name
            type {
              kind
            }
          }
        }
      }
    `,
    { n: type },
  );
  return d.__type.fields.find((f: any) => f.name === field).type.kind;
}

beforeAll(async () => {
  t = await startApp();
  tenant = await signUpTenant(t, "Guard Depot");
});
afterAll(() => t?.close());

describe("adding a required field to a collection with records", () => {
  beforeAll(async () => {
    await createColl("parcels", [{ name: "label", type: "text" }]);
    await addRecord("parcels", { label: "p1" });
    await addRecord("parcels", { label: "p2" });
    await addTenantRecord("parcels", { label: "tenant's" });
  });

  it("is refused without a default: 422 naming the field and the count of every account's records; nothing changes", async () => {
    const res = await admin("PATCH", "/collections/parcels", {
      schema: [
        { name: "label", type: "text" },
        { name: "weight", type: "number", validation: { required: true } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body).toMatchObject({
      code: "VALIDATION_ERROR",
      message: "Field 'weight' is required but 3 records have no value: give it a default or fill them first",
      details: { "schema[1].required": expect.stringContaining("3 records have no value for required field 'weight'") },
    });
    expect(await columns("parcels")).not.toContain("weight");
    expect(await fieldDef("parcels", "weight")).toBeUndefined();
    expect(
      (
        await graphql(`
          {
            parcels(orderBy: [{ label: ASC }]) {
              nodes {
                label
              }
            }
          }
        `)
      ).parcels.nodes.map((n: any) => n.label),
    ).toEqual(["p1", "p2"]);
  });

  it("is refused through GraphQL updateCollection too", async () => {
    const r = await gql(
      t.url,
      `mutation { updateCollection(id: "parcels", input: { fields: [{ name: "label", type: "text" }, { name: "weight", type: "number", required: true }] }) { name } }`,
      undefined,
      t.adminToken,
    );
    expect(r.body.errors?.[0]?.message, JSON.stringify(r.body)).toBe("Field 'weight' is required but 3 records have no value: give it a default or fill them first");
    expect(await columns("parcels")).not.toContain("weight");
  });

  it("answers a SnackBase-shaped body with 400 and a code", async () => {
    const res = await admin("PUT", "/collections/parcels", {
      schema: [
        { name: "label", type: "text" },
        { name: "weight", type: "number", required: true },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: "Validation error", details: [{ field: "schema[1].required", code: "required_field_has_nulls", message: expect.stringContaining("'weight'") }] });
    expect(await columns("parcels")).not.toContain("weight");
  });

  it("with a default gives it to every existing record in one UPDATE; REST and the non-null GraphQL field show it", async () => {
    const rec = recordStatements(t.app.services.db, { writes: true, transactions: true });
    let res;
    try {
      res = await admin("PATCH", "/collections/parcels", {
        schema: [
          { name: "label", type: "text" },
          { name: "weight", type: "number", validation: { required: true, default: 1.5 } },
        ],
      });
    } finally {
      rec.restore();
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(rec.texts().filter((s) => /^update "parcels"/i.test(s.trim()))).toHaveLength(1);
    expect(await restData("parcels")).toEqual([
      { label: "p1", weight: 1.5 },
      { label: "p2", weight: 1.5 },
    ]);
    expect((await rawValues("parcels", "weight")).map(Number)).toEqual([1.5, 1.5, 1.5]);
    const mine = await t.api("GET", "/api/v1/records/parcels", { token: tenant.admin.token });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.items).toMatchObject([{ label: "tenant's", weight: 1.5 }]);
    expect(await fieldKind("Parcel", "weight")).toBe("NON_NULL");
    expect(
      (
        await graphql(`
          {
            parcels(orderBy: [{ label: ASC }]) {
              nodes {
                label
                weight
              }
            }
          }
        `)
      ).parcels.nodes,
    ).toEqual([
      { label: "p1", weight: 1.5 },
      { label: "p2", weight: 1.5 },
    ]);
  });

  it("refuses a unique required field whose default would fill several records of one account", async () => {
    const res = await admin("PATCH", "/collections/parcels", {
      schema: [
        { name: "label", type: "text" },
        { name: "weight", type: "number", validation: { required: true, default: 1.5 } },
        { name: "code", type: "text", validation: { required: true, unique: true, default: "x" } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body).toMatchObject({ message: expect.stringContaining("Field 'code' is unique"), details: { "schema[2].default": expect.any(String) } });
    expect(await columns("parcels")).not.toContain("code");
  });
});

describe("making an optional field required", () => {
  beforeAll(async () => {
    await createColl("satchels", [
      { name: "label", type: "text" },
      { name: "note", type: "text" },
    ]);
    await addRecord("satchels", { label: "s1", note: "kept" });
    await addRecord("satchels", { label: "s2" });
  });

  it("is refused while a record has no value and no default is given; the field stays optional", async () => {
    const res = await admin("PATCH", "/collections/satchels", {
      schema: [
        { name: "label", type: "text" },
        { name: "note", type: "text", validation: { required: true } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.message).toBe("Field 'note' is required but 1 record has no value: give it a default or fill them first");
    expect(await fieldDef("satchels", "note")).toMatchObject({ required: false });
    expect(await restData("satchels")).toEqual([
      { label: "s1", note: "kept" },
      { label: "s2", note: null },
    ]);
    expect(await fieldKind("Satchel", "note")).not.toBe("NON_NULL");
  });

  it("with a default fills only the empty records, and search finds the filled value", async () => {
    const res = await admin("PATCH", "/collections/satchels", {
      schema: [
        { name: "label", type: "text" },
        { name: "note", type: "text", validation: { required: true }, default: "unsorted" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await restData("satchels")).toEqual([
      { label: "s1", note: "kept" },
      { label: "s2", note: "unsorted" },
    ]);
    const found = await admin("GET", "/collections/satchels/records?search=unsorted");
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.items.map((i: any) => i.data.label)).toEqual(["s2"]);
    expect(await fieldKind("Satchel", "note")).toBe("NON_NULL");
    expect(
      (
        await graphql(`
          {
            satchels(orderBy: [{ label: ASC }]) {
              nodes {
                label
                note
              }
            }
          }
        `)
      ).satchels.nodes,
    ).toEqual([
      { label: "s1", note: "kept" },
      { label: "s2", note: "unsorted" },
    ]);
  });

  it("is accepted without a default when every record has a value", async () => {
    await createColl("totes", [{ name: "label", type: "text" }]);
    await addRecord("totes", { label: "t1" });
    await addTenantRecord("totes", { label: "t2" });
    const res = await admin("PATCH", "/collections/totes", { schema: [{ name: "label", type: "text", validation: { required: true } }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await fieldDef("totes", "label")).toMatchObject({ required: true });
    expect(
      (
        await graphql(`
          {
            totes {
              nodes {
                label
              }
            }
          }
        `)
      ).totes.nodes,
    ).toEqual([{ label: "t1" }]);
  });
});

describe("an empty collection", () => {
  it("accepts a required field without a default", async () => {
    await createColl("pouches", [{ name: "label", type: "text" }]);
    const res = await admin("PATCH", "/collections/pouches", {
      schema: [
        { name: "label", type: "text" },
        { name: "size", type: "number", validation: { required: true } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await columns("pouches")).toContain("size");
    const missing = await admin("POST", "/collections/pouches/records", { data: { label: "no size" } });
    expect(missing.status, JSON.stringify(missing.body)).toBe(422);
    await addRecord("pouches", { label: "sized", size: 3 });
    expect(
      (
        await graphql(`
          {
            pouches {
              nodes {
                label
                size
              }
            }
          }
        `)
      ).pouches.nodes,
    ).toEqual([{ label: "sized", size: 3 }]);
  });
});
