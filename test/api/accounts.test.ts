/**
 * Accounts (issue 10 part 3) over real HTTP and GraphQL: SnackBase slug derivation and the 409
 * on a taken slug, the /accounts API for superadmins (search, paging, create, update, delete
 * with its data, users) and for account admins (their own account only; other accounts are
 * 404), refusals for plain users and anonymous callers, and the same through GraphQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type ApiClient, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let api: ApiClient;
const STRONG = "SecurePass123!";
const tag = () => Math.random().toString(36).slice(2, 8);

interface Member {
  id: string;
  email: string;
  token: string;
}

interface Tenant {
  id: string;
  slug: string;
  admin: Member;
  user: Member;
}

/** A user created by the superadmin (verified), signed in SnackBase-style. */
async function member(account: string, role: 1 | 2, prefix: string): Promise<Member> {
  const email = `${prefix}-${tag()}@example.com`;
  const created = await api("POST", "/api/v1/users", { token: t.adminToken, body: { email, password: STRONG, account_id: account, role_id: role } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const login = await api("POST", "/api/v1/auth/login", { body: { account, email, password: STRONG } });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { id: created.body.id, email, token: login.body.token };
}

async function tenant(name: string): Promise<Tenant> {
  const res = await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, slug: res.body.slug, admin: await member(res.body.id, 1, "admin"), user: await member(res.body.id, 2, "user") };
}

let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  a = await tenant(`Acme Corp ${tag()}`);
  b = await tenant(`Beta_Labs Europe ${tag()}`);
});
afterAll(async () => t?.close());

