/**
 * Per-role GraphQL schemas and precise types (issue 13 parts 1 and 3), over real HTTP: two roles
 * with different field permissions each introspect their own schema (fields never readable are
 * absent, required readable fields non-null, inputs hold only writable fields, operations the
 * role may not use are absent), anonymous callers see no collection they cannot list (and get 401
 * for one a signed-in caller could use), select fields are enums with mapped value names in
 * results, inputs and `where`, and permission and collection changes reach the cached schemas at
 * once. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant, tenantUser, type Actor } from "../helpers/snackbase.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let clerk: Actor;
let auditor: Actor;
let clerkRole: number;

const LEDGER_FIELDS = [
  { name: "title", type: "text", validation: { required: true } },
  { name: "amount", type: "number", validation: { required: true } },
  { name: "note", type: "text" },
  { name: "stage", type: "select", validation: { required: true, values: ["in-progress", "in progress", "done", "2fa"] } },
  { name: "flags", type: "select", options: { values: ["red-flag", "blue"], multiple: true } },
];

const TYPE_REF = "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
const TYPE_QUERY = `query($n: String!) { __type(name: $n) { fields { name ${TYPE_REF} } inputFields { name ${TYPE_REF} } enumValues { name } } }`;

/** `name: Type` with GraphQL's wrappers (`String!`, `[LedgerTags!]`), per field of a type; null when the type is absent. */
async function shape(token: string | undefined, typeName: string): Promise<Record<string, string> | null> {
  const res = await gql(t.url, TYPE_QUERY, { n: typeName }, token);
  expect(res.body.errors, JSON.stringify(res.body)).toBeUndefined();
  const type = res.body.data.__type;
  if (!type) return null;
  const show = (ty: any): string => (ty.kind === "NON_NULL" ? `${show(ty.ofType)}!` : ty.kind === "LIST" ? `[${show(ty.ofType)}]` : ty.name);
  return Object.fromEntries((type.fields ?? type.inputFields ?? []).map((f: any) => [f.name, show(f.type)]));
}

async function rootFields(token: string | undefined): Promise<Set<string>> {
  const res = await gql(
    t.url,
    `{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } s: __type(name: "Subscription") { fields { name } } }`,
    undefined,
    token,
  );
  return new Set([res.body.data.q, res.body.data.m, res.body.data.s].flatMap((x: any) => (x?.fields ?? []).map((f: { name: string }) => f.name)));
}

