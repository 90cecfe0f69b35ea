/**
 * The R3 CMS dialect (spec 004) over real HTTP: content types, documents, publishing, slugs,
 * versions and restore, listing with the Payload envelope, the twelve filter operators and
 * $and/$or against a table of expected rows, sort, field selection, key scopes and the
 * `{error: {code, message}}` errors. The same documents through FastCMS and GraphQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { subscribe, waitFor, wsClient } from "./graphql-helpers.ts";

let t: TestApp;
let adminKey: string;
let readKey: string;
let writeKey: string;
let writer: Awaited<ReturnType<typeof registerUser>>;

const BLOG = {
  name: "blog_post",
  label: "Blog Post",
  description: "Blog articles",
  slugField: "title",
  titleField: "title",
  icon: "file-text",
  fields: [
    { name: "title", label: "Title", type: "text", required: true },
    { name: "body", label: "Body", type: "richText", required: true },
    { name: "tags", label: "Tags", type: "tags" },
    { name: "price", label: "Price", type: "number" },
    { name: "featured", label: "Featured", type: "boolean" },
  ],
};

async function key(token: string, scopes: string[]): Promise<string> {
  const res = await t.api("POST", "/api/v1/api-keys", { token, body: { name: `k-${scopes.join("-")}`, scopes } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.key;
}
const as = (k: string, body?: unknown) => ({ headers: { "x-api-key": k }, ...(body === undefined ? {} : { body }) });
const r3 = (method: string, path: string, k: string, body?: unknown) => t.api(method, path, as(k, body));

function expectR3Error(res: { status: number; body: any }, status: number, code: string, message?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
  if (message) expect(res.body.error.message).toMatch(message);
}

async function createDoc(data: Record<string, unknown>, extra: Record<string, unknown> = {}, k = adminKey) {
  const res = await r3("POST", "/api/content", k, { type: "blog_post", data, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await startApp();
  adminKey = await key(t.adminToken, ["admin"]);
  writer = await registerUser(t.api);
  readKey = await key(writer.token, ["read"]);
  writeKey = await key(writer.token, ["read", "write"]);
  const res = await r3("POST", "/api/content-types", adminKey, BLOG);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});
afterAll(async () => t?.close());

describe("content types", () => {
  it("create answers the R3 shape; list, get by name", async () => {
    const got = await r3("GET", "/api/content-types/blog_post", readKey);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      id: expect.any(String),
      name: "blog_post",
      label: "Blog Post",
      description: "Blog articles",
      slugField: "title",
      titleField: "title",
      icon: "file-text",
      fields: [
        { name: "title", label: "Title", type: "text", required: true },
        { name: "body", label: "Body", type: "richText", required: true },
        { name: "tags", label: "Tags", type: "tags", required: false },
        { name: "price", label: "Price", type: "number", required: false },
        { name: "featured", label: "Featured", type: "boolean", required: false },
      ],
    });
    const list = await r3("GET", "/api/content-types", readKey);
    expect(list.body.docs.map((d: { name: string }) => d.name)).toEqual(["blog_post"]);
  });

  it("PATCH changes fields without losing data; DELETE removes the type", async () => {
    expect((await r3("POST", "/api/content-types", adminKey, { name: "page", fields: [{ name: "title", type: "text" }], slugField: "title" })).status).toBe(201);
    const created = await r3("POST", "/api/content", adminKey, { type: "page", data: { title: "Keep me" } });
    expect(created.status).toBe(201);
    const patched = await r3("PATCH", "/api/content-types/page", adminKey, {
      label: "Page",
      fields: [
        { name: "title", label: "Title", type: "text", required: true },
        { name: "excerpt", label: "Excerpt", type: "textarea", required: false },
      ],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      label: "Page",
      fields: [
        { name: "title", required: true },
        { name: "excerpt", type: "textarea" },
      ],
    });
    const again = await r3("GET", `/api/content/${created.body.id}?draft=true`, adminKey);
    expect(again.body.data).toEqual({ title: "Keep me", excerpt: null });
    expect((await r3("DELETE", "/api/content-types/page", adminKey)).status).toBe(200);
    expectR3Error(await r3("GET", "/api/content-types/page", adminKey), 404, "NOT_FOUND");
  });

  it.each([
    ["an unknown field type", { name: "x1", fields: [{ name: "a", type: "hologram" }] }, /fields\[0\]\.type/],
    ["no fields", { name: "x2" }, /fields/],
    ["a bad name", { name: "_x", fields: [] }, /name/],
    ["a slugField naming no field", { name: "x3", slugField: "nope", fields: [{ name: "a", type: "text" }] }, /slugField/],
    ["a field named like a workflow column", { name: "x4", fields: [{ name: "status", type: "text" }] }, /status/],
  ])("%s → 422 VALIDATION_ERROR", async (_, body, message) => {
    expectR3Error(await r3("POST", "/api/content-types", adminKey, body), 422, "VALIDATION_ERROR", message);
  });
});

describe("auth and errors", () => {
  it("missing or invalid key → 401 UNAUTHORIZED; a read key cannot write; a write key cannot manage types", async () => {
    expectR3Error(await t.api("GET", "/api/content"), 401, "UNAUTHORIZED", /x-api-key/);
    // every R3 operation requires a caller (core operation policy), whatever its kind
    expectR3Error(await t.api("GET", "/api/content-types"), 401, "UNAUTHORIZED", /x-api-key/);
    expectR3Error(await t.api("GET", "/api/content/by-slug/blog_post/nope"), 401, "UNAUTHORIZED", /x-api-key/);
    expectR3Error(await t.api("POST", "/api/webhooks", { body: {} }), 401, "UNAUTHORIZED", /x-api-key/);
    expectR3Error(await r3("GET", "/api/content", "cairn_00000000_00000000000000000000000000000000"), 401, "UNAUTHORIZED");
    expectR3Error(await r3("POST", "/api/content", readKey, { type: "blog_post", data: { title: "x", body: "y" } }), 403, "FORBIDDEN");
    expectR3Error(await r3("POST", "/api/content-types", writeKey, { name: "nope", fields: [] }), 403, "FORBIDDEN");
    expectR3Error(await r3("GET", "/api/content?draft=true", writeKey), 403, "FORBIDDEN", /admin/);
  });

  it.each([
    ["unknown type", { type: "nope", data: {} }, 404, "NOT_FOUND"],
    ["no type", { data: {} }, 422, "VALIDATION_ERROR"],
    ["a required field missing", { type: "blog_post", data: { title: "x" } }, 422, "VALIDATION_ERROR"],
    ["an unknown data field", { type: "blog_post", data: { title: "x", body: "y", nope: 1 } }, 422, "VALIDATION_ERROR"],
    ["an unknown key", { type: "blog_post", data: { title: "x", body: "y" }, colour: "red" }, 422, "VALIDATION_ERROR"],
    ["a bad publishAt", { type: "blog_post", data: { title: "x", body: "y" }, publishAt: "soon" }, 422, "VALIDATION_ERROR"],
  ])("create with %s → %i %s", async (_, body, status, code) => {
    expectR3Error(await r3("POST", "/api/content", writeKey, body), status, code);
  });

  it("unknown document → 404 NOT_FOUND", async () => {
    expectR3Error(await r3("GET", "/api/content/nope", adminKey), 404, "NOT_FOUND");
    expectR3Error(await r3("POST", "/api/content/nope/publish", adminKey), 404, "NOT_FOUND");
  });
});

describe("documents, publishing and slugs", () => {
  it("a document is a draft with a slug from its title, authored by the key's owner, hidden until published", async () => {
    const doc = await createDoc({ title: "Hello World", body: { type: "doc", content: [] }, tags: ["nextjs", "cms"] }, {}, writeKey);
    expect(doc).toEqual({
      id: expect.any(String),
      type: "blog_post",
      slug: "hello-world",
      status: "draft",
      authorId: writer.id,
      publishedAt: null,
      data: { title: "Hello World", body: { type: "doc", content: [] }, tags: ["nextjs", "cms"], price: null, featured: null },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // hidden from public lists and reads, visible to an admin key with draft=true
    const pub = await r3("GET", "/api/content?type=blog_post", readKey);
    expect(pub.body.docs.map((d: { id: string }) => d.id)).not.toContain(doc.id);
    expectR3Error(await r3("GET", `/api/content/${doc.id}`, readKey), 404, "NOT_FOUND");
    expect((await r3("GET", `/api/content/${doc.id}?draft=true`, adminKey)).body.status).toBe("draft");

    const clash = await createDoc({ title: "Hello, World!", body: "x" });
    expect(clash.slug).toBe("hello-world-2");
    expect((await createDoc({ title: "hello world", body: "x" })).slug).toBe("hello-world-3");

    const published = await r3("POST", `/api/content/${doc.id}/publish`, writeKey);
    expect(published.status).toBe(200);
    expect(published.body.status).toBe("published");
    expect(Date.parse(published.body.publishedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await r3("GET", "/api/content/by-slug/blog_post/hello-world", readKey)).body.id).toBe(doc.id);
    expect((await r3("GET", `/api/content/${doc.id}`, readKey)).body.slug).toBe("hello-world");

    const patched = await r3("PATCH", `/api/content/${doc.id}`, writeKey, { data: { title: "Hello World (Updated)", tags: ["nextjs", "cms", "tutorial"] } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ slug: "hello-world", status: "published", data: { title: "Hello World (Updated)", body: { type: "doc", content: [] }, tags: ["nextjs", "cms", "tutorial"] } });

    const unpublished = await r3("POST", `/api/content/${doc.id}/unpublish`, writeKey);
    expect(unpublished.body).toMatchObject({ status: "draft", publishedAt: null });
    expectR3Error(await r3("GET", "/api/content/by-slug/blog_post/hello-world", readKey), 404, "NOT_FOUND");

    expect((await r3("DELETE", `/api/content/${doc.id}`, writeKey)).status).toBe(200);
    expectR3Error(await r3("GET", `/api/content/${doc.id}?draft=true`, adminKey), 404, "NOT_FOUND");
  });

  it("versions: every change is a snapshot, newest first; restore brings the data back as a new version and keeps the status", async () => {
    const doc = await createDoc({ title: "Versioned", body: "one" });
    await r3("POST", `/api/content/${doc.id}/publish`, adminKey);
    await r3("PATCH", `/api/content/${doc.id}`, adminKey, { data: { body: "two" } });
    const versions = await r3("GET", `/api/content/${doc.id}/versions`, adminKey);
    expect(versions.status).toBe(200);
    expect(versions.body.docs.map((v: any) => [v.version, v.status, v.data.body])).toEqual([
      [3, "published", "two"],
      [2, "published", "one"],
      [1, "draft", "one"],
    ]);
    const first = versions.body.docs[2];
    const restored = await r3("POST", `/api/content/${doc.id}/restore/${first.id}`, adminKey);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ status: "published", data: { body: "one", title: "Versioned" } });
    const after = await r3("GET", `/api/content/${doc.id}/versions`, adminKey);
    expect(after.body.docs).toHaveLength(4);
    expect(after.body.docs[0]).toMatchObject({ version: 4, status: "published", data: { body: "one" } });
    expectR3Error(await r3("POST", `/api/content/${doc.id}/restore/nope`, adminKey), 404, "NOT_FOUND");
  });
});

describe("listing", () => {
  const rows = [
    { title: "Alpha", body: "a", price: 10, tags: ["nextjs"], featured: true },
    { title: "Beta", body: "b", price: 50, tags: ["cms"], featured: false },
    { title: "Gamma", body: "c", price: 100, tags: ["nextjs", "cms"], featured: true },
    { title: "Delta", body: "d", price: 150, tags: [], featured: false },
    { title: "Hello there", body: "e", price: null, tags: ["other"], featured: null },
  ];
  let draftId: string;

  beforeAll(async () => {
    const type = await r3("POST", "/api/content-types", adminKey, { ...BLOG, name: "product" });
    expect(type.status).toBe(201);
    for (const data of rows) {
      const d = await r3("POST", "/api/content", adminKey, { type: "product", data });
      await r3("POST", `/api/content/${d.body.id}/publish`, adminKey);
    }
    draftId = (await r3("POST", "/api/content", adminKey, { type: "product", data: { title: "Draft one", body: "z", price: 75 } })).body.id;
  });

  const titles = async (query: string, k = readKey) => {
    const res = await r3("GET", `/api/content?type=product&sort=data.title&${query}`, k);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.docs.map((d: any) => d.data.title);
  };

  it.each([
    ["filters[status][$eq]=published", ["Alpha", "Beta", "Delta", "Gamma", "Hello there"]],
    ["filters[data.price][$ne]=50", ["Alpha", "Delta", "Gamma", "Hello there"]],
    ["filters[data.price][$gt]=50", ["Delta", "Gamma"]],
    ["filters[data.price][$gte]=50", ["Beta", "Delta", "Gamma"]],
    ["filters[data.price][$lt]=100", ["Alpha", "Beta"]],
    ["filters[data.price][$lte]=100", ["Alpha", "Beta", "Gamma"]],
    ["filters[slug][$in]=alpha,gamma", ["Alpha", "Gamma"]],
    ["filters[slug][$notIn]=alpha,gamma", ["Beta", "Delta", "Hello there"]],
    ["filters[data.title][$contains]=ELL", ["Hello there"]],
    ["filters[data.tags][$contains]=nextjs", ["Alpha", "Gamma"]],
    ["filters[slug][$startsWith]=de", ["Delta"]],
    ["filters[data.price][$null]=true", ["Hello there"]],
    ["filters[data.price][$notNull]=true", ["Alpha", "Beta", "Delta", "Gamma"]],
    ["filters[$and][0][status][$eq]=published&filters[$and][1][data.featured][$eq]=true", ["Alpha", "Gamma"]],
    ["filters[$or][0][data.price][$lt]=20&filters[$or][1][data.price][$gt]=120", ["Alpha", "Delta"]],
    ["filters[type][$eq]=product&filters[type][$ne]=blog_post", ["Alpha", "Beta", "Delta", "Gamma", "Hello there"]],
    ["filters[type][$eq]=blog_post", []],
  ])("%s", async (query, expected) => {
    expect(await titles(query)).toEqual(expected);
  });

  it("drafts only with draft=true and an admin key", async () => {
    expect(await titles("filters[data.price][$eq]=75")).toEqual([]);
    expect(await titles("draft=true&filters[data.price][$eq]=75", adminKey)).toEqual(["Draft one"]);
    expect(await titles("draft=true&filters[status][$eq]=draft", adminKey)).toEqual(["Draft one"]);
    void draftId;
  });

  it("the Payload envelope, limit and page; sort on several fields; field selection", async () => {
    const res = await r3("GET", "/api/content?type=product&limit=2&page=2&sort=-data.price", readKey);
    expect(res.body).toMatchObject({ totalDocs: 5, limit: 2, totalPages: 3, page: 2, hasNextPage: true, hasPrevPage: true, nextPage: 3, prevPage: 1 });
    expect(res.body.docs.map((d: any) => d.data.title)).toEqual(["Beta", "Alpha"]);
    expect((await r3("GET", "/api/content?type=product&limit=100", readKey)).body.limit).toBe(100);
    const multi = await r3("GET", "/api/content?type=product&sort=-data.featured,data.title", readKey);
    expect(multi.body.docs.map((d: any) => d.data.title)).toEqual(["Alpha", "Gamma", "Beta", "Delta", "Hello there"]);
    const only = await r3("GET", "/api/content?type=product&sort=slug&limit=1&fields=title,slug,publishedAt", readKey);
    expect(only.body.docs[0]).toEqual({ id: expect.any(String), slug: "alpha", publishedAt: expect.any(String), data: { title: "Alpha" } });
    const without = await r3("GET", "/api/content?type=product&sort=slug&limit=1&fields=-data.body,-data.tags", readKey);
    expect(Object.keys(without.body.docs[0].data).sort()).toEqual(["featured", "price", "title"]);
    expect(without.body.docs[0].status).toBe("published");
  });

  it("across types: published documents of every type, merged in order", async () => {
    const res = await r3("GET", "/api/content?sort=slug&limit=100", readKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const types = new Set(res.body.docs.map((d: any) => d.type));
    expect(types).toEqual(new Set(["blog_post", "product"]));
    const slugs = res.body.docs.map((d: any) => d.slug);
    expect(slugs).toEqual([...slugs].sort());
    expect(res.body.totalDocs).toBe(res.body.docs.length);
  });

  it.each([
    ["filters[nope][$eq]=1", /unknown field 'nope'/],
    ["filters[data.nope][$eq]=1", /unknown field 'data.nope'/],
    ["filters[status][$regex]=x", /unknown operator/],
    ["filters[data.price][$gt]=cheap", /cheap/],
    ["sort=-nope", /sort/],
    ["limit=0", /limit/],
    ["limit=101", /limit: must be at most 100/],
    ["page=x", /page/],
    ["fields=title,-data.body", /fields/],
    ["draft=maybe", /draft/],
  ])("%s → 422 VALIDATION_ERROR", async (query, message) => {
    expectR3Error(await r3("GET", `/api/content?type=product&${query}`, adminKey), 422, "VALIDATION_ERROR", message);
  });
});

describe("the same documents through FastCMS and GraphQL", () => {
  it("FastCMS records carry status, published_at and slug; anonymous readers see only published ones", async () => {
    const doc = await createDoc({ title: "Parity", body: "p" });
    const rec = await t.api("GET", `/api/v1/collections/blog_post/records/${doc.id}`, { token: t.adminToken });
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({ id: doc.id, data: { status: "draft", published_at: null, slug: "parity", title: "Parity" } });
    expect((await t.api("GET", `/api/v1/collections/blog_post/records/${doc.id}`)).status).toBe(404);
    const anon = await t.api("GET", "/api/v1/collections/blog_post/records?per_page=100");
    expect(anon.body.items.length).toBeGreaterThan(0);
    expect(anon.body.items.every((r: any) => r.data.status === "published")).toBe(true);
    // a FastCMS write of status publishes like the R3 route
    const pub = await t.api("PATCH", `/api/v1/collections/blog_post/records/${doc.id}`, { token: t.adminToken, body: { data: { status: "published" } } });
    expect(pub.body.data).toMatchObject({ status: "published", published_at: expect.any(String) });
    const gql = await t.api("POST", "/graphql", {
      token: t.adminToken,
      body: { query: `{ blogPosts(where: { slug: { eq: "parity" } }) { nodes { id slug status published_at } } }` },
    });
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.blogPosts.nodes).toEqual([{ id: doc.id, slug: "parity", status: "PUBLISHED", published_at: pub.body.data.published_at }]);
  });

  it("GraphQL: unpublishBlogPost, publishBlogPost, blogPost(slug:), blogPostVersions, restoreBlogPostVersion, status in where", async () => {
    const doc = await createDoc({ title: "Via GraphQL", body: "g1" });
    const gql = async (query: string, variables: Record<string, unknown> = {}, token = t.adminToken) => {
      const res = await t.api("POST", "/graphql", { token, body: { query, variables } });
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      return res.body.data;
    };
    const published = await gql(`mutation($id: ID!) { publishBlogPost(id: $id) { status published_at } }`, { id: doc.id });
    expect(published.publishBlogPost).toMatchObject({ status: "PUBLISHED", published_at: expect.any(String) });
    expect((await gql(`{ blogPost(slug: "via-graphql") { id title } }`)).blogPost).toEqual({ id: doc.id, title: "Via GraphQL" });
    const drafts = await gql(`{ blogPosts(where: { status: { eq: DRAFT } }, first: 100) { nodes { id } } }`);
    expect(drafts.blogPosts.nodes.map((n: { id: string }) => n.id)).not.toContain(doc.id);
    await gql(`mutation($id: ID!) { updateBlogPost(id: $id, data: { body: "g2" }) { id } }`, { id: doc.id });
    const versions = (await gql(`query($id: ID!) { blogPostVersions(id: $id) { id version status data } }`, { id: doc.id })).blogPostVersions;
    expect(versions.map((v: any) => [v.version, v.status, v.data.body])).toEqual([
      [3, "published", "g2"],
      [2, "published", "g1"],
      [1, "draft", "g1"],
    ]);
    const restored = await gql(`mutation($id: ID!, $v: ID!) { restoreBlogPostVersion(id: $id, versionId: $v) { body status } }`, { id: doc.id, v: versions[2].id });
    expect(restored.restoreBlogPostVersion).toEqual({ body: "g1", status: "PUBLISHED" });
    expect((await gql(`mutation($id: ID!) { unpublishBlogPost(id: $id) { status } }`, { id: doc.id })).unpublishBlogPost.status).toBe("DRAFT");
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await gql(`mutation($id: ID!, $at: DateTime) { scheduleBlogPost(id: $id, publishAt: $at) { status publish_at } }`, { id: doc.id, at });
    expect(scheduled.scheduleBlogPost).toEqual({ status: "DRAFT", publish_at: at });
  });

  it("subscriptions: a reader who may not see drafts receives the publication and the unpublication, not the draft", async () => {
    const ws = wsClient(t.url, writer.token);
    try {
      const before = t.app.graphql.hub.size;
      const c = subscribe(ws, `subscription { blogPostChanged { action id record { slug status } } }`);
      await waitFor(() => t.app.graphql.hub.size > before, 5000, "the subscription");
      const doc = await createDoc({ title: "Live", body: "l" });
      await r3("POST", `/api/content/${doc.id}/publish`, adminKey);
      const first = (await c.next()).data.blogPostChanged;
      expect(first).toMatchObject({ id: doc.id, record: { slug: "live", status: "PUBLISHED" } });
      await r3("POST", `/api/content/${doc.id}/unpublish`, adminKey);
      expect((await c.next()).data.blogPostChanged).toMatchObject({ action: "DELETE", id: doc.id });
      expect(c.pending).toEqual([]);
      c.dispose();
    } finally {
      await ws.dispose();
    }
  });
});