describe("slugs derived as SnackBase does", () => {
  it.each([
    ["My Company_Name Here", "my-company-name-here"],
    ["  Spaces   and__under_scores ", "spaces-and-under-scores"],
    ["A very long account name that goes past the limit", "a-very-long-account-name-that-go"],
    ["Café Ünïcode", "cafe-unicode"],
  ])("%j → %s; the same name again → 409; the derived slug signs in", async (name, slug) => {
    const email = `founder-${tag()}@example.com`;
    const first = await api("POST", "/api/v1/auth/register", { body: { account_name: name, email, password: STRONG } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.account.slug).toBe(slug);
    expect(first.body.account.slug.length).toBeLessThanOrEqual(32);
    const again = await api("POST", "/api/v1/auth/register", { body: { account_name: name, email: `other-${tag()}@example.com`, password: STRONG } });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe("An account with this slug already exists");
    expect(again.body.details).toHaveProperty("account_slug");
    // a client that derives the slug from the name reaches the account
    expect((await api("POST", `/api/v1/users/${first.body.user.id}/verify`, { token: t.adminToken })).status).toBe(200);
    const login = await api("POST", "/api/v1/auth/login", { body: { account: slug, email, password: STRONG } });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
  });

  it("an explicit taken slug → 409 with the SnackBase message; a name without letters needs a slug (422)", async () => {
    const taken = await api("POST", "/api/v1/auth/register", { body: { account_name: "Whatever", account_slug: a.slug, email: `x-${tag()}@example.com`, password: STRONG } });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toBe("An account with this slug already exists");
    const bare = await api("POST", "/api/v1/auth/register", { body: { account_name: "!!", email: `y-${tag()}@example.com`, password: STRONG } });
    expect(bare.status).toBe(422);
    expect(bare.body.details).toHaveProperty("account_slug");
  });
});

describe("/accounts for superadmins", () => {
  it("lists with search, paging and total_pages; bad paging → 422", async () => {
    const all = await api("GET", "/api/v1/accounts?page_size=100", { token: t.adminToken });
    expect(all.status).toBe(200);
    expect(all.body.items.map((x: any) => x.id)).toEqual(expect.arrayContaining([a.id, b.id, "default"]));
    const found = await api("GET", `/api/v1/accounts?search=${encodeURIComponent(b.slug)}`, { token: t.adminToken });
    expect(found.body.items.map((x: any) => x.id)).toEqual([b.id]);
    expect(found.body.items[0]).toMatchObject({ id: b.id, slug: b.slug, code: b.id, user_count: 2, created_at: expect.any(String), updated_at: expect.any(String) });
    const paged = await api("GET", "/api/v1/accounts?page=2&page_size=1&sort_by=name&sort_order=asc", { token: t.adminToken });
    expect(paged.body).toMatchObject({ page: 2, page_size: 1, total: all.body.total, total_pages: all.body.total });
    expect(paged.body.items).toHaveLength(1);
    for (const q of ["page_size=101", "page_size=0", "page=0", "sort_by=password", "sort_order=up"]) {
      const bad = await api("GET", `/api/v1/accounts?${q}`, { token: t.adminToken });
      expect(bad.status, q).toBe(422);
      expect(bad.body.message).toBeTruthy();
    }
  });

  it("creates (slug given or derived), refuses a taken or malformed slug, gets by id or slug", async () => {
    const name = `Gamma Co ${tag()}`;
    const created = await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, slug: name.toLowerCase().replace(/ /g, "-"), user_count: 0 });
    expect(created.body.id).toMatch(/^[A-Z]{2}\d{4}$/);
    const dup = await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name: "x", slug: created.body.slug } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe("An account with this slug already exists");
    expect(dup.body.details).toHaveProperty("slug");
    for (const slug of ["ab", "-abc", "has space", "UPPER!"]) expect((await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name: "x", slug } })).status, slug).toBe(422);
    expect((await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name: "   " } })).status).toBe(422);
    expect((await api("POST", "/api/v1/accounts", { token: t.adminToken, body: {} })).status).toBe(422);
    expect((await api("GET", `/api/v1/accounts/${created.body.slug}`, { token: t.adminToken })).body.id).toBe(created.body.id);
    expect((await api("GET", "/api/v1/accounts/ZZ0000", { token: t.adminToken })).status).toBe(404);
  });

  it("updates the name and slug; the slug must stay free", async () => {
    const c = await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name: `Delta ${tag()}` } });
    const renamed = await api("PUT", `/api/v1/accounts/${c.body.id}`, { token: t.adminToken, body: { name: "Delta Renamed", slug: `delta-${tag()}` } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Delta Renamed");
    expect((await api("PATCH", `/api/v1/accounts/${c.body.id}`, { token: t.adminToken, body: { slug: a.slug } })).status).toBe(409);
  });

  it("search matches the name whatever its case, on both databases", async () => {
    for (const search of ["LABS EUROPE", "labs europe", "lAbS eUrOpE"]) {
      const res = await api("GET", `/api/v1/accounts?search=${encodeURIComponent(search)}`, { token: t.adminToken });
      expect(
        res.body.items.map((x: any) => x.id),
        search,
      ).toEqual([b.id]);
    }
    const gq = await gql(t.url, "query($s: String) { accounts(search: $s) { items { id } } }", { s: "ACME CORP" }, t.adminToken);
    expect(gq.body.data.accounts.items.map((x: any) => x.id)).toContain(a.id);
  });

  it("lists an account's users", async () => {
    const res = await api("GET", `/api/v1/accounts/${a.id}/users`, { token: t.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((u: any) => u.email).sort()).toEqual([a.admin.email, a.user.email].sort());
    expect(res.body.items[0]).toMatchObject({ account_id: a.id, role_id: 1, is_active: true });
  });

  it("deletes an account with its records, files and users; their tokens stop working", async () => {
    const name = `doomed_${tag()}`;
    const doomed = await tenant(`Doomed ${tag()}`);
    const col = await api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: { name, list_rule: "", view_rule: "", create_rule: "", update_rule: "", delete_rule: "", schema: [{ name: "title", type: "text" }] },
    });
    expect(col.status, JSON.stringify(col.body)).toBe(201);
    for (const who of [doomed.admin, a.admin]) {
      const rec = await api("POST", `/api/v1/collections/${name}/records`, { token: who.token, body: { data: { title: `by ${who.email}` } } });
      expect(rec.status, JSON.stringify(rec.body)).toBe(201);
    }
    const count = async (accountId: string) =>
      Number(
        (
          await t.app.services.db.query<{ n: unknown }>(
            t.app.services.db.qb
              .selectFrom(name)
              .select((eb) => eb.fn.countAll().as("n"))
              .where("account_id", "=", accountId),
          )
        )[0]!.n,
      );
    expect(await count(doomed.id)).toBe(1);

    const del = await api("DELETE", `/api/v1/accounts/${doomed.id}`, { token: t.adminToken });
    expect(del.status).toBe(204);
    expect(await count(doomed.id)).toBe(0);
    expect(await count(a.id)).toBe(1);
    expect((await api("GET", `/api/v1/accounts/${doomed.id}`, { token: t.adminToken })).status).toBe(404);
    expect((await api("GET", `/api/v1/users/${doomed.user.id}`, { token: t.adminToken })).status).toBe(404);
    expect((await api("GET", "/api/v1/auth/me", { token: doomed.admin.token })).status).toBe(401);
    const audit = await t.app.services.prisma.auditLog.findFirst({ where: { resourceType: "account", resourceId: doomed.id, eventAction: "delete" } });
    expect(audit?.details).toContain('"records":1');
    expect((await api("DELETE", `/api/v1/accounts/${doomed.id}`, { token: t.adminToken })).status).toBe(404);
    const keep = await api("DELETE", "/api/v1/accounts/default", { token: t.adminToken });
    expect(keep.status).toBe(400);
    expect(keep.body.message).toMatch(/default account/);
  });
});

