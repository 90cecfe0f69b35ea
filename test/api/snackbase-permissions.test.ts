/**
 * SnackBase permissions on every path (compat/snackbase.md §5), on SQLite and PostgreSQL. Two
 * tenant accounts (Acme, Globex), each with its admin (role `admin`), a plain user (role `user`,
 * no permissions) and editors (a custom role), plus the superadmin:
 * - deny by default: a role without a permission gets 403 `Permission denied for <op> on
 *   <collection>` on the SnackBase and FastCMS records routes, and GraphQL refuses it too;
 * - the `fields` list of a create/update permission rejects other fields (422 naming them), on
 *   REST and GraphQL; a read list hides the other fields;
 * - `@owns_record()` is `created_by` = the caller;
 * - account scoping: cross-tenant probes on REST (both dialects), GraphQL queries and
 *   mutations, a subscription and an export find nothing; the superadmin's records are
 *   invisible to account users.
 * "Nothing arrived" on a subscription is proven without sleeping: the next event received is a
 * later one the subscriber may see.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client as WsClient } from "graphql-ws";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant, tenantUser, type Actor, type Tenant } from "../helpers/snackbase.ts";
import { gql, subscribe, waitFor, wsClient } from "./graphql-helpers.ts";

let t: TestApp;
let acme: Tenant;
let globex: Tenant;
let acmeUser: Actor;
let globexUser: Actor;
let editor1: Actor;
let editor2: Actor;
let viewer: Actor;
let acmePost: string;
let globexPost: string;
let superPost: string;

const snack = (method: string, path: string, who: { token: string }, body?: unknown) => t.api(method, `/api/v1/records${path}`, { token: who.token, ...(body !== undefined ? { body } : {}) });
const fast = (method: string, path: string, who: { token: string }, body?: unknown) =>
  t.api(method, `/api/v1/collections/posts/records${path}`, { token: who.token, ...(body !== undefined ? { body } : {}) });
const graphql = (who: { token: string }, query: string, variables?: Record<string, unknown>) => gql(t.url, query, variables, who.token);
const superadmin = () => ({ token: t.adminToken });

async function role(name: string, updates: unknown[]): Promise<number> {
  const made = await t.api("POST", "/api/v1/roles", { token: t.adminToken, body: { name } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const bulk = await t.api("PUT", `/api/v1/roles/${made.body.id}/permissions/bulk`, { token: t.adminToken, body: { updates } });
  expect(bulk.body, JSON.stringify(bulk.body)).toMatchObject({ failure_count: 0 });
  return made.body.id;
}

beforeAll(async () => {
  t = await startApp();
  const made = await t.api("POST", "/api/v1/collections/", {
    token: t.adminToken,
    body: {
      name: "posts",
      schema: [
        { name: "title", type: "text", required: true },
        { name: "content", type: "text" },
        { name: "published", type: "boolean", default: false },
      ],
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  await role("editor", [
    { collection: "posts", operation: "read", rule: "true", fields: "*" },
    { collection: "posts", operation: "create", rule: "true", fields: ["title", "content"] },
    { collection: "posts", operation: "update", rule: "@owns_record()", fields: ["title"] },
  ]);
  await role("viewer", [{ collection: "posts", operation: "read", rule: "true", fields: ["title"] }]);
  acme = await signUpTenant(t, "Acme");
  globex = await signUpTenant(t, "Globex");
  acmeUser = await tenantUser(t, acme, 2);
  globexUser = await tenantUser(t, globex, "user");
  editor1 = await tenantUser(t, acme, "editor");
  editor2 = await tenantUser(t, acme, "editor");
  viewer = await tenantUser(t, acme, "viewer");
  acmePost = (await snack("POST", "/posts", acme.admin, { title: "acme secret", content: "A" })).body.id;
  globexPost = (await snack("POST", "/posts", globex.admin, { title: "globex secret", content: "G" })).body.id;
  superPost = (await snack("POST", "/posts", superadmin(), { title: "super secret" })).body.id;
  expect([acmePost, globexPost, superPost].every(Boolean)).toBe(true);
});
afterAll(() => t?.close());

describe("deny by default", () => {
  it("a role without permissions gets 403 on every operation of the SnackBase routes", async () => {
    for (const [method, path, body, op] of [
      ["GET", "/posts", undefined, "read"],
      ["GET", `/posts/${acmePost}`, undefined, "read"],
      ["POST", "/posts", { title: "x" }, "create"],
      ["PATCH", `/posts/${acmePost}`, { title: "x" }, "update"],
      ["PUT", `/posts/${acmePost}`, { title: "x" }, "update"],
      ["DELETE", `/posts/${acmePost}`, undefined, "delete"],
    ] as const) {
      const res = await snack(method, path, acmeUser, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.message).toBe(`Permission denied for ${op} on posts`);
    }
  });

  it("the same on the FastCMS routes and GraphQL", async () => {
    expect((await fast("GET", "", acmeUser)).status).toBe(403);
    expect((await fast("POST", "", acmeUser, { data: { title: "x" } })).status).toBe(403);
    const q = await graphql(
      acmeUser,
      `
        {
          posts {
            nodes {
              id
              title
            }
          }
        }
      `,
    );
    expect(q.body.data?.posts ?? null).toBeNull();
    expect(q.body.errors?.length).toBeGreaterThan(0);
    const m = await graphql(
      acmeUser,
      `
        mutation {
          createPost(data: { title: "x" }) {
            id
          }
        }
      `,
    );
    expect(m.body.data?.createPost ?? null).toBeNull();
    expect(m.body.errors?.length).toBeGreaterThan(0);
  });

  it("the account admin and the superadmin pass", async () => {
    expect((await snack("GET", "/posts", acme.admin)).status).toBe(200);
    expect((await snack("GET", "/posts", superadmin())).status).toBe(200);
  });
});

describe("field lists and @owns_record()", () => {
  it("create: a field outside the permission's list → 422 naming it (REST and GraphQL)", async () => {
    const ok = await snack("POST", "/posts", editor1, { title: "by editor1", content: "c" });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.created_by).toBe(editor1.id);
    const res = await snack("POST", "/posts", editor1, { title: "x", published: true });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe("Field access denied");
    expect(res.body.details).toEqual({ unauthorized_fields: ["published"] });
    const viaFast = await fast("POST", "", editor1, { data: { title: "x", published: true } });
    expect(viaFast.status).toBe(422);
    const viaGraphql = await graphql(
      editor1,
      `
        mutation {
          createPost(data: { title: "x", published: true }) {
            id
          }
        }
      `,
    );
    expect(JSON.stringify(viaGraphql.body.errors)).toMatch(/Field access denied|published/);
  });

  it("update: only your own records (created_by), only the listed fields; delete is denied", async () => {
    const mine = (await snack("POST", "/posts", editor1, { title: "mine" })).body.id;
    const theirs = (await snack("POST", "/posts", editor2, { title: "theirs" })).body.id;
    const own = await snack("PATCH", `/posts/${mine}`, editor1, { title: "mine, edited" });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.title).toBe("mine, edited");
    const field = await snack("PATCH", `/posts/${mine}`, editor1, { content: "no" });
    expect(field.status).toBe(422);
    expect(field.body.details).toEqual({ unauthorized_fields: ["content"] });
    const other = await snack("PATCH", `/posts/${theirs}`, editor1, { title: "hijack" });
    expect(other.status).toBe(403);
    expect(other.body.message).toBe("Permission denied for update on posts");
    const otherGraphql = await graphql(
      editor1,
      `
        mutation ($id: ID!) {
          updatePost(id: $id, data: { title: "hijack" }) {
            id
          }
        }
      `,
      { id: theirs },
    );
    expect(otherGraphql.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await fast("PATCH", `/${theirs}`, editor1, { data: { title: "hijack" } })).status).toBe(403);
    const del = await snack("DELETE", `/posts/${mine}`, editor1);
    expect(del.status).toBe(403);
    expect(del.body.message).toBe("Permission denied for delete on posts");
    expect((await snack("GET", `/posts/${theirs}`, editor1)).body.title).toBe("theirs");
  });

  it("read: a field list hides the other fields (system fields stay)", async () => {
    const one = await snack("GET", `/posts/${acmePost}`, viewer);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: acmePost, title: "acme secret", created_by: acme.admin.id, account_id: acme.id });
    expect(one.body).not.toHaveProperty("content");
    const list = await snack("GET", "/posts?sort=title", viewer);
    expect(list.body.items.every((r: Record<string, unknown>) => !("content" in r))).toBe(true);
    expect((await snack("GET", "/posts?content=A", viewer)).status).toBe(403);
  });
});

describe("account scoping: cross-tenant probes find nothing", () => {
  it("lists: each account sees its own records; the superadmin's are invisible to account users", async () => {
    const titles = async (who: { token: string }) => (await snack("GET", "/posts?limit=100", who)).body.items.map((r: { title: string }) => r.title);
    const acmeTitles = await titles(acme.admin);
    expect(acmeTitles).toContain("acme secret");
    expect(acmeTitles).not.toContain("globex secret");
    expect(acmeTitles).not.toContain("super secret");
    expect(await titles(globex.admin)).toEqual(["globex secret"]);
    expect(await titles(editor1)).not.toContain("globex secret");
    const fastList = await fast("GET", "?per_page=100", globex.admin);
    expect(fastList.body.items.map((r: { data: { title: string } }) => r.data.title)).toEqual(["globex secret"]);
    expect((await snack("GET", "/posts?title=acme%20secret", globex.admin)).body).toMatchObject({ items: [], total: 0 });
  });

  it("another account's record by id: 404 on both REST dialects, null or not found on GraphQL", async () => {
    for (const method of ["GET", "PATCH", "PUT", "DELETE"] as const) {
      const body = method === "PATCH" || method === "PUT" ? { title: "pwned" } : undefined;
      expect((await snack(method, `/posts/${acmePost}`, globex.admin, body)).status, method).toBe(404);
      expect((await fast(method, `/${acmePost}`, globex.admin, body ? { data: body } : undefined)).status, method).toBe(404);
    }
    expect((await snack("GET", `/posts/${superPost}`, acme.admin)).status).toBe(404);
    const q = await graphql(
      globex.admin,
      `
        query ($id: ID!) {
          post(id: $id) {
            id
            title
          }
        }
      `,
      { id: acmePost },
    );
    expect(q.body.data?.post ?? null).toBeNull();
    const m = await graphql(
      globex.admin,
      `
        mutation ($id: ID!) {
          updatePost(id: $id, data: { title: "pwned" }) {
            id
          }
        }
      `,
      { id: acmePost },
    );
    expect(m.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const list = await graphql(
      globex.admin,
      `
        {
          posts(first: 100) {
            totalCount
            nodes {
              title
            }
          }
        }
      `,
    );
    expect(list.body.data.posts).toEqual({ totalCount: 1, nodes: [{ title: "globex secret" }] });
    expect((await snack("GET", `/posts/${acmePost}`, acme.admin)).body.title).toBe("acme secret");
  });

  it("a subscription receives only its own account's events", async () => {
    const ws: WsClient = wsClient(t.url, globex.admin.token);
    try {
      const before = t.app.graphql.hub.size;
      const events = subscribe(ws, `subscription { postCreated { id title } }`);
      await waitFor(() => t.app.graphql.hub.size > before || events.error !== undefined, 5000, "subscription to start");
      expect((await snack("POST", "/posts", acme.admin, { title: "acme live" })).status).toBe(201);
      expect((await snack("POST", "/posts", superadmin(), { title: "super live" })).status).toBe(201);
      expect((await snack("POST", "/posts", globex.admin, { title: "globex live" })).status).toBe(201);
      expect((await events.next()).data.postCreated.title).toBe("globex live");
      events.dispose();
    } finally {
      await ws.dispose();
    }
  });

  it("an export holds only the caller's account", async () => {
    const res = await t.api("GET", "/api/v1/collections/posts/records/export/json", { token: globex.admin.token });
    expect(res.status).toBe(200);
    const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
    expect(text).toContain("globex secret");
    expect(text).not.toContain("acme");
    expect(text).not.toContain("super");
    const denied = await t.api("GET", "/api/v1/collections/posts/records/export/json", { token: globexUser.token });
    expect(denied.status).toBe(403);
  });
});
