/**
 * SnackBase collection fidelity (compat/snackbase.md §4, issue 10 part 5), on SQLite and
 * PostgreSQL: `GET /collections` carries `total_pages`; a SnackBase-shaped definition follows
 * SnackBase's name rule (3–64 characters) while a FastCMS-shaped one keeps FastCMS's (1–100);
 * an invalid SnackBase-shaped definition (bad or reserved names, duplicates, unknown types, a
 * reference without a target or without `on_delete`) → 400 with a `details` list of SnackBase
 * codes, a FastCMS-shaped one keeps 422; only superadmins manage collections.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant } from "../helpers/snackbase.ts";

let t: TestApp;
const create = (body: unknown, token = t.adminToken) => t.api("POST", "/api/v1/collections/", { token, body });

beforeAll(async () => {
  t = await startApp();
  expect((await create({ name: "targets", schema: [{ name: "label", type: "text", required: true }] })).status).toBe(201);
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
  it.each<[string, Record<string, unknown>, string, string, RegExp]>([
    ["a two-letter name", { name: "ab", schema: [{ name: "title", type: "text", required: true }] }, "name", "name_too_short", /3–64 characters/],
    ["a 65-letter name", { name: "a".repeat(65), schema: [{ name: "ok", type: "boolean" }] }, "name", "name_too_long", /3–64 characters|at most 63 characters on PostgreSQL/],
    ["a bad name", { name: "1abc", schema: [{ name: "title", type: "text", required: true }] }, "name", "name_invalid_format", /must start with a letter/],
    ["reserved field created_at", { name: "reserved_a", schema: [{ name: "created_at", type: "text", required: false }] }, "schema[0].name", "field_name_reserved", /reserved/],
    ["reserved field account_id", { name: "reserved_b", schema: [{ name: "account_id", type: "text", required: true }] }, "schema[0].name", "field_name_reserved", /reserved/],
    [
      "a duplicate field",
      {
        name: "twice",
        schema: [
          { name: "a", type: "text", required: true },
          { name: "a", type: "boolean" },
        ],
      },
      "schema[1].name",
      "field_name_duplicate",
      /duplicate/,
    ],
    ["an unknown type", { name: "blobs", schema: [{ name: "a", type: "blob", required: true }] }, "schema[0].type", "field_type_invalid", /unknown field type/],
    [
      "a reference without a target",
      { name: "refs", schema: [{ name: "owner", type: "reference", on_delete: "cascade" }] },
      "schema[0].collection",
      "reference_collection_required",
      /target collection/,
    ],
    [
      "a reference to nothing",
      { name: "refs2", schema: [{ name: "owner", type: "reference", collection: "ghosts", on_delete: "cascade" }] },
      "schema[0].collection",
      "reference_collection_not_found",
      /does not exist/,
    ],
    [
      "a reference without on_delete",
      { name: "refs3", schema: [{ name: "owner", type: "reference", collection: "targets" }] },
      "schema[0].on_delete",
      "reference_on_delete_required",
      /needs on_delete/,
    ],
  ])("%s → 400 naming it with SnackBase's code; nothing is created", async (_n, body, field, code, message) => {
    const res = await create(body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toBe("Validation error");
    expect(res.body.details).toContainEqual({ field, message: expect.stringMatching(message), code });
    expect(res.body.message).toMatch(message);
    expect((await t.api("GET", `/api/v1/collections/${body.name as string}`, { token: t.adminToken })).status).toBe(404);
  });

  it("PUT with a SnackBase schema → 400 the same way; the definition is unchanged", async () => {
    const made = await create({ name: "edited", schema: [{ name: "title", type: "text", required: true }] });
    expect(made.status).toBe(201);
    const res = await t.api("PUT", `/api/v1/collections/${made.body.id}`, { token: t.adminToken, body: { schema: [{ name: "owner", type: "reference", collection: "targets" }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.details).toEqual([{ field: "schema[0].on_delete", message: expect.any(String), code: "reference_on_delete_required" }]);
    const got = await t.api("GET", `/api/v1/collections/${made.body.id}`, { token: t.adminToken });
    expect(got.body.schema.map((f: { name: string }) => f.name)).toEqual(["title"]);
  });

  it("a FastCMS-shaped definition keeps FastCMS's 422 with details by path, and its relation default", async () => {
    const res = await create({ name: "1abc", type: "base", schema: [{ name: "title", type: "text" }] });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.details.name).toMatch(/must start with a letter/);
    const rel = await create({ name: "fast_refs", schema: [{ name: "owner", type: "relation", relation: { collection: "targets" } }] });
    expect(rel.status, JSON.stringify(rel.body)).toBe(201);
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