describe("/accounts for account admins, users and strangers", () => {
  it("an account admin sees and renames only their own account", async () => {
    const list = await api("GET", "/api/v1/accounts", { token: a.admin.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: any) => x.id)).toEqual([a.id]);
    expect(list.body.total).toBe(1);
    expect((await api("GET", `/api/v1/accounts/${a.id}`, { token: a.admin.token })).status).toBe(200);
    expect((await api("GET", `/api/v1/accounts/${a.id}/users`, { token: a.admin.token })).body.total).toBe(2);
    const renamed = await api("PATCH", `/api/v1/accounts/${a.id}`, { token: a.admin.token, body: { name: "Acme Renamed" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Acme Renamed");
    expect((await api("PATCH", `/api/v1/accounts/${a.id}`, { token: a.admin.token, body: { slug: `acme-${tag()}` } })).status).toBe(403);
    expect((await api("POST", "/api/v1/accounts", { token: a.admin.token, body: { name: "Mine" } })).status).toBe(403);
    expect((await api("DELETE", `/api/v1/accounts/${a.id}`, { token: a.admin.token })).status).toBe(403);
  });

  it("another tenant's account is not found, by id or slug, on every route", async () => {
    for (const id of [b.id, b.slug]) {
      expect((await api("GET", `/api/v1/accounts/${id}`, { token: a.admin.token })).status).toBe(404);
      expect((await api("GET", `/api/v1/accounts/${id}/users`, { token: a.admin.token })).status).toBe(404);
      expect((await api("PUT", `/api/v1/accounts/${id}`, { token: a.admin.token, body: { name: "pwned" } })).status).toBe(404);
      expect((await api("GET", `/api/v1/accounts/${id}/saml`, { token: a.admin.token })).status).toBe(404);
    }
    expect((await api("GET", `/api/v1/accounts?search=${b.slug}`, { token: a.admin.token })).body.items).toEqual([]);
    expect((await api("GET", `/api/v1/accounts/${b.id}`, { token: t.adminToken })).body.name).not.toBe("pwned");
  });

  it("plain users get 403, anonymous callers 401", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/accounts"],
      ["GET", `/api/v1/accounts/${a.id}`],
      ["GET", `/api/v1/accounts/${a.id}/users`],
      ["PATCH", `/api/v1/accounts/${a.id}`],
    ] as const) {
      expect((await api(method, path, { token: a.user.token, body: method === "PATCH" ? { name: "x" } : undefined })).status, `${method} ${path}`).toBe(403);
      expect((await api(method, path, { body: method === "PATCH" ? { name: "x" } : undefined })).status, `${method} ${path}`).toBe(401);
    }
  });
});

