/**
 * Access rules over real HTTP, on SQLite and PostgreSQL: two users (alice, bob), an account
 * admin (carol, role `admin`), an editor (dave, custom role), the superadmin and anonymous
 * callers exercise every rule form — public, null, owner-only (FastCMS and SnackBase spellings),
 * `@has_role`, `status in [...]`, `@request.data`, role permissions on one collection and on `*`
 * — on every REST record path: list (rows absent, totals count only permitted rows), get (404),
 * update/delete (403), bulk update/delete (all or nothing), field-level read and write, filters
 * on unreadable fields; plus the roles API and rule validation at write time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { systemContext } from "../../src/core/context.ts";
import { createRecord } from "../../src/core/records/write.ts";

type Actor = { token?: string; id: string };
let t: TestApp;
let admin: Actor;
let alice: Actor;
let bob: Actor;
let carol: Actor;
let dave: Actor;
const anon: Actor = { id: "" };
let editorRoleId: number;

const api = (method: string, path: string, who: Actor, body?: unknown) => t.api(method, `/api/v1${path}`, { token: who.token, body });
const records = (c: string) => `/collections/${c}/records`;

async function collection(body: Record<string, unknown>) {
  const res = await api("POST", "/collections", admin, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function create(c: string, who: Actor, data: Record<string, unknown>): Promise<string> {
  const res = await api("POST", records(c), who, { data });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function list(c: string, who: Actor, query = "") {
  const res = await api("GET", `${records(c)}?per_page=100${query}`, who);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: { id: string; data: Record<string, unknown>; owner_id: string | null }[]; total: number };
}

/** A registered user moved to `roleId` (name `role`), signed in again so the token carries it. */
async function userWithRole(roleId: number, role: string): Promise<Actor> {
  const u = await registerUser(t.api);
  await t.app.services.prisma.user.update({ where: { id: u.id }, data: { roleId, role } });
  const login = await t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { token: login.body.access_token, id: u.id };
}

