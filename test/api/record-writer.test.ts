/**
 * The last writer of a record (`updated_by`), over real HTTP on SQLite and PostgreSQL: the
 * creator until the first update, then whoever wrote last (PATCH, PUT, a reference set to null
 * by a delete); SnackBase filters on it; GraphQL shows it as `updatedBy`; an update stays one
 * UPDATE statement; and start-up adds the column to a table created without it, filling it for
 * rows never updated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { reconcileSystemColumns } from "../../src/core/collections/system-columns.ts";
import { apiClient, startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";
import { signUpTenant, STRONG_PASSWORD, tenantUser, type Actor, type Tenant } from "../helpers/snackbase.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let acme: Tenant;
let ann: Actor;
let bob: Actor;

const api = (method: string, path: string, body: unknown, who: Actor) => t.api(method, `/api/v1${path}`, { token: who.token, ...(body !== undefined ? { body } : {}) });

beforeAll(async () => {
  t = await startApp();
  for (const body of [
    { name: "shelves", schema: [{ name: "label", type: "text" }] },
    {
      name: "ledgers",
      schema: [
        { name: "entry", type: "text" },
        { name: "amount", type: "number" },
        { name: "shelf", type: "reference", collection: "shelves", on_delete: "set_null" },
      ],
    },
  ]) {
    const res = await t.api("POST", "/api/v1/collections/", { token: t.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  acme = await signUpTenant(t, "Writer Test");
  ann = acme.admin;
  bob = await tenantUser(t, acme, "admin");
});
afterAll(() => t?.close());

describe("updated_by", () => {
  it("is the creator until the first update, then the last writer (PATCH and PUT)", async () => {
    const made = await api("POST", "/records/ledgers", { entry: "rent", amount: 10 }, ann);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ created_by: ann.id, updated_by: ann.id });
    const id = made.body.id as string;

    const patched = await api("PATCH", `/records/ledgers/${id}`, { amount: 12 }, bob);
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ created_by: ann.id, updated_by: bob.id, amount: 12 });
    expect((await api("GET", `/records/ledgers/${id}`, undefined, ann)).body).toMatchObject({ created_by: ann.id, updated_by: bob.id });

    const byBob = await api("GET", `/records/ledgers?updated_by=${bob.id}`, undefined, ann);
    expect(byBob.body.items.map((r: { id: string }) => r.id)).toEqual([id]);

    const put = await api("PUT", `/records/ledgers/${id}`, { entry: "rent", amount: 13 }, ann);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ created_by: ann.id, updated_by: ann.id });
    expect((await api("GET", `/records/ledgers?updated_by=${bob.id}`, undefined, ann)).body.total).toBe(0);
  });

  it("a reference set to null by a delete names the deleting user", async () => {
    const shelf = await api("POST", "/records/shelves", { label: "top" }, ann);
    const rec = await api("POST", "/records/ledgers", { entry: "box", shelf: shelf.body.id }, ann);
    expect(rec.status, JSON.stringify(rec.body)).toBe(201);
    expect((await api("DELETE", `/records/shelves/${shelf.body.id}`, undefined, bob)).status).toBe(204);
    const after = await api("GET", `/records/ledgers/${rec.body.id}`, undefined, ann);
    expect(after.body).toMatchObject({ shelf: null, created_by: ann.id, updated_by: bob.id });
  });

  it("GraphQL shows it as updatedBy", async () => {
    const made = await api("POST", "/records/ledgers", { entry: "gql" }, ann);
    await api("PATCH", `/records/ledgers/${made.body.id}`, { amount: 1 }, bob);
    const res = await gql(t.url, `query($id: ID!) { ledger(id: $id) { ownerId updatedBy } }`, { id: made.body.id }, ann.token);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.ledger).toEqual({ ownerId: ann.id, updatedBy: bob.id });
  });

  it("an update stays one UPDATE statement, which records the writer", async () => {
    const made = await api("POST", "/records/ledgers", { entry: "count" }, ann);
    const rec = recordStatements(t.app.services.db, { writes: true, transactions: true });
    try {
      expect((await api("PATCH", `/records/ledgers/${made.body.id}`, { amount: 5 }, bob)).status).toBe(200);
    } finally {
      rec.restore();
    }
    const updates = rec.texts().filter((s) => /^update "ledgers"/i.test(s));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toContain('"updated_by"');
  });
});

// last: it restarts the server on the same database
describe("start-up", () => {
  it("adds the column to a table created without it: rows never updated name their creator", async () => {
    const fresh = await api("POST", "/records/ledgers", { entry: "fresh" }, ann);
    const edited = await api("POST", "/records/ledgers", { entry: "edited" }, ann);
    await api("PATCH", `/records/ledgers/${edited.body.id}`, { amount: 2 }, bob);
    // what an older version left: the table without the column
    await t.app.services.db.script(`ALTER TABLE "ledgers" DROP COLUMN "updated_by"`);
    await t.app.close();
    const again = await createApp(t.config);
    const client = apiClient(await again.listen());
    try {
      const login = await client("POST", "/api/v1/auth/login", { body: { account: acme.slug, email: ann.email, password: STRONG_PASSWORD } });
      const read = async (id: string) => (await client("GET", `/api/v1/records/ledgers/${id}`, { token: login.body.token })).body;
      expect(await read(fresh.body.id)).toMatchObject({ created_by: ann.id, updated_by: ann.id });
      // the last writer of a record updated before the column existed is not known
      expect(await read(edited.body.id)).toMatchObject({ created_by: ann.id, updated_by: null });
      expect(await reconcileSystemColumns(again.services.db)).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