describe("accounts over GraphQL", () => {
  const LIST = "query($search: String) { accounts(search: $search, pageSize: 100) { total totalPages items { id slug name code usersCount } } }";

  it("the same scope as REST: superadmins all, account admins their own, users FORBIDDEN", async () => {
    const all = await gql(t.url, LIST, {}, t.adminToken);
    expect(all.body.errors).toBeUndefined();
    expect(all.body.data.accounts.items.map((x: any) => x.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    const own = await gql(t.url, LIST, {}, b.admin.token);
    expect(own.body.data.accounts.items).toEqual([{ id: b.id, slug: b.slug, name: expect.any(String), code: b.id, usersCount: 2 }]);
    const other = await gql(t.url, "query($id: ID!) { account(id: $id) { id } }", { id: a.id }, b.admin.token);
    expect(other.body.data.account).toBeNull();
    const user = await gql(t.url, LIST, {}, b.user.token);
    expect(user.body.errors[0].extensions.code).toBe("FORBIDDEN");
  });

  it("an account's users page as on /accounts/{id}/users, in the same scope", async () => {
    const q = "query($id: ID!, $page: Int, $size: Int) { account(id: $id) { users(page: $page, pageSize: $size) { total totalPages page pageSize items { id email roleId roleName isActive } } } }";
    const rest = await api("GET", `/api/v1/accounts/${a.id}/users?page=2&page_size=1`, { token: t.adminToken });
    const page = await gql(t.url, q, { id: a.id, page: 2, size: 1 }, t.adminToken);
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data.account.users).toEqual({
      total: 2,
      totalPages: 2,
      page: 2,
      pageSize: 1,
      items: [{ id: rest.body.items[0].id, email: rest.body.items[0].email, roleId: rest.body.items[0].role_id, roleName: rest.body.items[0].role_name, isActive: true }],
    });
    const own = await gql(t.url, q, { id: a.id }, a.admin.token);
    expect(own.body.data.account.users.items.map((u: any) => u.email).sort()).toEqual([a.admin.email, a.user.email].sort());
    expect((await gql(t.url, q, { id: a.id }, b.admin.token)).body.data.account).toBeNull();
    for (const bad of [{ size: 101 }, { size: 0 }, { page: 0 }]) {
      const res = await gql(t.url, q, { id: a.id, ...bad }, t.adminToken);
      expect(res.body.errors?.[0]?.extensions?.code, JSON.stringify(bad)).toBe("BAD_USER_INPUT");
    }
  });

  it("creates, renames and deletes an account; errors carry their codes", async () => {
    const create = "mutation($name: String!, $slug: String) { createAccount(name: $name, slug: $slug) { id slug name usersCount } }";
    const made = await gql(t.url, create, { name: `Graph Co ${tag()}` }, t.adminToken);
    expect(made.body.errors).toBeUndefined();
    const id = made.body.data.createAccount.id;
    const dup = await gql(t.url, create, { name: "x", slug: made.body.data.createAccount.slug }, t.adminToken);
    expect(dup.body.errors[0].extensions.code).toBe("CONFLICT");
    expect((await gql(t.url, create, { name: "mine" }, a.admin.token)).body.errors[0].extensions.code).toBe("FORBIDDEN");
    const renamed = await gql(t.url, 'mutation($id: ID!) { updateAccount(id: $id, name: "Graph Renamed") { name } }', { id }, t.adminToken);
    expect(renamed.body.data.updateAccount.name).toBe("Graph Renamed");
    const gone = await gql(t.url, "mutation($id: ID!) { deleteAccount(id: $id) { id name } }", { id }, t.adminToken);
    expect(gone.body.data.deleteAccount).toEqual({ id, name: "Graph Renamed" });
    expect((await api("GET", `/api/v1/accounts/${id}`, { token: t.adminToken })).status).toBe(404);
  });
});
