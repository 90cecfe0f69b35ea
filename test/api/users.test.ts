/**
 * Users management over real HTTP (/api/v1/users, superadmin; compat/snackbase.md §7): create
 * with role ids in every spelling and the SnackBase password rule (400), list filters and
 * sorting, get, patch, set password, verify, deactivate — and what each does to logins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, registerUser, startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let tenant: { id: string; slug: string };
const STRONG = "SecurePass123!";
const tag = () => Math.random().toString(36).slice(2, 10);
const email = (p: string) => `${p}-${tag()}@example.com`;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  t = await startApp();
  const reg = await t.api("POST", "/api/v1/auth/register", { body: { account_name: "Acme Users", account_slug: `acme-${tag()}`, email: email("founder"), password: STRONG } });
  expect(reg.status).toBe(201);
  tenant = { id: reg.body.account.id, slug: reg.body.account.slug };
});
afterAll(async () => t?.close());

const admin = (method: string, path: string, body?: unknown) => t.api(method, `/api/v1${path}`, { token: t.adminToken, ...(body !== undefined ? { body } : {}) });

function expectError(res: { status: number; body: any }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  expect(res.body).toHaveProperty("details");
}

async function create(body: Record<string, unknown>) {
  const res = await admin("POST", "/users", { password: STRONG, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe("create", () => {
  it("answers the SnackBase user shape; the user is verified and can log in at once", async () => {
    const addr = email("New");
    const u = await create({ email: addr, account_id: tenant.id, role_id: "2" });
    expect(u).toEqual({
      id: expect.any(String),
      email: addr.toLowerCase(),
      name: null,
      account_id: tenant.id,
      account_code: tenant.id,
      account_name: "Acme Users",
      role_id: 2,
      role_name: "user",
      superadmin: false,
      is_active: true,
      auth_provider: "password",
      auth_provider_name: null,
      external_id: null,
      external_email: null,
      profile_data: null,
      email_verified: true,
      email_verified_at: expect.stringMatching(ISO),
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      last_login: null,
    });
    const login = await t.api("POST", "/api/v1/auth/login", { body: { account: tenant.slug, email: addr, password: STRONG } });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: u.id, role: "user", verified: true });
    expect((await admin("GET", `/users/${u.id}`)).body.last_login).toMatch(ISO);
  });

  it.each<[string, unknown, number, string]>([
    ["a number", 1, 1, "admin"],
    ["a numeric string", "1", 1, "admin"],
    ["a role name", "user", 2, "user"],
  ])("role_id as %s", async (_n, roleId, id, name) => {
    const u = await create({ email: email("role"), role_id: roleId });
    expect(u).toMatchObject({ role_id: id, role_name: name, account_id: "default" });
  });

  it("the account by slug; defaults: default account, role user", async () => {
    expect(await create({ email: email("slug"), account_id: tenant.slug })).toMatchObject({ account_id: tenant.id });
    expect(await create({ email: email("dflt") })).toMatchObject({ account_id: "default", account_code: null, role_id: 2 });
  });

  it("a weak password → 400 naming each broken rule", async () => {
    const res = await admin("POST", "/users", { email: email("weak"), password: "weak" });
    expectError(res, 400);
    expect(Object.keys(res.body.details).sort()).toEqual(["password", "password_no_digit", "password_no_special", "password_no_uppercase", "password_too_short"]);
  });

  it.each<[string, Record<string, unknown>, number]>([
    ["an unknown role → 404", { role_id: 999 }, 404],
    ["an unknown role name → 404", { role_id: "overlord" }, 404],
    ["an unknown account → 404", { account_id: "ZZ9999" }, 404],
    ["a malformed e-mail → 422", { email: "nope" }, 422],
    ["a role id of the wrong type → 422", { role_id: { id: 1 } }, 422],
    ["a missing password → 422", { password: undefined }, 422],
  ])("%s", async (_n, body, status) => {
    expectError(await admin("POST", "/users", { email: email("bad"), password: STRONG, ...body }), status);
  });

  it("an e-mail already in the account → 409; in another account it is fine", async () => {
    const addr = email("dup");
    await create({ email: addr, account_id: tenant.id });
    expectError(await admin("POST", "/users", { email: addr.toUpperCase(), password: STRONG, account_id: tenant.id }), 409);
    await create({ email: addr });
  });

  it("only superadmins: 401 anonymous, 403 for users and account admins", async () => {
    const u = await registerUser(t.api);
    expectError(await t.api("POST", "/api/v1/users", { body: { email: email("x"), password: STRONG } }), 401);
    for (const path of ["/api/v1/users", `/api/v1/users/${u.id}`]) {
      expectError(await t.api("GET", path, { token: u.token }), 403);
      expectError(await t.api("GET", path), 401);
    }
    expectError(await t.api("POST", "/api/v1/users", { token: u.token, body: { email: email("x"), password: STRONG } }), 403);
    expectError(await t.api("DELETE", `/api/v1/users/${u.id}`, { token: u.token }), 403);
  });
});

describe("list and get", () => {
  let acct: { id: string; slug: string };
  let ids: Record<string, string>;
  beforeAll(async () => {
    const reg = await t.api("POST", "/api/v1/auth/register", { body: { account_name: "List Co", email: `zed-${tag()}@list.example.com`, password: STRONG } });
    acct = { id: reg.body.account.id, slug: reg.body.account.slug };
    ids = { zed: reg.body.user.id };
    ids.amy = (await create({ email: `amy-${tag()}@list.example.com`, account_id: acct.id, role_id: "user" })).id;
    ids.bob = (await create({ email: `bob-${tag()}@list.example.com`, account_id: acct.id, role_id: 2, is_active: false })).id;
  });

  it("filters by account (id, code or slug), role, active flag and e-mail search", async () => {
    const byAccount = await admin("GET", `/users?account_id=${acct.slug}`);
    expect(byAccount.status).toBe(200);
    expect(byAccount.body.total).toBe(3);
    expect(byAccount.body.items.map((u: any) => u.id).sort()).toEqual(Object.values(ids).sort());
    expect((await admin("GET", `/users?account_id=${acct.id}&role_id=admin`)).body.items.map((u: any) => u.id)).toEqual([ids.zed]);
    expect((await admin("GET", `/users?account_id=${acct.id}&role_id=2`)).body.total).toBe(2);
    expect((await admin("GET", `/users?account_id=${acct.id}&is_active=false`)).body.items.map((u: any) => u.id)).toEqual([ids.bob]);
    expect((await admin("GET", `/users?account_id=${acct.id}&is_active=true`)).body.total).toBe(2);
    const search = await admin("GET", "/users?search=AMY-");
    expect(search.body.items.map((u: any) => u.id)).toEqual([ids.amy]);
    expect((await admin("GET", "/users?account_id=nope-nope")).body).toEqual({ total: 0, items: [] });
    expect((await admin("GET", "/users?role_id=nosuchrole")).body).toEqual({ total: 0, items: [] });
  });

  it("sorts, pages with skip/limit, and counts the whole match", async () => {
    const asc = await admin("GET", `/users?account_id=${acct.id}&sort=email`);
    expect(asc.body.items.map((u: any) => u.id)).toEqual([ids.amy, ids.bob, ids.zed]);
    const desc = await admin("GET", `/users?account_id=${acct.id}&sort=-email`);
    expect(desc.body.items.map((u: any) => u.id)).toEqual([ids.zed, ids.bob, ids.amy]);
    const page = await admin("GET", `/users?account_id=${acct.id}&sort=email&skip=1&limit=1`);
    expect(page.body).toMatchObject({ total: 3, items: [{ id: ids.bob }] });
    const newest = await admin("GET", `/users?account_id=${acct.id}`);
    expect(newest.body.items.map((u: any) => u.id)).toEqual([ids.bob, ids.amy, ids.zed]);
    const all = await admin("GET", "/users?limit=100");
    expect(all.body.items.some((u: any) => u.email === ADMIN_EMAIL && u.superadmin && u.role_name === "admin")).toBe(true);
  });

  it.each<[string, string, number]>([
    ["limit above 100 → 422", "limit=101", 422],
    ["limit 0 → 422", "limit=0", 422],
    ["negative skip → 422", "skip=-1", 422],
    ["is_active not a boolean → 422", "is_active=maybe", 422],
    ["an unknown sort field → 400", "sort=password_hash", 400],
  ])("%s", async (_n, query, status) => {
    expectError(await admin("GET", `/users?${query}`), status);
  });

  it("get by id; unknown → 404", async () => {
    expect((await admin("GET", `/users/${ids.amy}`)).body).toMatchObject({ id: ids.amy, account_id: acct.id, role_name: "user" });
    expectError(await admin("GET", "/users/no-such-user"), 404);
  });
});

describe("update, password, verify, deactivate", () => {
  it("PATCH changes e-mail, role and active flag", async () => {
    const u = await registerUser(t.api);
    const res = await admin("PATCH", `/users/${u.id}`, { email: email("Patched"), role_id: "admin" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, role_id: 1, role_name: "admin", is_active: true });
    expect(res.body.email).toMatch(/^patched-/);
    // the next session carries the new role
    const login = await t.api("POST", "/api/v1/auth/login", { body: { email: res.body.email, password: "User-pass-123" } });
    expect(login.body.user.role).toBe("admin");
    expect((await admin("PATCH", `/users/${u.id}`, { role_id: 2 })).body).toMatchObject({ role_id: 2, role_name: "user" });
  });

  it.each<[string, (other: string) => Record<string, unknown>, number]>([
    ["an e-mail taken in the account → 409", (other) => ({ email: other }), 409],
    ["an unknown role → 404", () => ({ role_id: 42 }), 404],
    ["a malformed e-mail → 422", () => ({ email: "x" }), 422],
    ["is_active not a boolean → 422", () => ({ is_active: "sometimes" }), 422],
  ])("PATCH with %s", async (_n, body, status) => {
    const u = await registerUser(t.api);
    const other = await registerUser(t.api);
    expectError(await admin("PATCH", `/users/${u.id}`, body(other.email)), status);
  });

  it("PATCH or DELETE of an unknown user → 404; superadmins cannot deactivate themselves (400)", async () => {
    expectError(await admin("PATCH", "/users/nobody", { is_active: false }), 404);
    expectError(await admin("DELETE", "/users/nobody"), 404);
    const me = await t.api("GET", "/api/v1/auth/me", { token: t.adminToken });
    expectError(await admin("DELETE", `/users/${me.body.id}`), 400);
    expectError(await admin("PATCH", `/users/${me.body.id}`, { is_active: false }), 400);
  });

  it("PUT password: SnackBase rule (400), then the new password works and old sessions end", async () => {
    const u = await registerUser(t.api);
    const weak = await admin("PUT", `/users/${u.id}/password`, { new_password: "simple-pass-1" });
    expectError(weak, 400);
    expect(weak.body.details).toHaveProperty("password_no_uppercase");
    expectError(await admin("PUT", `/users/${u.id}/password`, {}), 400);
    const ok = await admin("PUT", `/users/${u.id}/password`, { new_password: "Admin-Set-Pass-1" });
    expect(ok.status).toBe(200);
    expect(ok.body.message).toEqual(expect.any(String));
    expect((await t.api("POST", "/api/v1/auth/refresh", { body: { refresh_token: u.refreshToken } })).status).toBe(401);
    expect((await t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } })).status).toBe(401);
    expect((await t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "Admin-Set-Pass-1" } })).status).toBe(200);
    expectError(await admin("PUT", "/users/nobody/password", { new_password: "Admin-Set-Pass-1" }), 404);
  });

  it("POST verify marks the e-mail verified", async () => {
    const u = await registerUser(t.api);
    expect((await admin("GET", `/users/${u.id}`)).body).toMatchObject({ email_verified: false, email_verified_at: null });
    const res = await admin("POST", `/users/${u.id}/verify`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, email_verified: true, email_verified_at: expect.stringMatching(ISO) });
    expectError(await admin("POST", "/users/nobody/verify"), 404);
  });

  it("DELETE stops the user's API keys at once", async () => {
    const u = await registerUser(t.api);
    const created = await t.api("POST", "/api/v1/api-keys", { token: u.token, body: { name: "owner-off", scopes: "*" } });
    const headers = { "x-api-key": created.body.key };
    expect((await t.api("GET", "/api/v1/auth/me", { headers })).status).toBe(200);
    expect((await admin("DELETE", `/users/${u.id}`)).status).toBe(204);
    expectError(await t.api("GET", "/api/v1/auth/me", { headers }), 401);
  });

  it("DELETE deactivates: 204, login 401, refresh 401, the row stays with is_active false", async () => {
    const u = await registerUser(t.api);
    const res = await admin("DELETE", `/users/${u.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    const login = await t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } });
    expect(login.status).toBe(401);
    expect(login.body.message).toBe("Account is disabled");
    expect((await t.api("POST", "/api/v1/auth/refresh", { body: { refresh_token: u.refreshToken } })).status).toBe(401);
    expect((await admin("GET", `/users/${u.id}`)).body).toMatchObject({ id: u.id, is_active: false });
    expect(await t.app.services.prisma.refreshToken.count({ where: { userId: u.id } })).toBe(0);
    // reactivation through PATCH
    expect((await admin("PATCH", `/users/${u.id}`, { is_active: true })).body.is_active).toBe(true);
    expect((await t.api("POST", "/api/v1/auth/login", { body: { email: u.email, password: "User-pass-123" } })).status).toBe(200);
  });
});
