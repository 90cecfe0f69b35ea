/**
 * Compiled execution (src/graphql/use-jit.ts) answers exactly as the standard executor: each
 * document is sent twice, once as is (compiled: its variables are scalars) and once with an extra
 * field taking an input-object variable (which keeps the standard executor), and the two answers
 * must be equal — data of every field type, a reference, a reverse connection with cursors and
 * totals, nulls, and errors with their codes and statuses. A compiled query follows schema
 * changes: after a field changes type, the same document answers with the new type.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
let token: string;
let postId: string;

beforeAll(async () => {
  t = await startApp();
  const mk = async (body: unknown) => expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body })).status).toBe(201);
  await mk({ ...SIGNED_IN_RULES, name: "authors", schema: [{ name: "name", type: "text" }] });
  await mk({
    ...SIGNED_IN_RULES,
    name: "posts",
    schema: [
      { name: "title", type: "text", validation: { required: true } },
      { name: "views", type: "number", validation: { min: 0 } },
      { name: "published", type: "bool" },
      { name: "status", type: "select", validation: { values: ["draft", "live"] } },
      { name: "meta", type: "json" },
      { name: "tags", type: "tags" },
      { name: "due", type: "datetime" },
      { name: "author", type: "reference", relation: { collection: "authors" } },
    ],
  });
  await mk({
    ...SIGNED_IN_RULES,
    name: "comments",
    schema: [
      { name: "body", type: "text" },
      { name: "post", type: "reference", relation: { collection: "posts" } },
    ],
  });
  token = (await registerUser(t.api)).token;
  const author = (await gql(t.url, `mutation { createAuthor(data: { name: "Ann" }) { id } }`, undefined, token)).body.data.createAuthor.id;
  const posts = await gql(
    t.url,
    `mutation($d: [PostCreateInput!]!) { createPosts(data: $d) { id } }`,
    {
      d: [
        { title: "One", views: 3, published: true, status: "LIVE", meta: { a: [1, "x"] }, tags: ["t1", "t2"], due: "2024-05-06T07:08:09Z", author },
        { title: "Two", views: 0.5, published: false },
        { title: "Three" },
      ],
    },
    token,
  );
  postId = posts.body.data.createPosts[0].id;
  const d = posts.body.data.createPosts.flatMap((p: { id: string }, i: number) => Array.from({ length: i + 1 }, (_, k) => ({ body: `c${k} of ${i}`, post: p.id })));
  expect((await gql(t.url, `mutation($d: [CommentCreateInput!]!) { createComments(data: $d) { id } }`, { d }, token)).status).toBe(200);
});
afterAll(async () => t?.close());

/**
 * The answers to `compiled` and `standard`, two documents that differ only in their variables
 * (an input-object variable keeps the standard executor) and in fields after the first line of
 * the selection (error locations stay the same); the standard answer's `_std` field is dropped.
 */
async function both(compiled: string, standard: string, variables: Record<string, unknown> = {}) {
  const a = await gql(t.url, compiled, variables, token);
  const b = await gql(t.url, standard, { ...variables, std: null }, token);
  if (b.body?.data) delete b.body.data._std;
  expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
  return a.body;
}

/** A query compiled, and the same with a `PostWhere` variable in an extra field (standard executor). */
function query(selection: string, variables: Record<string, unknown> = {}, defs = "") {
  return both(
    `query${defs ? `(${defs})` : ""} {\n${selection}\n}`,
    `query(${[defs, "$std: PostWhere"].filter(Boolean).join(", ")}) {\n${selection}\n_std: posts(first: 1, where: $std) { totalCount } }`,
    variables,
  );
}

describe("compiled execution answers as the standard executor", () => {
  it("a nested list: every field type, a reference, a reverse connection with cursors and totals", async () => {
    const body = await query(
      `posts(first: 10, orderBy: [{ title: ASC }]) {
          totalCount pageInfo { hasNextPage endCursor }
          nodes { id title views published status meta tags due created updated version
            author { id name }
            comments(first: 2, orderBy: [{ created: DESC }]) { totalCount nodes { body post { title } } pageInfo { hasNextPage startCursor } } } }`,
    );
    expect(body.data.posts.nodes.map((p: any) => [p.title, p.comments.totalCount, p.comments.nodes.length, p.comments.pageInfo.hasNextPage])).toEqual([
      ["One", 1, 1, false],
      ["Three", 3, 2, true],
      ["Two", 2, 2, false],
    ]);
    expect(body.data.posts.nodes[0]).toMatchObject({ views: 3, published: true, meta: { a: [1, "x"] }, tags: ["t1", "t2"], due: "2024-05-06T07:08:09.000Z", author: { name: "Ann" } });
  });

  it("scalar variables, a record by id and a missing one", async () => {
    const body = await query(`a: post(id: $id) { title views } b: post(id: "missing") { title } posts(first: $n) { nodes { title } }`, { id: postId, n: 1 }, "$id: ID!, $n: Int");
    expect(body.data).toEqual({ a: { title: "One", views: 3 }, b: null, posts: { nodes: [expect.objectContaining({ title: expect.any(String) })] } });
  });

  it("fields selected through fragments are read (the projection follows fragment spreads)", async () => {
    const fragments = `fragment P on Post { title author { ...A } comments(first: 1) { nodes { ...C } } }\nfragment A on Author { name }\nfragment C on Comment { body }`;
    const list = `posts(first: 10, orderBy: [{ title: ASC }]) { nodes { ...P } }`;
    const body = await both(`query {\n${list}\n}\n${fragments}`, `query($std: PostWhere) {\n${list}\n_std: posts(first: 1, where: $std) { totalCount } }\n${fragments}`);
    expect(body.data.posts.nodes).toEqual([
      { title: "One", author: { name: "Ann" }, comments: { nodes: [{ body: "c0 of 0" }] } },
      { title: "Three", author: null, comments: { nodes: [{ body: "c2 of 2" }] } },
      { title: "Two", author: null, comments: { nodes: [{ body: "c1 of 1" }] } },
    ]);
  });

  it("errors: a refused argument, a failed mutation", async () => {
    const list = await query(`posts(first: 500) { nodes { id } }`);
    expect(list.errors[0].extensions.code).toBeTruthy();
    // the same input inline (compiled) and as a PostCreateInput variable (standard)
    const write = await both(`mutation {\ncreatePost(data: { title: "x", views: -1 }) { id }\n}`, `mutation($d: PostCreateInput!) {\ncreatePost(data: $d) { id }\n}`, { d: { title: "x", views: -1 } });
    expect(write.errors[0].extensions.fields.views).toBeTruthy();
  });
});

it("a compiled query follows a schema change", async () => {
  const mk = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "gadgets", schema: [{ name: "n", type: "text" }] } });
  expect(mk.status).toBe(201);
  expect((await gql(t.url, `mutation { createGadget(data: { n: "5" }) { id } }`, undefined, token)).status).toBe(200);
  const q = `{ gadgets { nodes { n } } }`;
  expect((await gql(t.url, q, undefined, token)).body).toEqual({ data: { gadgets: { nodes: [{ n: "5" }] } } });
  const patched = await t.api("PATCH", "/api/v1/collections/gadgets", { token: t.adminToken, body: { schema: [{ name: "n", type: "number" }] } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  // the schema is rebuilt asynchronously: the same document answers with the new type once it is live
  await expect.poll(async () => (await gql(t.url, q, undefined, token)).body, { timeout: 10_000, interval: 50 }).toEqual({ data: { gadgets: { nodes: [{ n: 5 }] } } });
});
