/**
 * GraphQL queries and mutations over real HTTP with urql (and fetch for status codes): naming,
 * typed fields, CRUD through GraphQL and REST on the same data, expectedVersion conflicts,
 * field-level validation errors, filters, sorting, search, cursor/offset pagination, bulk
 * mutations, system operations and error codes. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from "../helpers/app.ts";
import { countStatements, dataOf, gql, urql, SIGNED_IN_RULES } from "./graphql-helpers.ts";
import type { Client } from "@urql/core";

let t: TestApp;
let admin: Client;
let user: { token: string; id: string; email: string; refreshToken: string };
let client: Client;
let authorId: string;

const POST_FIELDS = "id title views rating published status tags meta due day contact site loc { lat lng } author { id name } version created updated ownerId";

beforeAll(async () => {
  t = await startApp();
  const mk = async (body: unknown) => {
    const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  await mk({ ...SIGNED_IN_RULES, name: "authors", schema: [{ name: "name", type: "text", validation: { required: true } }] });
  await mk({
    ...SIGNED_IN_RULES,
    name: "posts",
    schema: [
      { name: "title", type: "text", validation: { required: true, max_length: 100 } },
      { name: "body", type: "editor" },
      { name: "views", type: "number", validation: { min: 0 } },
      { name: "rating", type: "number", validation: { integer: true, min: 0, max: 5 } },
      { name: "published", type: "bool" },
      { name: "status", type: "select", validation: { values: ["draft", "live"] } },
      { name: "tags", type: "tags" },
      { name: "meta", type: "json" },
      { name: "due", type: "datetime" },
      { name: "day", type: "date" },
      { name: "contact", type: "email" },
      { name: "site", type: "url" },
      { name: "loc", type: "geopoint" },
      { name: "author", type: "reference", relation: { collection: "authors", cascade_delete: "set_null" } },
    ],
  });
  await mk({ ...SIGNED_IN_RULES, name: "news", schema: [{ name: "headline", type: "text" }] });
  admin = urql(t.url, t.adminToken);
  user = await registerUser(t.api);
  client = urql(t.url, user.token);
  authorId = dataOf(await client.mutation(`mutation { createAuthor(data: { name: "Ann" }) { id } }`, {}).toPromise()).createAuthor.id;
});
afterAll(async () => t?.close());

describe("schema naming and types", () => {
  it("generates DESIGN.md names and fitting scalars", async () => {
    const q = `query($n: String!) { __type(name: $n) { name kind interfaces { name } fields { name type { kind name ofType { kind name ofType { kind name } } } } inputFields { name type { kind name ofType { kind name ofType { kind name } } } } } }`;
    const post = dataOf(await client.query(q, { n: "Post" }).toPromise()).__type;
    expect(post.interfaces).toEqual([{ name: "Node" }]);
    const type = (name: string) => {
      const f = post.fields.find((x: any) => x.name === name).type;
      return f.kind === "NON_NULL" ? `${f.ofType.name ?? `[${f.ofType.ofType.name}]`}!` : (f.name ?? `[${f.ofType.ofType?.name ?? f.ofType.name}]`);
    };
    expect(
      Object.fromEntries(
        ["id", "title", "views", "rating", "published", "status", "tags", "meta", "due", "day", "contact", "site", "loc", "author", "created", "updated", "version", "ownerId"].map((n) => [
          n,
          type(n),
        ]),
      ),
    ).toEqual({
      id: "ID!",
      title: "String!", // required and readable for this caller's role set
      views: "Float",
      rating: "Int",
      published: "Boolean",
      status: "PostStatus",
      tags: "[String]",
      meta: "JSON",
      due: "DateTime",
      day: "Date",
      contact: "EmailAddress",
      site: "URL",
      loc: "GeoPoint",
      author: "Author",
      created: "DateTime!",
      updated: "DateTime!",
      version: "Int!",
      ownerId: "ID",
    });
    const roots = dataOf(
      await client.query(`{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } s: __type(name: "Subscription") { fields { name } } }`, {}).toPromise(),
    );
    const names = (x: any) => x.fields.map((f: any) => f.name);
    expect(names(roots.q)).toEqual(expect.arrayContaining(["post", "posts", "author", "authors", "news", "newsList", "me", "collections", "collection"]));
    expect(names(roots.m)).toEqual(
      expect.arrayContaining(["createPost", "updatePost", "deletePost", "createPosts", "updatePosts", "deletePosts", "createNewsList", "login", "register", "refreshToken", "createCollection"]),
    );
    expect(names(roots.s)).toEqual(expect.arrayContaining(["postCreated", "postUpdated", "postDeleted", "postChanged", "newsChanged"]));
    const named = (ty: any): string => ty.name ?? named(ty.ofType);
    const where = dataOf(await client.query(q, { n: "PostWhere" }).toPromise()).__type.inputFields.map((f: any) => `${f.name}:${named(f.type)}`);
    expect(where).toEqual(
      expect.arrayContaining([
        "AND:PostWhere",
        "OR:PostWhere",
        "NOT:PostWhere",
        "id:IDFilter",
        "title:StringFilter",
        "status:PostStatusFilter",
        "views:FloatFilter",
        "rating:IntFilter",
        "published:BooleanFilter",
        "due:DateTimeFilter",
        "day:DateFilter",
        "tags:StringListFilter",
        "author:IDFilter",
        "created:DateTimeFilter",
      ]),
    );
  });
});

describe("CRUD", () => {
  it("creates, reads, updates and deletes through GraphQL, and REST sees the same records", async () => {
    const created = dataOf(
      await client
        .mutation(`mutation($d: PostCreateInput!) { createPost(data: $d) { ${POST_FIELDS} } }`, {
          d: {
            title: "Hello",
            views: 1.5,
            rating: 4,
            published: true,
            status: "LIVE",
            tags: ["a", "b"],
            meta: { x: [1, { y: null }] },
            due: "2026-05-06T07:08:09+02:00",
            day: "2026-05-06",
            contact: "a@example.com",
            site: "https://example.com/x",
            loc: { lat: 48.1, lng: 11.5 },
            author: authorId,
          },
        })
        .toPromise(),
    ).createPost;
    expect(created).toMatchObject({
      title: "Hello",
      views: 1.5,
      rating: 4,
      published: true,
      status: "LIVE",
      tags: ["a", "b"],
      meta: { x: [1, { y: null }] },
      due: "2026-05-06T05:08:09.000Z",
      day: "2026-05-06",
      contact: "a@example.com",
      site: "https://example.com/x",
      loc: { lat: 48.1, lng: 11.5 },
      author: { id: authorId, name: "Ann" },
      version: 1,
      ownerId: user.id,
    });

    const rest = await t.api("GET", `/api/v1/collections/posts/records/${created.id}`, { token: user.token });
    expect(rest.status).toBe(200);
    expect(rest.body.data).toMatchObject({ title: "Hello", status: "live", tags: ["a", "b"], author: authorId });

    const patched = await t.api("PATCH", `/api/v1/collections/posts/records/${created.id}`, { token: user.token, body: { data: { views: 10 } } });
    expect(patched.status).toBe(200);
    const read = dataOf(await client.query(`query($id: ID!) { post(id: $id) { views version } }`, { id: created.id }).toPromise()).post;
    expect(read).toEqual({ views: 10, version: 2 });

    const updated = dataOf(
      await client.mutation(`mutation($id: ID!) { updatePost(id: $id, data: { title: "Changed", tags: null }, expectedVersion: 2) { title tags views version } }`, { id: created.id }).toPromise(),
    );
    expect(updated.updatePost).toEqual({ title: "Changed", tags: null, views: 10, version: 3 });

    const deleted = dataOf(await client.mutation(`mutation($id: ID!) { deletePost(id: $id) { id title } }`, { id: created.id }).toPromise());
    expect(deleted.deletePost).toEqual({ id: created.id, title: "Changed" });
    expect(dataOf(await client.query(`query($id: ID!) { post(id: $id) { id } }`, { id: created.id }).toPromise()).post).toBeNull();
    expect(dataOf(await client.mutation(`mutation($id: ID!) { deletePost(id: $id) { id } }`, { id: created.id }).toPromise()).deletePost).toBeNull();
    expect((await t.api("GET", `/api/v1/collections/posts/records/${created.id}`, { token: user.token })).status).toBe(404);
  });

  it("answers a stale expectedVersion with CONFLICT (409) and the current version", async () => {
    const { id } = dataOf(await client.mutation(`mutation { createPost(data: { title: "v" }) { id } }`, {}).toPromise()).createPost;
    await client.mutation(`mutation($id: ID!) { updatePost(id: $id, data: { views: 1 }) { version } }`, { id }).toPromise();
    const res = await gql(t.url, `mutation($id: ID!) { updatePost(id: $id, data: { views: 2 }, expectedVersion: 1) { version } }`, { id }, user.token);
    expect(res.status).toBe(409);
    expect(res.body.data).toBeNull();
    expect(res.body.errors[0]).toMatchObject({ path: ["updatePost"], extensions: { code: "CONFLICT", details: { current_version: 2, expected_version: 1 } } });
    expect(res.body.errors[0].extensions).not.toHaveProperty("http");
    const viaUrql = await client.mutation(`mutation($id: ID!) { updatePost(id: $id, data: { views: 2 }, expectedVersion: 1) { version } }`, { id }).toPromise();
    expect(viaUrql.error?.graphQLErrors[0]?.extensions.code).toBe("CONFLICT");
  });

  it("reports every invalid field in extensions.fields (BAD_USER_INPUT, 422 semantics)", async () => {
    const res = await gql(t.url, `mutation { createPost(data: { title: "${"x".repeat(101)}", views: -1, author: "missing" }) { id } }`, undefined, user.token);
    expect(res.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(Object.keys(res.body.errors[0].extensions.fields).sort()).toEqual(expect.arrayContaining(["title", "views"]));
    expect(res.status).toBe(422);
    const typed = await gql(t.url, `mutation { createPost(data: { title: "t", due: "not a date" }) { id } }`, undefined, user.token);
    expect(typed.status).toBe(400);
    expect(typed.body.errors[0].message).toMatch(/DateTime/);
    const notAValue = await gql(t.url, `mutation { createPost(data: { title: "t", status: GONE }) { id } }`, undefined, user.token);
    expect(notAValue.status).toBe(400);
    expect(notAValue.body.errors[0].message).toMatch(/"GONE" does not exist in "PostStatus" enum/);
  });

  it("needs a signed-in caller for records; collection operations need a superadmin", async () => {
    const anon = await gql(t.url, `{ posts { nodes { id } } }`);
    expect(anon.status).toBe(401);
    expect(anon.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const forbidden = await gql(t.url, `mutation { createCollection(input: { name: "x1", fields: [] }) { id } }`, undefined, user.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors[0].extensions.code).toBe("FORBIDDEN");
    // A failing nullable field leaves a partial result: 200, the error without http details.
    const partial = await gql(t.url, `{ me { email } collection(id: "posts") { name } }`, undefined, user.token);
    expect(partial.status).toBe(200);
    expect(partial.body.data).toEqual({ me: { email: user.email }, collection: null });
    expect(partial.body.errors[0].extensions).toEqual({ code: "FORBIDDEN" });
    // A failing non-null root field nulls the whole result: the error's status is the response's.
    const whole = await gql(t.url, `{ me { email } collections { name } }`, undefined, user.token);
    expect(whole.status).toBe(403);
    expect(whole.body.data).toBeNull();
  });
});

describe("lists", () => {
  let ids: string[];
  beforeAll(async () => {
    const data = Array.from({ length: 25 }, (_, i) => ({
      title: `List ${String(i).padStart(2, "0")}${i % 5 === 0 ? " special" : ""}`,
      views: i,
      published: i % 2 === 0,
      tags: i % 3 === 0 ? ["three"] : ["other"],
      status: i < 10 ? "DRAFT" : "LIVE",
    }));
    const res = dataOf(await client.mutation(`mutation($d: [PostCreateInput!]!) { createPosts(data: $d) { id } }`, { d: data }).toPromise());
    ids = res.createPosts.map((p: { id: string }) => p.id);
    expect(ids).toHaveLength(25);
  });
  const where = { title: { startsWith: "List" } };

  it("filters with where (AND/OR/NOT, per-field operators) and sorts with orderBy", async () => {
    const q = `query($w: PostWhere, $o: [PostOrderBy!]) { posts(where: $w, orderBy: $o, first: 100) { totalCount nodes { title views } } }`;
    const run = async (w: unknown, o?: unknown) => dataOf(await client.query(q, { w: { AND: [where, w] }, o }).toPromise()).posts;
    expect((await run({ views: { gte: 20 } }, [{ views: "DESC" }])).nodes.map((n: any) => n.views)).toEqual([24, 23, 22, 21, 20]);
    expect((await run({ OR: [{ views: { lt: 2 } }, { views: { in: [7, 8] } }] }, [{ views: "ASC" }])).nodes.map((n: any) => n.views)).toEqual([0, 1, 7, 8]);
    expect((await run({ NOT: { published: { eq: true } }, views: { lt: 6 } }, [{ views: "ASC" }])).nodes.map((n: any) => n.views)).toEqual([1, 3, 5]);
    expect((await run({ tags: { has: "three" }, views: { lte: 9 } }, [{ views: "ASC" }])).nodes.map((n: any) => n.views)).toEqual([0, 3, 6, 9]);
    expect((await run({ title: { contains: "SPECIAL" } })).totalCount).toBe(5);
    const multi = await run({ views: { lt: 12 } }, [{ status: "ASC" }, { views: "DESC" }]);
    expect(multi.nodes.map((n: any) => n.views)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 10]);
    const bad = await gql(t.url, `{ posts(orderBy: [{ meta: ASC }]) { nodes { id } } }`, undefined, user.token);
    expect(bad.status).toBe(400);
  });

  it("searches the full-text index", async () => {
    const res = dataOf(await client.query(`{ posts(search: "special", where: { title: { startsWith: "List" } }) { totalCount } }`, {}).toPromise());
    expect(res.posts.totalCount).toBe(5);
  });

  it("pages forward with first/after and back with last/before over the same order", async () => {
    const q = `query($f: Int, $a: String, $l: Int, $b: String) { posts(where: { title: { startsWith: "List" } }, orderBy: [{ views: ASC }], first: $f, after: $a, last: $l, before: $b) { edges { cursor node { views } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = dataOf(await client.query(q, { f: 10, a: after }).toPromise()).posts;
      seen.push(...page.edges.map((e: any) => e.node.views));
      pages++;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));

    const last = dataOf(await client.query(q, { l: 10 }).toPromise()).posts;
    expect(last.edges.map((e: any) => e.node.views)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = dataOf(await client.query(q, { l: 10, b: last.pageInfo.startCursor }).toPromise()).posts;
    expect(before.edges.map((e: any) => e.node.views)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const middle = dataOf(await client.query(q, { f: 3, a: before.edges[2].cursor }).toPromise()).posts;
    expect(middle.edges.map((e: any) => e.node.views)).toEqual([8, 9, 10]);
  });

  it("pages with first/offset", async () => {
    const q = `query($f: Int, $o: Int) { posts(where: { title: { startsWith: "List" } }, orderBy: [{ views: ASC }], first: $f, offset: $o) { nodes { views } pageInfo { hasNextPage hasPreviousPage } } }`;
    for (const [f, o] of [
      [10, 20],
      [7, 3],
      [5, 10],
      [30, 0],
      [3, 22],
      [10, 101],
      [4, 97],
    ] as const) {
      const page = dataOf(await client.query(q, { f, o }).toPromise()).posts;
      const want = Array.from({ length: 25 }, (_, i) => i).slice(o, o + f);
      expect(
        page.nodes.map((n: any) => n.views),
        `first ${f} offset ${o}`,
      ).toEqual(want);
      expect(page.pageInfo).toEqual({ hasNextPage: o + f < 25, hasPreviousPage: o > 0 });
    }
  });

  it("counts only when totalCount is selected", async () => {
    const counter = countStatements(t.app.services.db);
    try {
      await client.query(`{ posts(first: 5) { nodes { id } } }`, {}).toPromise();
      expect(counter.statements.filter((s) => /count\(\*\)/i.test(s))).toHaveLength(0);
      counter.reset();
      const res = dataOf(await client.query(`query { posts(first: 5) { ...C } } fragment C on PostConnection { totalCount }`, {}).toPromise());
      expect(res.posts.totalCount).toBeGreaterThanOrEqual(25);
      expect(counter.statements.filter((s) => /count\(\*\)/i.test(s))).toHaveLength(1);
    } finally {
      counter.restore();
    }
  });

  it("limits pages to 100 and rejects contradictory arguments", async () => {
    for (const args of ["first: 101", "last: 101", "first: -1", "first: 2, last: 2", 'first: 2, offset: 2, after: "x"', 'after: "garbage"']) {
      const res = await gql(t.url, `{ posts(${args}) { nodes { id } } }`, undefined, user.token);
      expect(res.status, args).toBe(400);
      expect(res.body.errors[0].extensions.code, args).toBe("BAD_USER_INPUT");
    }
  });

  it("updates and deletes in bulk, at most 100, all or nothing", async () => {
    const some = ids.slice(0, 3);
    const upd = dataOf(await client.mutation(`mutation($ids: [ID!]!) { updatePosts(ids: $ids, data: { published: false, status: LIVE }) }`, { ids: some }).toPromise());
    expect(upd.updatePosts).toBe(3);
    const check = dataOf(await client.query(`query($ids: [ID!]) { posts(where: { id: { in: $ids } }) { nodes { published status version } } }`, { ids: some }).toPromise());
    expect(check.posts.nodes).toEqual(Array(3).fill({ published: false, status: "LIVE", version: 2 }));
    const missing = await gql(t.url, `mutation($ids: [ID!]!) { deletePosts(ids: $ids) }`, { ids: [...some, "missing"] }, user.token);
    expect(missing.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: { missing: expect.any(String) } });
    const tooMany = await gql(t.url, `mutation($ids: [ID!]!) { deletePosts(ids: $ids) }`, { ids: Array.from({ length: 101 }, (_, i) => `id${i}`) }, user.token);
    expect(tooMany.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const del = dataOf(await client.mutation(`mutation($ids: [ID!]!) { deletePosts(ids: $ids) }`, { ids: some }).toPromise());
    expect(del.deletePosts).toBe(3);
  });
});

describe("references", () => {
  it("follows a reference and its reverse connection", async () => {
    const { id: bob } = dataOf(await client.mutation(`mutation { createAuthor(data: { name: "Bob" }) { id } }`, {}).toPromise()).createAuthor;
    await client.mutation(`mutation($a: ID) { createPosts(data: [{ title: "by bob 1", author: $a, views: 1 }, { title: "by bob 2", author: $a, views: 2 }]) { id } }`, { a: bob }).toPromise();
    const res = dataOf(await client.query(`query($a: ID!) { author(id: $a) { name posts(orderBy: [{ views: DESC }]) { totalCount nodes { title author { name } } } } }`, { a: bob }).toPromise());
    expect(res.author).toEqual({
      name: "Bob",
      posts: {
        totalCount: 2,
        nodes: [
          { title: "by bob 2", author: { name: "Bob" } },
          { title: "by bob 1", author: { name: "Bob" } },
        ],
      },
    });
  });
});

describe("system operations", () => {
  it("register, login, refreshToken and me", async () => {
    const email = `gql-${Date.now()}@example.com`;
    const reg = await gql(
      t.url,
      `mutation($e: String!) { register(email: $e, password: "Gql-pass-123", name: "G") { accessToken refreshToken expiresIn user { email name role } account { slug } } }`,
      { e: email },
    );
    expect(reg.status).toBe(200);
    expect(reg.body.data.register).toMatchObject({ user: { email, name: "G", role: "user" }, account: { slug: "default" } });
    const dup = await gql(t.url, `mutation($e: String!) { register(email: $e, password: "Gql-pass-123") { accessToken } }`, { e: email });
    expect(dup.body.errors[0].extensions.code).toBe("CONFLICT");
    const bad = await gql(t.url, `mutation { login(email: "${ADMIN_EMAIL}", password: "wrong") { accessToken } }`);
    expect(bad.status).toBe(401);
    expect(bad.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const login = (await gql(t.url, `mutation { login(email: "${ADMIN_EMAIL}", password: "${ADMIN_PASSWORD}") { accessToken refreshToken user { role superadmin } } }`)).body.data.login;
    expect(login.user).toEqual({ role: "admin", superadmin: true });
    const refreshed = (await gql(t.url, `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }`, { r: login.refreshToken })).body.data.refreshToken;
    expect(refreshed.refreshToken).not.toBe(login.refreshToken);
    const reuse = await gql(t.url, `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`, { r: login.refreshToken });
    expect(reuse.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const me = dataOf(await urql(t.url, refreshed.accessToken).query(`{ me { email superadmin account { slug } } }`, {}).toPromise());
    expect(me.me).toEqual({ email: ADMIN_EMAIL, superadmin: true, account: { slug: "default" } });
  });

  it("lists and reads collections (superadmins)", async () => {
    const res = dataOf(await admin.query(`{ collections { name fields { name type required options } } collection(id: "posts") { name } missing: collection(id: "nope") { name } }`, {}).toPromise());
    expect(res.collections.map((c: any) => c.name)).toEqual(expect.arrayContaining(["authors", "news", "posts"]));
    expect(res.collections.find((c: any) => c.name === "authors").fields).toEqual([{ name: "name", type: "text", required: true, options: {} }]);
    expect(res.collection).toEqual({ name: "posts" });
    expect(res.missing).toBeNull();
  });
});
