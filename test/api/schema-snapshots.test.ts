/**
 * Schema snapshots between environments (`GET /api/v1/schema/snapshot`, `POST /api/v1/schema/apply`):
 * a snapshot of one database applied to an empty one of each kind (SQLite → PostgreSQL and back)
 * gives the same snapshot there; applying it again does nothing; a changed snapshot (field renamed
 * by id, field added, rule changed) keeps the records and reaches the GraphQL schema; a step that
 * drops a field is refused without allow_drop and leaves everything as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_DB, type TestApp } from "../helpers/app.ts";

const OTHER = TEST_DB === "sqlite" ? "postgres" : "sqlite";
let source: TestApp;
let snapshot: any;

async function build(app: TestApp): Promise<void> {
  const { api, adminToken: token } = app;
  const authors = await api("POST", "/api/v1/collections", { token, body: { name: "snap_authors", schema: [{ name: "name", type: "text", validation: { required: true, unique: true } }] } });
  expect(authors.status, JSON.stringify(authors.body)).toBe(201);
  const posts = await api("POST", "/api/v1/collections", {
    token,
    body: {
      name: "snap_posts",
      list_rule: "",
      view_rule: "",
      options: { actions: { publish: { label: "Publish", effects: [{ set: { state: "live" } }] } } },
      schema: [
        { name: "title", type: "text", validation: { required: true, max_length: 200 } },
        { name: "views", type: "number", validation: { min: 0, integer: true } },
        { name: "state", type: "select", select: { values: ["draft", "live"] } },
        { name: "author", type: "reference", relation: { collection: "snap_authors" } },
        { name: "body", type: "editor", label: "Body text" },
      ],
    },
  });
  expect(posts.status, JSON.stringify(posts.body)).toBe(201);
  const role = await api("POST", "/api/v1/roles", { token, body: { name: "snap_editor", description: "edits posts" } });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  const perms = await api("PUT", `/api/v1/roles/${role.body.id}/permissions/bulk`, {
    token,
    body: { updates: [{ collection: "snap_posts", operation: "read", rule: "true", fields: ["title", "views"] }] },
  });
  expect(perms.body.success_count, JSON.stringify(perms.body)).toBe(1);
  const hook = await api("POST", "/api/v1/webhooks", { token, body: { url: "http://127.0.0.1:9/hook", collection_name: "snap_posts", events: ["create"] } });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
}

const apply = (app: TestApp, body: unknown, query = "") => app.api("POST", `/api/v1/schema/apply${query}`, { token: app.adminToken, body });
const snapshotOf = async (app: TestApp) => {
  const res = await app.api("GET", "/api/v1/schema/snapshot", { token: app.adminToken });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

beforeAll(async () => {
  source = await startApp({ webhookAllowPrivate: true });
  await build(source);
  snapshot = await snapshotOf(source);
}, 60_000);
afterAll(async () => source?.close());

describe("schema snapshot", () => {
  it("holds collections with stable field ids, rules, actions, indexes, roles, permissions and webhooks without secrets", async () => {
    expect(snapshot.format).toBe("cairn-schema-snapshot");
    const posts = snapshot.collections.find((c: any) => c.name === "snap_posts");
    expect(posts.fields.map((f: any) => f.name)).toEqual(["title", "views", "state", "author", "body"]);
    expect(posts.fields.every((f: any) => typeof f.id === "string" && f.id.length > 0)).toBe(true);
    expect(posts.rules).toMatchObject({ list: "", view: "", create: null });
    expect(posts.options.actions.publish.label).toBe("Publish");
    expect(posts.indexes).toContainEqual({ field: "author", unique: false });
    const authors = snapshot.collections.find((c: any) => c.name === "snap_authors");
    expect(authors.indexes).toEqual([{ field: "name", unique: true }]);
    const editor = snapshot.roles.find((r: any) => r.name === "snap_editor");
    expect(editor.permissions).toEqual([{ collection: "snap_posts", operation: "read", rule: "true", fields: ["title", "views"] }]);
    expect(snapshot.webhooks).toHaveLength(1);
    expect(snapshot.webhooks[0]).toMatchObject({ url: "http://127.0.0.1:9/hook", collections: ["snap_posts"], events: ["create"] });
    expect(JSON.stringify(snapshot)).not.toContain("whsec_");
    const anonymous = await source.api("GET", "/api/v1/schema/snapshot");
    expect(anonymous.status).toBe(401);
  });
});

describe.each([TEST_DB, OTHER] as const)("applying to an empty %s database", (dialect) => {
  let target: TestApp;
  beforeAll(async () => {
    target = await startApp({ webhookAllowPrivate: true }, {}, { dialect });
  }, 60_000);
  afterAll(async () => target?.close());

  it("creates everything, gives the same snapshot, and does nothing the second time", { timeout: 60_000 }, async () => {
    const dry = await apply(target, snapshot, "?dry_run=true");
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.applied).toBe(false);
    expect(dry.body.steps.filter((s: any) => s.action === "create" && s.kind === "collection").map((s: any) => s.target)).toEqual(["snap_authors", "snap_posts"]);
    expect((await target.api("GET", "/api/v1/collections/snap_posts", { token: target.adminToken })).status).toBe(404);

    const first = await apply(target, snapshot);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.applied).toBe(true);
    expect(await snapshotOf(target)).toEqual(snapshot);

    const again = await apply(target, snapshot);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ applied: false, steps: [], destructive: 0 });
    expect(again.body.summary).toContain("Nothing to do");
  });

  it("applies a changed snapshot with the records kept, and refuses a drop without allow_drop", { timeout: 60_000 }, async () => {
    const { api, adminToken: token } = target;
    const author = await api("POST", "/api/v1/collections/snap_authors/records", { token, body: { data: { name: "Ada" } } });
    expect(author.status, JSON.stringify(author.body)).toBe(201);
    const post = await api("POST", "/api/v1/collections/snap_posts/records", { token, body: { data: { title: "Hello", views: 7, state: "live", author: author.body.id } } });
    expect(post.status, JSON.stringify(post.body)).toBe(201);

    const changed = structuredClone(snapshot);
    const posts = changed.collections.find((c: any) => c.name === "snap_posts");
    posts.fields.find((f: any) => f.name === "title").name = "headline";
    posts.fields.push({ id: "summary01", name: "summary", type: "textarea", required: false, unique: false, index: false, options: {} });
    posts.rules.view = "state = 'live'";
    changed.roles.find((r: any) => r.name === "snap_editor").permissions[0].fields = ["headline", "views"];
    const plan = await apply(target, changed, "?dry_run=true");
    expect(plan.body.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "rename", kind: "field", target: "snap_posts.title" }),
        expect.objectContaining({ action: "create", kind: "field", target: "snap_posts.summary" }),
        expect.objectContaining({ action: "alter", kind: "collection", detail: "rules: view" }),
      ]),
    );
    expect(plan.body.destructive).toBe(0);
    const res = await apply(target, changed);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const kept = await api("GET", `/api/v1/collections/snap_posts/records/${post.body.id}`, { token });
    expect(kept.body.data).toMatchObject({ headline: "Hello", views: 7, state: "live", author: author.body.id });
    const gql = await api("POST", "/graphql", { token, body: { query: "{ snapPosts { nodes { headline summary } } }" } });
    expect(gql.body, JSON.stringify(gql.body)).toEqual({ data: { snapPosts: { nodes: [{ headline: "Hello", summary: null }] } } });
    expect((await apply(target, changed)).body.applied).toBe(false);

    const dropped = structuredClone(changed);
    const p2 = dropped.collections.find((c: any) => c.name === "snap_posts");
    p2.fields = p2.fields.filter((f: any) => f.name !== "views");
    dropped.roles.find((r: any) => r.name === "snap_editor").permissions[0].fields = ["headline"];
    const refused = await apply(target, dropped);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("drop field snap_posts.views (data loss: the values of views in 1 record are deleted)");
    expect((await snapshotOf(target)).collections.find((c: any) => c.name === "snap_posts").fields.map((f: any) => f.name)).toContain("views");
    const allowed = await apply(target, dropped, "?allow_drop=true");
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    const after = await api("GET", `/api/v1/collections/snap_posts/records/${post.body.id}`, { token });
    expect(after.body.data.headline).toBe("Hello");
    expect(after.body.data).not.toHaveProperty("views");
    expect(await snapshotOf(target)).toEqual({ ...dropped, collections: dropped.collections.map((c: any) => ({ ...c, indexes: expect.any(Array) })) });
  });

  it("refuses a malformed snapshot with 422 naming the path, and changes nothing when a step fails", { timeout: 30_000 }, async () => {
    const bad = await apply(target, { ...snapshot, collections: [{ id: "x", name: "snap_bad", fields: [{ id: "a", name: "n" }] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.details).toHaveProperty(["collections[0].fields[0].type"]);
    const before = await snapshotOf(target);
    const failing = structuredClone(before);
    failing.collections.push({
      id: "snapnew1",
      name: "snap_new",
      type: "base",
      fields: [],
      options: {},
      rules: { list: null, view: null, create: null, update: null, delete: null },
      viewQuery: null,
      indexes: [],
    });
    failing.roles.push({ name: "snap_broken", description: null, permissions: [{ collection: "snap_new", operation: "read", rule: "nosuchfield = 1", fields: "*" }] });
    const res = await apply(target, failing);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.message).toContain("snap_broken");
    expect(await snapshotOf(target)).toEqual(before);
    expect((await target.api("GET", "/api/v1/collections/snap_new", { token: target.adminToken })).status).toBe(404);
  });
});