async function waitForAudit(where: Record<string, unknown>) {
  for (let i = 0; i < 50; i++) {
    const rows = await t.app.services.prisma.auditLog.findMany({ where });
    if (rows.length) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

beforeAll(async () => {
  t = await startApp();
  admin = { token: t.adminToken, id: "" };
  const a = await registerUser(t.api);
  const b = await registerUser(t.api);
  alice = { token: a.token, id: a.id };
  bob = { token: b.token, id: b.id };
  carol = await userWithRole(1, "admin");
  const role = await api("POST", "/roles", admin, { name: "editor", description: "Edits docs" });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  editorRoleId = role.body.id;
  dave = await userWithRole(editorRoleId, "editor");

  const title = { name: "title", type: "text" };
  const status = { name: "status", type: "text" };
  await collection({ name: "pub", list_rule: "", view_rule: "", create_rule: "", update_rule: "", delete_rule: "", schema: [title] });
  await collection({ name: "locked", schema: [title] });
  const owner = "@request.auth.id = owner_id || @request.auth.role = 'admin'";
  await collection({
    name: "notes",
    list_rule: owner,
    view_rule: owner,
    create_rule: '@request.auth.id != ""',
    update_rule: "@request.auth.id = @record.owner_id",
    delete_rule: "@request.auth.id = @record.owner_id",
    schema: [title],
  });
  await collection({
    name: "snack",
    list_rule: '@owns_record() or @has_role("admin")',
    view_rule: '@owns_record() or @has_role("admin")',
    create_rule: "true",
    update_rule: "user.id == record.created_by",
    delete_rule: '@has_role("admin")',
    schema: [title],
  });
  await collection({
    name: "articles",
    list_rule: 'status in ["published", "featured"]',
    view_rule: 'status in ["published", "featured"]',
    create_rule: '@request.auth.id != ""',
    schema: [title, status],
  });
  await collection({ name: "tickets", create_rule: '@request.data.priority <= 3 || @has_role("admin")', list_rule: "@owns_record()", schema: [title, { name: "priority", type: "number" }] });
  await collection({ name: "docs", schema: [title, status, { name: "secret", type: "text" }] });
  await collection({ name: "wiki", schema: [title, status] });
  await collection({
    name: "profiles",
    schema: [
      { name: "name", type: "text" },
      { name: "bio", type: "text" },
      { name: "email", type: "email" },
    ],
  });
});
afterAll(async () => t?.close());

describe("collection rules", () => {
  it('public (""): anonymous callers list and view, but must sign in to write', async () => {
    const id = await create("pub", alice, { title: "hello" });
    expect((await list("pub", anon)).items.map((r) => r.id)).toEqual([id]);
    expect((await api("GET", `${records("pub")}/${id}`, anon)).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", records("pub"), { data: { title: "x" } }],
      ["PATCH", `${records("pub")}/${id}`, { data: { title: "x" } }],
      ["DELETE", `${records("pub")}/${id}`, undefined],
    ] as const) {
      const res = await api(method, path, anon, body);
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await api("PATCH", `${records("pub")}/${id}`, bob, { data: { title: "edited by bob" } })).status).toBe(200);
  });

  it("null: only superadmins (and the admin role) — 401 anonymous, 403 for users, audited", async () => {
    const id = await create("locked", admin, { title: "secret" });
    expect((await api("GET", records("locked"), anon)).status).toBe(401);
    const denied = await api("GET", records("locked"), alice);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "FORBIDDEN", message: "Access denied for list operation" });
    expect((await api("GET", `${records("locked")}/${id}`, alice)).status).toBe(403);
    expect((await api("POST", records("locked"), alice, { data: { title: "x" } })).body.message).toBe("Access denied for create operation");
    expect((await api("DELETE", `${records("locked")}/${id}`, bob)).status).toBe(403);
    expect((await list("locked", admin)).total).toBe(1);
    expect((await list("locked", carol)).total).toBe(1);
    const audit = await waitForAudit({ eventType: "security", eventAction: "permission_denied", userId: alice.id, resourceType: "locked" });
    expect(audit[0]).toMatchObject({ severity: "warning", outcome: "failure" });
  });

  it("owner-only: lists hold only the caller's rows and totals count only them; others' records are 404 to view, 403 to change", async () => {
    const mine = [await create("notes", alice, { title: "a1" }), await create("notes", alice, { title: "a2" })];
    const bobs = await create("notes", bob, { title: "b1" });
    // a record without an owner (written by the system) must stay invisible to anonymous callers
    const orphan = (await createRecord(systemContext(t.app.services), "notes", { title: "orphan" })).id;

    const page = await api("GET", `${records("notes")}?per_page=1`, alice);
    expect(page.body).toMatchObject({ total: 2, total_pages: 2 });
    expect((await list("notes", alice)).items.map((r) => r.id).sort()).toEqual([...mine].sort());
    expect((await list("notes", bob)).items.map((r) => r.id)).toEqual([bobs]);
    expect(await list("notes", anon)).toMatchObject({ items: [], total: 0 });
    expect((await list("notes", alice, `&filter=${encodeURIComponent('title = "b1"')}`)).total).toBe(0);
    expect((await list("notes", carol)).total).toBe(4);
    expect((await list("notes", admin)).items.map((r) => r.id)).toContain(orphan);

    const view = await api("GET", `${records("notes")}/${bobs}`, alice);
    expect(view.status).toBe(404);
    expect((await api("GET", `${records("notes")}/${orphan}`, anon)).status).toBe(404);
    const patch = await api("PATCH", `${records("notes")}/${bobs}`, alice, { data: { title: "hacked" } });
    expect(patch.status).toBe(403);
    expect(patch.body.message).toBe("Access denied for update operation");
    expect((await api("PUT", `${records("notes")}/${bobs}`, alice, { data: { title: "hacked" } })).status).toBe(403);
    expect((await api("DELETE", `${records("notes")}/${bobs}`, alice)).status).toBe(403);
    expect((await api("GET", `${records("notes")}/${bobs}`, bob)).body.data.title).toBe("b1");
    expect((await api("PATCH", `${records("notes")}/${mine[0]}`, alice, { data: { title: "mine" } })).status).toBe(200);
  });

  it("bulk update and delete with atomic=true are all or nothing: one forbidden id fails the batch", async () => {
    const a = await create("notes", alice, { title: "bulk-a" });
    const b = await create("notes", bob, { title: "bulk-b" });
    const upd = await api("POST", `${records("notes")}/bulk-update?atomic=true`, alice, { record_ids: [a, b], data: { title: "x" } });
    expect(upd.status).toBe(403);
    expect(upd.body.details.forbidden_ids).toEqual([b]);
    const del = await api("POST", `${records("notes")}/bulk-delete?atomic=true`, alice, { record_ids: [a, b] });
    expect(del.status).toBe(403);
    expect((await api("GET", `${records("notes")}/${a}`, alice)).body.data.title).toBe("bulk-a");
    expect((await api("GET", `${records("notes")}/${b}`, bob)).body.data.title).toBe("bulk-b");
    expect((await api("POST", `${records("notes")}/bulk-update`, alice, { record_ids: [a], data: { title: "ok" } })).body).toMatchObject({ success: 1 });
    expect((await api("POST", `${records("notes")}/bulk-delete`, bob, { record_ids: [b] })).body).toMatchObject({ success: 1 });
    expect((await api("POST", `${records("notes")}/bulk-delete`, anon, { record_ids: [a] })).status).toBe(401);
  });

  it("bulk update and delete by default change the allowed ids and report the forbidden ones", async () => {
    const a = await create("notes", alice, { title: "each-a" });
    const b = await create("notes", bob, { title: "each-b" });
    const upd = await api("POST", `${records("notes")}/bulk-update`, alice, { record_ids: [a, b], data: { title: "changed" } });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ success: 1, failed: 1, errors: [{ record_id: b, error: expect.any(String) }], record_ids: [a] });
    expect((await api("GET", `${records("notes")}/${a}`, alice)).body.data.title).toBe("changed");
    expect((await api("GET", `${records("notes")}/${b}`, bob)).body.data.title).toBe("each-b");
    const del = await api("POST", `${records("notes")}/bulk-delete`, alice, { record_ids: [b, a] });
    expect(del.body).toMatchObject({ success: 1, failed: 1, errors: [{ record_id: b }], record_ids: [a] });
    expect((await api("GET", `${records("notes")}/${b}`, bob)).status).toBe(200);
  });

  it('SnackBase rules: @owns_record(), user.id == record.created_by, @has_role("admin")', async () => {
    const a = await create("snack", alice, { title: "a" });
    const b = await create("snack", bob, { title: "b" });
    expect((await list("snack", alice)).items.map((r) => r.id)).toEqual([a]);
    expect((await list("snack", carol)).items.map((r) => r.id).sort()).toEqual([a, b].sort());
    expect((await api("PATCH", `${records("snack")}/${a}`, alice, { data: { title: "a!" } })).status).toBe(200);
    expect((await api("PATCH", `${records("snack")}/${b}`, alice, { data: { title: "b!" } })).status).toBe(403);
    expect((await api("DELETE", `${records("snack")}/${a}`, alice)).status).toBe(403);
    expect((await api("DELETE", `${records("snack")}/${a}`, carol)).status).toBe(204);
    expect((await api("GET", records("snack"), anon)).body).toMatchObject({ items: [], total: 0 });
  });

  it("status in [...]: rows outside the list are absent from lists, totals and single reads", async () => {
    const ids: Record<string, string> = {};
    for (const s of ["published", "featured", "draft", "archived"]) ids[s] = await create("articles", admin, { title: s, status: s });
    const seen = await list("articles", anon);
    expect(seen.total).toBe(2);
    expect(seen.items.map((r) => r.data.status).sort()).toEqual(["featured", "published"]);
    expect((await list("articles", alice, `&filter=${encodeURIComponent('status = "draft"')}`)).total).toBe(0);
    expect((await api("GET", `${records("articles")}/${ids.draft}`, alice)).status).toBe(404);
    expect((await api("GET", `${records("articles")}/${ids.published}`, anon)).status).toBe(200);
    // update/delete rules are null: superadmin only
    expect((await api("PATCH", `${records("articles")}/${ids.published}`, alice, { data: { title: "x" } })).status).toBe(403);
  });

  it("@request.data: the create rule reads the body; @has_role lets admins past it", async () => {
    const res = await api("POST", records("tickets"), alice, { data: { title: "urgent", priority: 5 } });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe("Access denied for create operation");
    await create("tickets", alice, { title: "normal", priority: 2 });
    await create("tickets", carol, { title: "urgent", priority: 5 });
    // a value of the wrong type compares false, it does not fail the request
    expect((await api("POST", records("tickets"), alice, { data: { title: "odd", priority: "high" } })).status).toBe(403);
    expect((await list("tickets", alice)).items.map((r) => r.data.title)).toEqual(["normal"]);
  });

  it("a stored rule that no longer parses denies instead of failing open", async () => {
    await collection({ name: "fragile", list_rule: "", schema: [{ name: "title", type: "text" }] });
    await create("fragile", admin, { title: "x" });
    expect((await list("fragile", alice)).total).toBe(1);
    const { db } = t.app.services;
    await db.execute(db.qb.updateTable("_collections").set({ list_rule: "title = (" }).where("name", "=", "fragile"));
    await t.app.services.collections.load();
    expect((await api("GET", records("fragile"), alice)).status).toBe(403);
    expect((await list("fragile", admin)).total).toBe(1);
  });
});

