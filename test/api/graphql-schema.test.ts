/**
 * The live schema: rebuilt on every collection change without a restart (REST or GraphQL),
 * swapped atomically (a request in flight finishes on the schema it started with), colliding
 * collection names never break it; GraphiQL, CSRF prevention, depth/alias/cost limits and the
 * introspection switch. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startApp();
  token = (await registerUser(t.api)).token;
});
afterAll(async () => t?.close());

const health = async () => (await t.api("GET", "/health")).body.schema_version as number;

describe("live rebuild", () => {
  it("serves a collection created over REST or GraphQL at once, and drops it when deleted", async () => {
    const v0 = await health();
    expect((await gql(t.url, `{ widgets { totalCount } }`, undefined, token)).status).toBe(400);
    const rest = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "widgets", schema: [{ name: "name", type: "text" }] } });
    expect(rest.status).toBe(201);
    expect(await health()).toBeGreaterThan(v0);
    expect(t.app.graphql.manager.version).toBe(t.app.services.collections.version);
    const made = await gql(t.url, `mutation { createWidget(data: { name: "w" }) { name } }`, undefined, token);
    expect(made.body).toEqual({ data: { createWidget: { name: "w" } } });

    const viaGql = await gql(
      t.url,
      `mutation($r: String) { createCollection(input: { name: "gadgets", listRule: $r, viewRule: $r, createRule: $r, updateRule: $r, deleteRule: $r, fields: [{ name: "label", type: "text", required: true }, { name: "widget", type: "reference", options: { collection: "widgets" } }] }) { name listRule fields { name type required options } } }`,
      { r: SIGNED_IN },
      t.adminToken,
    );
    expect(viaGql.body.data.createCollection).toEqual({
      name: "gadgets",
      listRule: SIGNED_IN,
      fields: [
        { name: "label", type: "text", required: true, options: {} },
        { name: "widget", type: "reference", required: false, options: expect.objectContaining({ collection: "widgets" }) },
      ],
    });
    const list = await gql(t.url, `{ gadgets { totalCount } widgets { nodes { name gadgets { totalCount } } } }`, undefined, token);
    expect(list.body).toEqual({ data: { gadgets: { totalCount: 0 }, widgets: { nodes: [{ name: "w", gadgets: { totalCount: 0 } }] } } });

    const upd = await gql(
      t.url,
      `mutation { updateCollection(id: "gadgets", input: { fields: [{ name: "label", type: "text" }, { name: "size", type: "number" }] }) { fields { name } } }`,
      undefined,
      t.adminToken,
    );
    expect(upd.body.data.updateCollection.fields.map((f: any) => f.name)).toEqual(["label", "size"]);
    expect((await gql(t.url, `mutation { createGadget(data: { size: 2 }) { size label } }`, undefined, token)).body).toEqual({ data: { createGadget: { size: 2, label: null } } });

    const del = await gql(t.url, `mutation { deleteCollection(id: "gadgets") { name } }`, undefined, t.adminToken);
    expect(del.body).toEqual({ data: { deleteCollection: { name: "gadgets" } } });
    const gone = await gql(t.url, `{ gadgets { totalCount } }`, undefined, token);
    expect(gone.status).toBe(400);
    expect(gone.body.errors[0].message).toMatch(/Cannot query field "gadgets"/);
  });

  it("lets a request in flight finish on the schema it started with", async () => {
    await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "shelves", schema: [{ name: "name", type: "text" }] } });
    await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        ...SIGNED_IN_RULES,
        name: "items",
        schema: [
          { name: "label", type: "text" },
          { name: "shelf", type: "reference", relation: { collection: "shelves" } },
        ],
      },
    });
    const shelf = (await gql(t.url, `mutation { createShelf(data: { name: "s1" }) { id } }`, undefined, token)).body.data.createShelf.id;
    await gql(t.url, `mutation($s: ID) { createItem(data: { label: "bolt", shelf: $s }) { id } }`, { s: shelf }, token);
    const db = t.app.services.db as { query: (q: unknown) => Promise<unknown[]> };
    const query = db.query;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    db.query = async function (this: unknown, q: unknown) {
      db.query = query;
      entered();
      await gate;
      return query.call(this, q);
    };
    // Validated against the current schema, then held while it reads the shelves.
    const inflight = gql(t.url, `{ shelves { nodes { name items { nodes { label } } } } }`, undefined, token);
    await inside;
    // Meanwhile items.label is renamed to items.title: a new schema serves new requests at once.
    const upd = await t.api("PATCH", "/api/v1/collections/items", {
      token: t.adminToken,
      body: {
        schema: [
          { name: "title", type: "text", previous_name: "label" },
          { name: "shelf", type: "reference", relation: { collection: "shelves" } },
        ],
      },
    });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    expect((await gql(t.url, `{ items { nodes { title } } }`, undefined, token)).body).toEqual({ data: { items: { nodes: [{ title: "bolt" }] } } });
    // the old name is a deprecated alias of the new field during the rename's grace period (README "Renames")
    expect((await gql(t.url, `{ items { nodes { label } } }`, undefined, token)).body).toEqual({ data: { items: { nodes: [{ label: "bolt" }] } } });
    release();
    // The request in flight completes on its own schema, where `label` still exists — no
    // validation or execution error. Its value depends on when the nested read runs: before the
    // rename's alias is known the row carries only `title` (null), after it `label` is an alias
    // of `title` ("bolt").
    const old = await inflight;
    expect(old.status).toBe(200);
    expect(old.body.errors).toBeUndefined();
    expect(old.body.data.shelves.nodes).toEqual([{ name: "s1", items: { nodes: [{ label: expect.toBeOneOf([null, "bolt"]) }] } }]);
  });

  it("refuses a collection whose generated names collide, before anything is written", async () => {
    await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "posts", schema: [{ name: "title", type: "text" }] } });
    const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "post", schema: [{ name: "body", type: "text" }] } });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/GraphQL type 'Post'/);
    expect(res.body.details.name).toBeTruthy();
    expect((await t.api("GET", "/api/v1/collections/post", { token: t.adminToken })).status).toBe(404);
    // a rename into a colliding name is refused the same way
    await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "text", type: "text" }] } });
    const renamed = await t.api("PATCH", "/api/v1/collections/notes", { token: t.adminToken, body: { name: "post" } });
    expect(renamed.status).toBe(422);
    expect((await t.api("GET", "/api/v1/collections/notes", { token: t.adminToken })).status).toBe(200);
    const q = await gql(t.url, `{ posts { totalCount } post(id: "x") { title } }`, undefined, token);
    expect(q.body).toEqual({ data: { posts: { totalCount: 0 }, post: null } });
  });
});

describe("HTTP surface", () => {
  it("serves GraphiQL to browsers with its assets inlined", async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("<title>Cairn GraphQL</title>");
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
    expect(html).not.toMatch(/<link[^>]+href="https?:\/\/[^"]+\.css/);
  });

  it("answers JSON POSTs alike on the fast lane and through Yoga (an Origin header takes the Yoga path)", async () => {
    const cases: [string, Record<string, unknown> | undefined, string | undefined, string][] = [
      [`{ widgets { totalCount nodes { name } } }`, undefined, token, "application/json"],
      [`{ widgets { totalCount } }`, undefined, undefined, "application/graphql-response+json"],
      [`{ me { email } collection(id: "widgets") { name } }`, undefined, token, "application/graphql-response+json, application/json"],
      [`query($id: ID!) { widget(id: $id) { name } }`, { id: "nope" }, token, "*/*"],
      [`mutation { updateWidget(id: "nope", data: { name: "x" }) { id } }`, undefined, token, ""],
      // compiled execution (scalar variables) and the standard executor (an input-object variable), an error of each
      [`query($n: Int) { widgets(first: $n) { totalCount nodes { name } } }`, { n: 1 }, token, "application/json"],
      [`query($n: Int) { widgets(first: $n) { nodes { name } } }`, { n: 500 }, token, "application/json"],
      [`query($w: WidgetWhere) { widgets(where: $w) { totalCount nodes { name } } }`, { w: { name: { startsWith: "w" } } }, token, "application/json"],
      [`query($w: WidgetWhere) { widgets(first: 500, where: $w) { totalCount } }`, { w: { name: { startsWith: "w" } } }, token, "application/json"],
    ];
    for (const [query, variables, auth, accept] of cases) {
      const headers = { accept };
      const fast = await gql(t.url, query, variables, auth, headers);
      const yoga = await gql(t.url, query, variables, auth, { ...headers, origin: "http://example.com" });
      expect(yoga.headers.get("access-control-allow-origin"), query).toBe("http://example.com");
      expect(fast.headers.get("access-control-allow-origin"), query).toBeNull();
      expect({ status: fast.status, type: fast.headers.get("content-type"), body: fast.body }, query).toEqual({ status: yoga.status, type: yoga.headers.get("content-type"), body: yoga.body });
    }
  });

  it("prevents CSRF on cookie-authenticated GETs and simple POSTs", async () => {
    const q = encodeURIComponent("{ __typename }");
    // Anonymous and bearer GET queries pass (urql's default); a GET the cookie would sign in needs a header.
    expect((await fetch(`${t.url}/graphql?query=${q}`)).status).toBe(200);
    expect((await fetch(`${t.url}/graphql?query=${q}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${t.url}/graphql?query=${q}`, { headers: { cookie: "theme=dark" } })).status).toBe(200);
    const byCookie = await fetch(`${t.url}/graphql?query=${encodeURIComponent("{ me { email } }")}`, { headers: { cookie: `theme=dark; access_token=${token}` } });
    expect(byCookie.status).toBe(403);
    expect(((await byCookie.json()) as any).errors[0].message).toContain("CSRF prevention");
    const cookieWithHeader = await fetch(`${t.url}/graphql?query=${encodeURIComponent("{ me { email } }")}`, { headers: { cookie: `access_token=${token}`, "x-graphql-csrf": "1" } });
    expect(cookieWithHeader.status).toBe(200);
    expect(((await cookieWithHeader.json()) as any).data.me.email).toBeTruthy();
    const form = await fetch(`${t.url}/graphql`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `query=${q}` });
    expect(form.status).toBe(403);
    const text = await fetch(`${t.url}/graphql`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(text.status).toBe(403);
    const mutationViaGet = await fetch(`${t.url}/graphql?query=${encodeURIComponent('mutation { login(email: "a@b.c", password: "x") { accessToken } }')}`, { headers: { "x-graphql-csrf": "1" } });
    expect(mutationViaGet.status).toBe(405);
  });

  it("limits depth, aliases and cost", async () => {
    await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        ...SIGNED_IN_RULES,
        name: "folders",
        schema: [
          { name: "name", type: "text" },
          { name: "parent", type: "reference", relation: { collection: "folders" } },
        ],
      },
    });
    let deep = "id";
    for (let i = 0; i < 12; i++) deep = `parent { ${deep} }`;
    const tooDeep = await gql(t.url, `{ folders { nodes { ${deep} } } }`, undefined, token);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors[0].message).toMatch(/depth/i);
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: folders(first: 1) { totalCount }`).join(" ");
    const tooMany = await gql(t.url, `{ ${aliases} }`, undefined, token);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].message).toMatch(/aliases/i);
    // Within the depth and alias limits, but 30 wide subtrees 12 levels deep: over the cost limit.
    let subtree = "id name created updated version ownerId";
    for (let i = 0; i < 9; i++) subtree = `id name created updated version ownerId parent { ${subtree} }`;
    const costly = await gql(t.url, `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: folders { nodes { ${subtree} } }`).join(" ")} }`, undefined, token);
    expect(costly.status).toBe(400);
    expect(costly.body.errors[0].message).toMatch(/cost/i);
    expect(costly.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const introspection = await gql(t.url, `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }`, undefined, token);
    expect(introspection.status).toBe(200);
  });

  it("masks internal errors and logs them with the request id", async () => {
    const db = t.app.services.db as { query: (q: unknown) => Promise<unknown[]> };
    const query = db.query;
    // only the request's own statement fails: background readers (the event dispatcher, jobs)
    // share the connection and must not take the failure instead
    db.query = async (q: any) => {
      const text: string = typeof q?.compile === "function" ? q.compile().sql : String(q?.sql ?? q);
      if (!text.includes('"widgets"')) return query.call(db, q);
      db.query = query;
      throw new Error("connection reset by peer (secret driver detail)");
    };
    const res = await gql(t.url, `{ widgets { totalCount } }`, undefined, token);
    expect(res.status).toBe(500);
    expect(res.body.errors[0].message).toMatch(/^Internal server error \(request id [0-9a-f-]{36}\)$/);
    expect(res.body.errors[0].extensions).toEqual({ code: "INTERNAL" });
    expect(JSON.stringify(res.body)).not.toContain("secret");
  });
});

describe("introspection switch", () => {
  it("refuses __schema and __type and hides GraphiQL when CAIRN_GRAPHQL_INTROSPECTION=false", async () => {
    const off = await startApp({}, { CAIRN_GRAPHQL_INTROSPECTION: "false" });
    try {
      const res = await gql(off.url, `{ __schema { queryType { name } } }`, undefined, off.adminToken);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/introspection/i);
      expect((await gql(off.url, `{ __type(name: "Query") { name } }`)).status).toBe(400);
      expect((await gql(off.url, `{ __typename }`)).body).toEqual({ data: { __typename: "Query" } });
      const page = await fetch(`${off.url}/graphql`, { headers: { accept: "text/html" } });
      expect(page.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
    } finally {
      await off.close();
    }
  });
});
