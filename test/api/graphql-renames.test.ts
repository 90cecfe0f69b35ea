/**
 * Renames with a grace period: after a field or a collection is renamed through the collections
 * API, the old names keep working in GraphQL queries, mutations and filters (marked
 * `@deprecated(reason: "renamed to …")` in introspection) and in REST (with `Deprecation` and
 * `Sunset` headers); the schema diff between before and after lists no breaking change; the
 * record survives a reload of the definitions from the database; when the period ends the old
 * names are gone.
 */
import { buildClientSchema, getIntrospectionQuery, printSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSchemas } from "../../src/graphql/schema-diff.ts";
import { startApp, type TestApp } from "../helpers/app.ts";
import { gql, waitFor } from "./graphql-helpers.ts";

let t: TestApp;

async function q(app: TestApp, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(app.url, query, variables, app.adminToken);
  if (r.status !== 200 || r.body.errors) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

/** The live schema as SDL, read through introspection as a client would. */
async function sdl(app: TestApp): Promise<string> {
  return printSchema(buildClientSchema(await q(app, getIntrospectionQuery({ inputValueDeprecation: true }))));
}

const FIELDS = `{ name fields(includeDeprecated: true) { name isDeprecated deprecationReason } inputFields(includeDeprecated: true) { name isDeprecated deprecationReason type { kind } } }`;
async function typeInfo(app: TestApp, name: string): Promise<Map<string, any>> {
  const d = await q(app, `query($n: String!) { __type(name: $n) ${FIELDS} }`, { n: name });
  return new Map([...(d.__type?.fields ?? []), ...(d.__type?.inputFields ?? [])].map((f: any) => [f.name, f]));
}

async function renameField(app: TestApp, collection: string, from: string, to: string) {
  const r = await app.api("PATCH", `/api/v1/collections/${collection}`, {
    token: app.adminToken,
    body: {
      schema: [
        { name: "amount", type: "number", required: true },
        { name: to, previous_name: from, type: "text" },
      ],
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

beforeAll(async () => {
  t = await startApp();
  const r = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "ledgers",
      schema: [
        { name: "amount", type: "number", required: true },
        { name: "memo", type: "text" },
      ],
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await q(t, `mutation { createLedger(data: { amount: 5, memo: "rent" }) { id } }`);
});
afterAll(async () => t?.close());

describe("renaming a field", () => {
  let before: string;
  beforeAll(async () => {
    before = await sdl(t);
    await renameField(t, "ledgers", "memo", "note");
  });

  it("keeps the old name as a deprecated alias on the type and in every input", async () => {
    const ledger = await typeInfo(t, "Ledger");
    expect(ledger.get("note")).toMatchObject({ isDeprecated: false });
    expect(ledger.get("memo")).toMatchObject({ isDeprecated: true, deprecationReason: "renamed to note" });
    for (const input of ["LedgerWhere", "LedgerOrderBy", "LedgerCreateInput", "LedgerUpdateInput"]) {
      const fields = await typeInfo(t, input);
      expect(fields.get("memo"), input).toMatchObject({ isDeprecated: true, deprecationReason: "renamed to note" });
      expect(fields.get("note"), input).toBeDefined();
    }
  });

  it("answers queries, filters, sorts and mutations that use the old name", async () => {
    const d = await q(t, `{ ledgers(where: { memo: { eq: "rent" } }, orderBy: [{ memo: ASC }]) { nodes { memo note amount } } }`);
    expect(d.ledgers.nodes).toEqual([{ memo: "rent", note: "rent", amount: 5 }]);
    // the old name alone selects the field (lists read only the selected columns)
    expect((await q(t, `{ ledgers { nodes { memo } } }`)).ledgers.nodes).toEqual([{ memo: "rent" }]);
    const c = await q(t, `mutation { createLedger(data: { amount: 7, memo: "food" }) { id note } }`);
    expect(c.createLedger.note).toBe("food");
    const u = await q(t, `mutation($id: ID!) { updateLedger(id: $id, data: { memo: "groceries" }) { memo note } }`, { id: c.createLedger.id });
    expect(u.updateLedger).toEqual({ memo: "groceries", note: "groceries" });
    // REST filters and bodies accept it too
    const rest = await t.api("GET", `/api/v1/collections/ledgers/records?filter=${encodeURIComponent('memo="groceries"')}`, { token: t.adminToken });
    expect(rest.status, JSON.stringify(rest.body)).toBe(200);
    expect(rest.body.items.map((i: any) => i.data.note)).toEqual(["groceries"]);
  });

  it("shows no breaking change between the schemas before and after", async () => {
    const changes = diffSchemas(before, await sdl(t));
    expect(changes.filter((c) => c.level === "breaking")).toEqual([]);
  });
});

describe("renaming a collection", () => {
  let before: string;
  let response: any;
  beforeAll(async () => {
    before = await sdl(t);
    response = await t.api("PATCH", "/api/v1/collections/ledgers", { token: t.adminToken, body: { name: "journals" } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  });

  it("keeps the old root fields, deprecated, serving the renamed collection", async () => {
    const d = await q(t, `{ ledgers(orderBy: [{ amount: ASC }]) { nodes { amount memo } } journals(orderBy: [{ amount: ASC }]) { nodes { amount note } } }`);
    expect(d.ledgers.nodes.map((n: any) => n.amount)).toEqual([5, 7]);
    expect(d.journals.nodes.map((n: any) => n.note)).toEqual(["rent", "groceries"]);
    const created = await q(t, `mutation { createLedger(data: { amount: 9, memo: "old names" }) { id } }`);
    expect((await q(t, `query($id: ID!) { journal(id: $id) { note } }`, { id: created.createLedger.id })).journal.note).toBe("old names");
    const root = await q(
      t,
      `{ __schema { queryType { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } mutationType { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } } }`,
    );
    const query = new Map(root.__schema.queryType.fields.map((f: any) => [f.name, f]));
    const mutation = new Map(root.__schema.mutationType.fields.map((f: any) => [f.name, f]));
    expect(query.get("ledgers")).toMatchObject({ isDeprecated: true, deprecationReason: "renamed to journals" });
    expect(query.get("journals")).toMatchObject({ isDeprecated: false });
    expect(mutation.get("createLedger")).toMatchObject({ isDeprecated: true, deprecationReason: "renamed to createJournal" });
  });

  it("serves REST under the old name with Deprecation and Sunset headers", async () => {
    const old = await t.api("GET", "/api/v1/collections/ledgers/records?sort=amount", { token: t.adminToken });
    expect(old.status).toBe(200);
    expect(old.body.items.map((i: any) => i.data.amount)).toEqual([5, 7, 9]);
    const rename = response.body.options.renamed.find((r: any) => r.kind === "collection");
    expect(old.headers.get("deprecation")).toBe(`@${Math.floor(Date.parse(rename.at) / 1000)}`);
    expect(old.headers.get("sunset")).toBe(new Date(rename.until).toUTCString());
    // the default grace period: 30 days
    expect(Date.parse(rename.until) - Date.parse(rename.at)).toBe(30 * 86_400_000);
    expect(old.headers.get("link")).toBe('</api/v1/collections/journals/records>; rel="successor-version"');
    const current = await t.api("GET", "/api/v1/collections/journals/records", { token: t.adminToken });
    expect(current.status).toBe(200);
    expect(current.headers.get("deprecation")).toBeNull();
  });

  it("shows no breaking change between the schemas before and after", async () => {
    const changes = diffSchemas(before, await sdl(t));
    expect(changes.filter((c) => c.level === "breaking")).toEqual([]);
  });

  it("keeps the old names after the definitions are reloaded from the database (a restart)", async () => {
    await t.app.services.collections.load();
    await waitFor(async () => (await gql(t.url, `{ ledgers { nodes { memo } } }`, undefined, t.adminToken)).body.data?.ledgers?.nodes.length === 3);
    const rest = await t.api("GET", "/api/v1/collections/ledgers/records", { token: t.adminToken });
    expect(rest.status).toBe(200);
  });
});

describe("when the grace period ends", () => {
  let short: TestApp;
  // 0.00005 days: 4.3 s
  beforeAll(async () => {
    short = await startApp({}, { CAIRN_RENAME_GRACE_DAYS: "0.00005" });
    const r = await short.api("POST", "/api/v1/collections", {
      token: short.adminToken,
      body: {
        name: "tallies",
        schema: [
          { name: "amount", type: "number", required: true },
          { name: "memo", type: "text" },
        ],
      },
    });
    expect(r.status).toBe(201);
  });
  afterAll(async () => short?.close());

  it("the old names leave the schema and the API", { timeout: 60_000 }, async () => {
    await renameField(short, "tallies", "memo", "note");
    expect((await short.api("PATCH", "/api/v1/collections/tallies", { token: short.adminToken, body: { name: "counts" } })).status).toBe(200);
    expect((await typeInfo(short, "Count")).get("memo")?.isDeprecated).toBe(true);
    expect((await q(short, `{ tallies { nodes { memo } } }`)).tallies.nodes).toEqual([]);
    await waitFor(async () => (await typeInfo(short, "Count")).get("memo") === undefined && (await typeInfo(short, "Tally")).size === 0, 45_000, "the aliases to leave the schema");
    const gone = await gql(short.url, `{ tallies { nodes { id } } }`, undefined, short.adminToken);
    expect(gone.body.errors[0].message).toMatch(/Cannot query field "tallies"/);
    const rest = await short.api("GET", `/api/v1/collections/counts/records?filter=${encodeURIComponent('memo="x"')}`, { token: short.adminToken });
    expect(rest.status).toBe(400);
    expect((await short.api("GET", "/api/v1/collections/tallies/records", { token: short.adminToken })).status).toBe(404);
  });
});