describe("role permissions (collection rules null)", () => {
  let docs: { open: string; closed: string; mine?: string };
  beforeAll(async () => {
    const bulk = await api("PUT", "/roles/user/permissions/bulk", admin, {
      updates: [
        { collection: "docs", operation: "read", rule: "true", fields: ["title", "status"] },
        { collection: "docs", operation: "create", rule: "true", fields: ["title", "status"] },
        { collection: "docs", operation: "update", rule: "@owns_record()", fields: ["title"] },
      ],
    });
    expect(bulk.body).toEqual({ success_count: 3, failure_count: 0, errors: [] });
    const editor = await api("PUT", `/roles/${editorRoleId}/permissions/bulk`, admin, { updates: [{ collection: "*", operation: "read", rule: 'status = "open"', fields: "*" }] });
    expect(editor.body).toMatchObject({ success_count: 1, failure_count: 0 });
    docs = { open: await create("docs", admin, { title: "open doc", status: "open", secret: "s1" }), closed: await create("docs", admin, { title: "closed doc", status: "closed", secret: "s2" }) };
    await create("wiki", admin, { title: "open page", status: "open" });
    await create("wiki", admin, { title: "closed page", status: "closed" });
  });

  it("deny by default: no permission for the operation → 403 (the user role has none until granted)", async () => {
    expect((await api("GET", records("wiki"), alice)).status).toBe(403);
    expect((await api("DELETE", `${records("docs")}/${docs.open}`, alice)).status).toBe(403);
    expect((await api("GET", records("docs"), anon)).status).toBe(401);
  });

  it("a permission on `*` applies to every collection; its rule filters rows in SQL", async () => {
    const wiki = await list("wiki", dave);
    expect(wiki.total).toBe(1);
    expect(wiki.items[0]!.data).toEqual({ title: "open page", status: "open" });
    expect((await list("docs", dave)).items.map((r) => r.id)).toEqual([docs.open]);
    // `locked` has no `status` field: the `*` rule does not fit it and denies
    expect((await api("GET", records("locked"), dave)).status).toBe(403);
  });

  it("drops unreadable fields from lists, single reads and write answers", async () => {
    const listed = await list("docs", alice);
    expect(listed.total).toBe(2);
    for (const r of listed.items) {
      expect(Object.keys(r.data).sort()).toEqual(["status", "title"]);
      expect(r.owner_id).not.toBeUndefined();
    }
    const one = await api("GET", `${records("docs")}/${docs.closed}`, alice);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual({ title: "closed doc", status: "closed" });
    const created = await api("POST", records("docs"), alice, { data: { title: "alice doc", status: "draft" } });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ title: "alice doc", status: "draft" });
    docs.mine = created.body.id;
    expect((await api("GET", `${records("docs")}/${docs.closed}`, admin)).body.data.secret).toBe("s2");
  });

  it("rejects writes to unwritable fields with 422 Field access denied", async () => {
    const res = await api("POST", records("docs"), alice, { data: { title: "x", secret: "mine" } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ message: "Field access denied", details: { unauthorized_fields: ["secret"] } });
    const patch = await api("PATCH", `${records("docs")}/${docs.mine}`, alice, { data: { status: "published", title: "t" } });
    expect(patch.status).toBe(422);
    expect(patch.body.details.unauthorized_fields).toEqual(["status"]);
    for (const q of ["", "?atomic=true"]) {
      const bulk = await api("POST", `${records("docs")}/bulk-update${q}`, alice, { record_ids: [docs.mine], data: { secret: "x" } });
      expect(bulk.status, q).toBe(422);
    }
    // PUT replaces only what the caller may write: status keeps its value
    const put = await api("PUT", `${records("docs")}/${docs.mine}`, alice, { data: { title: "renamed" } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.data).toEqual({ title: "renamed", status: "draft" });
    // the update rule (@owns_record) still applies to writable fields
    expect((await api("PATCH", `${records("docs")}/${docs.open}`, alice, { data: { title: "t" } })).status).toBe(403);
    const audit = await waitForAudit({ eventAction: "permission_denied", userId: alice.id, resourceType: "docs" });
    expect(audit.length).toBeGreaterThan(0);
  });

  it("refuses filters, sorts and searches on unreadable fields (they would leak the values)", async () => {
    for (const q of [`filter=${encodeURIComponent('secret = "s1"')}`, `filter=${encodeURIComponent('title != "" && (secret ~ "s" || status = "open")')}`, "sort=-secret", "search=s1"]) {
      const res = await api("GET", `${records("docs")}?${q}`, alice);
      expect(res.status, q).toBe(403);
      expect(res.body.details.unauthorized_fields, q).toEqual(["secret"]);
    }
    expect((await list("docs", alice, `&filter=${encodeURIComponent('status = "open"')}&sort=-title`)).total).toBe(1);
    expect((await list("docs", admin, `&filter=${encodeURIComponent('secret = "s1"')}`)).total).toBe(1);
  });

  it("collection field lists (GET/PUT /collections/{name}/rules) restrict what a public rule shows", async () => {
    const put = await api("PUT", "/collections/profiles/rules", admin, { list_rule: "", view_rule: "", list_fields: ["name"], view_fields: ["name", "bio"] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ collection: "profiles", list_rule: "", view_rule: "", create_rule: null, list_fields: ["name"], view_fields: ["name", "bio"], create_fields: "*" });
    expect((await api("GET", "/collections/profiles/rules", admin)).body).toEqual(put.body);
    const id = await create("profiles", admin, { name: "Ann", bio: "hi", email: "ann@example.com" });
    expect((await list("profiles", anon)).items[0]!.data).toEqual({ name: "Ann" });
    expect((await api("GET", `${records("profiles")}/${id}`, anon)).body.data).toEqual({ name: "Ann", bio: "hi" });
    expect((await api("GET", `${records("profiles")}?filter=${encodeURIComponent('email ~ "ann"')}`, anon)).status).toBe(403);
    expect((await api("PUT", "/collections/profiles/rules", admin, { list_fields: ["nope"] })).status).toBe(422);
    expect((await api("PUT", "/collections/profiles/rules", admin, { view_rule: "bio ==" })).status).toBe(422);
    expect((await api("GET", "/collections/profiles/rules", alice)).status).toBe(403);
  });
});

