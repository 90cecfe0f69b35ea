/**
 * The GraphQL schema is built on first use, not at start-up (idle memory): a server that has only
 * answered REST holds none, collection changes before the first GraphQL operation are in the
 * schema that operation gets, and later changes swap it as before. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startApp();
  token = (await registerUser(t.api)).token;
});
afterAll(async () => t?.close());

describe("schema built on first use", () => {
  it("builds nothing at start-up or for REST, and serves collections made before the first operation", async () => {
    const manager = t.app.graphql.manager;
    expect(manager.built).toBe(false);
    const made = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "lamps", schema: [{ name: "name", type: "text" }] } });
    expect(made.status).toBe(201);
    expect((await t.api("POST", "/api/v1/collections/lamps/records", { token, body: { data: { name: "desk" } } })).status).toBe(201);
    expect(manager.built).toBe(false);
    expect(manager.version).toBe(t.app.services.collections.version);

    const first = await gql(t.url, `{ lamps { nodes { name } totalCount } }`, undefined, token);
    expect(first.body).toEqual({ data: { lamps: { nodes: [{ name: "desk" }], totalCount: 1 } } });
    // a signed-in user's operation builds the schema of its role set, not the full one
    expect(manager.cachedRoleSets.length).toBe(1);
    expect(manager.built).toBe(false);
    const admin = await gql(t.url, `{ __type(name: "Lamp") { name } }`, undefined, t.adminToken);
    expect(admin.body).toEqual({ data: { __type: { name: "Lamp" } } });
    expect(manager.built).toBe(true);

    // after the first build, a change swaps the schema as it always did
    const more = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "chairs", schema: [{ name: "name", type: "text" }] } });
    expect(more.status).toBe(201);
    expect(manager.version).toBe(t.app.services.collections.version);
    const created = await gql(t.url, `mutation { createChair(data: { name: "oak" }) { name } }`, undefined, token);
    expect(created.body).toEqual({ data: { createChair: { name: "oak" } } });
    expect(manager.schema.getType("Chair")).toBeDefined();
  });

  it("tells an anonymous caller to sign in for what only the full schema has", async () => {
    // the anonymous view has no `lamps` (signed-in rules): the full schema does, so it says to sign in
    const anonymous = await gql(t.url, `{ lamps { totalCount } }`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.length).toBeGreaterThan(0);
  });
});