async function role(name: string, updates: unknown[]): Promise<number> {
  const made = await t.api("POST", "/api/v1/roles", { token: t.adminToken, body: { name } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const bulk = await t.api("PUT", `/api/v1/roles/${made.body.id}/permissions/bulk`, { token: t.adminToken, body: { updates } });
  expect(bulk.body, JSON.stringify(bulk.body)).toMatchObject({ failure_count: 0 });
  return made.body.id;
}

beforeAll(async () => {
  t = await startApp();
  const made = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "ledgers",
      schema: LEDGER_FIELDS,
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  clerkRole = await role("clerk", [
    { collection: "ledgers", operation: "read", rule: "true", fields: ["title", "stage", "flags"] },
    { collection: "ledgers", operation: "create", rule: "true", fields: ["title", "amount", "stage"] },
  ]);
  await role("auditor", [{ collection: "ledgers", operation: "read", rule: "true", fields: "*" }]);
  const acme = await signUpTenant(t, "Ledgers Co");
  clerk = await tenantUser(t, acme, "clerk");
  auditor = await tenantUser(t, acme, "auditor");
});
afterAll(async () => t?.close());

describe("a schema per role set", () => {
  it("shows each role exactly the fields it can read, non-null where required", async () => {
    expect(await shape(clerk.token, "Ledger")).toEqual({
      id: "ID!",
      created: "DateTime!",
      updated: "DateTime!",
      version: "Int!",
      ownerId: "ID",
      updatedBy: "ID",
      title: "String!",
      stage: "LedgerStage!",
      flags: "[LedgerFlags!]",
    });
    expect(await shape(auditor.token, "Ledger")).toMatchObject({ title: "String!", amount: "Float!", note: "String", stage: "LedgerStage!", flags: "[LedgerFlags!]" });
    expect(await shape(t.adminToken, "Ledger")).toMatchObject({ title: "String!", amount: "Float!", note: "String" });
    // where and orderBy offer only readable fields
    expect(Object.keys((await shape(clerk.token, "LedgerWhere"))!).sort()).toEqual(["AND", "NOT", "OR", "created", "flags", "id", "ownerId", "stage", "title", "updated", "updatedBy", "version"]);
  });

  it("holds only writable fields in inputs and only usable operations at the root", async () => {
    expect(await shape(clerk.token, "LedgerCreateInput")).toEqual({ title: "String!", amount: "Float!", stage: "LedgerStage!" });
    expect(await shape(clerk.token, "LedgerUpdateInput")).toBeNull();
    const clerkRoots = await rootFields(clerk.token);
    for (const f of ["ledger", "ledgers", "createLedger", "createLedgers", "ledgerChanged"]) expect(clerkRoots).toContain(f);
    for (const f of ["updateLedger", "updateLedgers", "deleteLedger", "deleteLedgers"]) expect(clerkRoots).not.toContain(f);
    const auditorRoots = await rootFields(auditor.token);
    expect(auditorRoots).toContain("ledgers");
    expect(auditorRoots).not.toContain("createLedger");
    expect(await shape(auditor.token, "LedgerCreateInput")).toBeNull();
    const adminRoots = await rootFields(t.adminToken);
    for (const f of ["updateLedger", "deleteLedgers", "createLedger"]) expect(adminRoots).toContain(f);
  });

  it("leaves collections out for anonymous callers, answering 401 for what signing in would allow", async () => {
    expect(await shape(undefined, "Ledger")).toBeNull();
    expect(await rootFields(undefined)).not.toContain("ledgers");
    const anon = await gql(t.url, `{ ledgers { totalCount } }`);
    expect(anon.status).toBe(401);
    expect(anon.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const nonsense = await gql(t.url, `{ noSuchThing }`);
    expect(nonsense.status).toBe(400);
  });

  it("refuses a hidden field as unknown to the caller's schema, and serves the readable ones", async () => {
    const created = await gql(t.url, `mutation { createLedger(data: { title: "rent", amount: 12.5, stage: IN_PROGRESS }) { id title stage } }`, undefined, clerk.token);
    expect(created.body.errors, JSON.stringify(created.body)).toBeUndefined();
    expect(created.body.data.createLedger).toMatchObject({ title: "rent", stage: "IN_PROGRESS" });
    const hidden = await gql(t.url, `{ ledgers { nodes { amount } } }`, undefined, clerk.token);
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors[0].message).toMatch(/Cannot query field "amount" on type "Ledger"/);
    const seen = await gql(t.url, `{ ledgers { nodes { title amount } } }`, undefined, auditor.token);
    expect(seen.body).toEqual({ data: { ledgers: { nodes: [{ title: "rent", amount: 12.5 }] } } });
  });

  it("follows permission and collection changes at once", async () => {
    expect(await shape(clerk.token, "Ledger")).not.toHaveProperty("amount");
    const bulk = await t.api("PUT", `/api/v1/roles/${clerkRole}/permissions/bulk`, {
      token: t.adminToken,
      body: { updates: [{ collection: "ledgers", operation: "read", rule: "true", fields: ["title", "stage", "flags", "amount"] }] },
    });
    expect(bulk.body).toMatchObject({ failure_count: 0 });
    expect(await shape(clerk.token, "Ledger")).toMatchObject({ amount: "Float!" });
    const upd = await t.api("PATCH", "/api/v1/collections/ledgers", {
      token: t.adminToken,
      body: { schema: [...LEDGER_FIELDS, { name: "memo", type: "text" }], update_rule: "" },
    });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    // the collection's own update rule now decides updates: the clerk may update, every field
    expect(Object.keys((await shape(clerk.token, "LedgerUpdateInput"))!)).toContain("memo");
    expect(await shape(auditor.token, "Ledger")).toHaveProperty("memo");
    // each role set's schema is cached and bounded
    expect(t.app.graphql.manager.cachedRoleSets.length).toBeGreaterThan(0);
  });
});

describe("precise types", () => {
  it("maps select values to enum names (collisions numbered, leading digits prefixed) and back", async () => {
    const res = await gql(t.url, TYPE_QUERY, { n: "LedgerStage" }, t.adminToken);
    expect(res.body.data.__type.enumValues.map((v: { name: string }) => v.name)).toEqual(["IN_PROGRESS", "IN_PROGRESS_2", "DONE", "_2FA"]);
    const made = await gql(t.url, `mutation { createLedger(data: { title: "fee", amount: 3, stage: IN_PROGRESS_2, flags: [RED_FLAG, BLUE] }) { id stage flags } }`, undefined, t.adminToken);
    expect(made.body.errors, JSON.stringify(made.body)).toBeUndefined();
    expect(made.body.data.createLedger).toMatchObject({ stage: "IN_PROGRESS_2", flags: ["RED_FLAG", "BLUE"] });
    // REST stores and shows the declared values
    const rest = await t.api("GET", `/api/v1/collections/ledgers/records/${made.body.data.createLedger.id}`, { token: t.adminToken });
    expect(rest.body.data).toMatchObject({ stage: "in progress", flags: ["red-flag", "blue"] });
    // where takes the enum too
    const filtered = await gql(t.url, `{ ledgers(where: { stage: { eq: IN_PROGRESS_2 }, flags: { has: RED_FLAG } }) { nodes { title } } }`, undefined, t.adminToken);
    expect(filtered.body).toEqual({ data: { ledgers: { nodes: [{ title: "fee" }] } } });
    const typo = await gql(t.url, `{ ledgers(where: { stage: { eq: "in progress" } }) { totalCount } }`, undefined, t.adminToken);
    expect(typo.status).toBe(400);
  });
});