describe("rule validation at write time", () => {
  it.each([
    ["syntax error", { list_rule: 'status in ["a"' }, "list_rule"],
    ["unknown field", { view_rule: 'nope = "x"' }, "view_rule"],
    ["unknown request value", { create_rule: "@request.nope = 1" }, "create_rule"],
    ["unknown macro", { delete_rule: "@is_root()" }, "delete_rule"],
    ["operator for the wrong type", { update_rule: "title > true && flag ~ 1" }, "update_rule"],
  ])("%s → 422 naming the rule", async (_name, rules, key) => {
    const res = await api("POST", "/collections", admin, {
      name: `bad_${key}`,
      schema: [
        { name: "title", type: "text" },
        { name: "flag", type: "bool" },
      ],
      ...rules,
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.details)).toEqual([key]);
    expect(res.body.message).toContain(key);
  });

  it("rejects a schema change that would break a stored rule", async () => {
    await collection({
      name: "evolving",
      list_rule: "flag = true",
      schema: [
        { name: "flag", type: "bool" },
        { name: "title", type: "text" },
      ],
    });
    const res = await api("PATCH", "/collections/evolving", admin, { schema: [{ name: "title", type: "text" }] });
    expect(res.status).toBe(422);
    expect(res.body.details.list_rule).toContain("unknown field 'flag'");
  });
});

