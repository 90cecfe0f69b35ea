/**
 * SnackBase collection fidelity (compat/snackbase.md §4, issue 10 part 5), on SQLite and
 * PostgreSQL: `GET /collections` carries `total_pages`; a SnackBase-shaped definition follows
 * SnackBase's name rule (3–64 characters) while a FastCMS-shaped one keeps FastCMS's (1–100);
 * reserved field names and a reference without a target are refused naming the problem; only
 * superadmins manage collections.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant } from "../helpers/snackbase.ts";

let t: TestApp;
const create = (body: unknown, token = t.adminToken) => t.api("POST", "/api/v1/collections/", { token, body });

beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t?.close());

describe("GET /collections", () => {
  it("answers total_pages next to total, page and page_size", async () => {
    for (const name of ["alpha_c", "beta_c", "gamma_c"]) expect((await create({ name, schema: [{ name: "title", type: "text", required: true }] })).status).toBe(201);
    const res = await t.api("GET", "/api/v1/collections?page=1&page_size=2", { token: t.adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, page_size: 2, per_page: 2 });
    expect(res.body.total_pages).toBe(Math.ceil(res.body.total / 2));
    expect(res.body.total).toBeGreaterThanOrEqual(3);
  });
});

describe("definition checks", () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["a two-letter name (SnackBase body)", { name: "ab", schema: [{ name: "title", type: "text", required: true }] }, "name", /3–64 characters/],
    ["a 65-letter name (SnackBase body)", { name: "a".repeat(65), schema: [{ name: "ok", type: "boolean" }] }, "name", /3–64 characters|at most 63 characters on PostgreSQL/],
    ["a bad name", { name: "1abc", schema: [{ name: "title", type: "text" }] }, "name", /must start with a letter/],
    ["reserved field created_at", { name: "reserved_a", schema: [{ name: "created_at", type: "text" }] }, "schema[0].name", /reserved/],
    ["reserved field account_id", { name: "reserved_b", schema: [{ name: "account_id", type: "text", required: true }] }, "schema[0].name", /reserved/],
    ["a reference without a target", { name: "refs", schema: [{ name: "owner", type: "reference", on_delete: "cascade" }] }, "schema[0].relation.collection", /target collection/],
    ["a reference to nothing", { name: "refs2", schema: [{ name: "owner", type: "reference", collection: "ghosts", on_delete: "cascade" }] }, "schema[0].collection", /does not exist/],
  ])("%s → 422 naming it", async (_n, body, path, message) => {
    const res = await create(body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.details[path]).toMatch(message);
    expect(res.body.message).toMatch(message);
  });

  it("a FastCMS-shaped definition keeps FastCMS's 1–100 characters", async () => {
    expect((await create({ name: "xy", schema: [{ name: "a", type: "text" }] })).status).toBe(201);
    expect((await create({ name: "q", type: "base", schema: [{ name: "b", type: "bool", validation: { required: false } }] })).status).toBe(201);
    // mixing both spellings is FastCMS's too
    expect((await create({ name: "mx", schema: [{ name: "c", type: "boolean", validation: { required: true } }] })).status).toBe(201);
  });

  it("a three-letter SnackBase name is fine; account admins may not create collections", async () => {
    expect((await create({ name: "abc", schema: [{ name: "done", type: "boolean", default: false }] })).status).toBe(201);
    const tenant = await signUpTenant(t, "Collectors");
    expect((await create({ name: "mine", schema: [{ name: "title", type: "text" }] }, tenant.admin.token)).status).toBe(403);
  });
});