describe("roles API (superadmin)", () => {
  it("creates, lists, renames and deletes roles; 409 for a taken name; built-in and used roles stay", async () => {
    const created = await api("POST", "/roles", admin, { name: "reviewer", description: "Reviews" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "reviewer", description: "Reviews" });
    expect((await api("POST", "/roles", admin, { name: "Reviewer" })).status).toBe(409);
    expect((await api("POST", "/roles", admin, { name: "" })).status).toBe(422);
    const all = await api("GET", "/roles", admin);
    expect(all.body.items.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(["admin", "user", "editor", "reviewer"]));
    expect(all.body.items.find((r: { name: string }) => r.name === "user").collections_count).toBe(1);
    expect((await api("GET", `/roles/${created.body.id}`, admin)).body.name).toBe("reviewer");
    expect((await api("GET", "/roles/reviewer", admin)).body.id).toBe(created.body.id);
    const renamed = await api("PUT", `/roles/${created.body.id}`, admin, { name: "critic", description: null });
    expect(renamed.body).toMatchObject({ name: "critic", description: null });
    expect((await api("PUT", "/roles/1", admin, { name: "root" })).status).toBe(422);
    expect((await api("DELETE", "/roles/2", admin)).status).toBe(422);
    const used = await api("DELETE", `/roles/${editorRoleId}`, admin);
    expect(used.status).toBe(422);
    expect(used.body.message).toContain("assigned to 1 user");
    expect((await api("DELETE", `/roles/${created.body.id}`, admin)).status).toBe(204);
    expect((await api("GET", `/roles/${created.body.id}`, admin)).status).toBe(404);
  });

  it("shows permissions by collection; the admin role has everything", async () => {
    const user = await api("GET", "/roles/2/permissions", admin);
    expect(user.body).toMatchObject({ role_id: 2, role_name: "user" });
    expect(user.body.permissions).toEqual([
      {
        collection: "docs",
        permission_id: expect.any(Number),
        create: { rule: "true", fields: ["title", "status"] },
        read: { rule: "true", fields: ["title", "status"] },
        update: { rule: "@owns_record()", fields: ["title"] },
        delete: null,
      },
    ]);
    const adminRole = await api("GET", "/roles/1/permissions", admin);
    expect(adminRole.body.permissions).toEqual([
      {
        collection: "*",
        permission_id: null,
        create: { rule: "true", fields: "*" },
        read: { rule: "true", fields: "*" },
        update: { rule: "true", fields: "*" },
        delete: { rule: "true", fields: "*" },
      },
    ]);
  });

  it("bulk: reports unknown collections, unknown fields and bad rules per entry; malformed entries are 422", async () => {
    const res = await api("PUT", `/roles/${editorRoleId}/permissions/bulk`, admin, {
      updates: [
        { collection: "nope", operation: "read", rule: "true", fields: "*" },
        { collection: "docs", operation: "read", rule: "@has_role(", fields: "*" },
        { collection: "docs", operation: "update", rule: "true", fields: ["ghost"] },
        { collection: "docs", operation: "delete", rule: '@has_role("editor")', fields: "*" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.success_count).toBe(1);
    expect(res.body.failure_count).toBe(3);
    expect(res.body.errors.join("\n")).toMatch(/nope.*not found[\s\S]*invalid rule[\s\S]*ghost/);
    expect((await api("PUT", `/roles/${editorRoleId}/permissions/bulk`, admin, { updates: [{ collection: "docs", operation: "publish", rule: "true" }] })).status).toBe(422);
    expect((await api("PUT", `/roles/${editorRoleId}/permissions/bulk`, admin, { updates: [{ collection: "docs", operation: "read", rule: "" }] })).status).toBe(422);
    expect((await api("PUT", "/roles/1/permissions/bulk", admin, { updates: [{ collection: "docs", operation: "read", rule: "true" }] })).status).toBe(422);
    expect((await api("PUT", "/roles/999/permissions/bulk", admin, { updates: [] })).status).toBe(404);
    // the new delete permission takes effect at once
    const doc = await create("docs", admin, { title: "doomed", status: "x" });
    expect((await api("DELETE", `${records("docs")}/${doc}`, dave)).status).toBe(204);
  });

  it("validate-rule and test-rule", async () => {
    expect((await api("POST", "/roles/validate-rule", admin, { rule: '@has_role("admin") or @owns_record()' })).body).toEqual({ valid: true });
    const bad = await api("POST", "/roles/validate-rule", admin, { rule: "status in [" });
    expect(bad.body).toMatchObject({ valid: false, position: expect.any(Number) });
    expect((await api("POST", "/roles/validate-rule", admin, { rule: "nope = 1", collection: "docs" })).body).toMatchObject({ valid: false, error: "unknown field 'nope'" });
    const ctx = { user: { id: "u1", role: "user" }, record: { created_by: "u1", status: "draft" } };
    expect((await api("POST", "/roles/test-rule", admin, { rule: '@owns_record() and status in ["draft"]', context: ctx })).body).toMatchObject({ allowed: true });
    expect((await api("POST", "/roles/test-rule", admin, { rule: '@has_role("admin") or @owns_record()', context: { ...ctx, user: { id: "u2", role: "user" } } })).body).toMatchObject({
      allowed: false,
    });
    expect((await api("POST", "/roles/test-rule", admin, { rule: "((", context: ctx })).body).toMatchObject({ allowed: false, error: expect.any(String) });
  });

  it("is for superadmins only", async () => {
    expect((await api("GET", "/roles", anon)).status).toBe(401);
    for (const [method, path] of [
      ["GET", "/roles"],
      ["POST", "/roles"],
      ["GET", "/roles/2/permissions"],
      ["PUT", "/roles/2/permissions/bulk"],
      ["POST", "/roles/validate-rule"],
      ["DELETE", "/roles/2"],
    ] as const) {
      const res = await api(method, path, carol, method === "GET" || method === "DELETE" ? undefined : { name: "x", rule: "true", updates: [] });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });
});
