/**
 * Relations without N+1: a query for posts with their author and their 5 latest comments runs
 * a constant number of SQL statements (≤ 3: the posts page, one batched author lookup, one
 * statement for the comments of every post, each post's first rows), whatever the page size. Statements are counted on
 * the core database. The results are checked against the REST list of each post's comments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { countStatements, dataOf, urql, SIGNED_IN_RULES } from "./graphql-helpers.ts";
import type { Client } from "@urql/core";

let t: TestApp;
let client: Client;
let token: string;

const QUERY = `query($n: Int) {
  posts(first: $n, orderBy: [{ created: DESC }]) {
    nodes {
      id title
      author { id name }
      comments(first: 5, orderBy: [{ created: DESC }]) { nodes { id body } pageInfo { hasNextPage } }
    }
  }
}`;

beforeAll(async () => {
  t = await startApp();
  const mk = async (body: unknown) => expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body })).status).toBe(201);
  await mk({ ...SIGNED_IN_RULES, name: "authors", schema: [{ name: "name", type: "text" }] });
  await mk({
    ...SIGNED_IN_RULES,
    name: "posts",
    schema: [
      { name: "title", type: "text" },
      { name: "author", type: "reference", relation: { collection: "authors" } },
    ],
  });
  await mk({
    ...SIGNED_IN_RULES,
    name: "comments",
    schema: [
      { name: "body", type: "text" },
      { name: "post", type: "reference", relation: { collection: "posts", cascade_delete: "cascade" } },
    ],
  });
  token = (await registerUser(t.api)).token;
  client = urql(t.url, token);
  const authors = dataOf(
    await client.mutation(`mutation($d: [AuthorCreateInput!]!) { createAuthors(data: $d) { id } }`, { d: Array.from({ length: 10 }, (_, i) => ({ name: `Author ${i}` })) }).toPromise(),
  ).createAuthors;
  const posts = dataOf(
    await client
      .mutation(`mutation($d: [PostCreateInput!]!) { createPosts(data: $d) { id } }`, { d: Array.from({ length: 100 }, (_, i) => ({ title: `Post ${i}`, author: authors[i % 10].id })) })
      .toPromise(),
  ).createPosts;
  // 8 comments per post (0–7 on some posts only, so groups differ), created in 8 rounds.
  for (let round = 0; round < 8; round++) {
    const d = posts.filter((_: unknown, i: number) => i % 8 >= round || i < 50).map((p: { id: string }) => ({ body: `c${round}`, post: p.id }));
    for (let i = 0; i < d.length; i += 100) await client.mutation(`mutation($d: [CommentCreateInput!]!) { createComments(data: $d) { id } }`, { d: d.slice(i, i + 100) }).toPromise();
  }
  // The statement counts below are the requests' own: the event dispatcher's background reads
  // (outbox poll, cursor saves) would otherwise land in them. Nothing here reads events.
  await t.app.dispatcher.stop();
});
afterAll(async () => t?.close());

describe("posts with author and latest comments", () => {
  it.each([10, 30, 100])("page of %i: at most 3 statements", async (n) => {
    const counter = countStatements(t.app.services.db);
    let res: any;
    try {
      res = dataOf(await client.query(QUERY, { n }).toPromise());
    } finally {
      counter.restore();
    }
    expect(res.posts.nodes).toHaveLength(n);
    expect(counter.count, counter.statements.join("\n")).toBeLessThanOrEqual(3);
    // the comments: one statement for every post of the page, each post's first rows (LATERAL / rowid IN … LIMIT)
    expect(counter.statements.filter((s) => /from "comments"/i.test(s) && /(inner join lateral|"rowid" in \(select)/i.test(s))).toHaveLength(1);
    for (const p of res.posts.nodes) {
      expect(p.author.name).toMatch(/^Author \d$/);
      expect(p.comments.nodes.length).toBeLessThanOrEqual(5);
    }
  });

  it("returns each post's 5 latest comments, as the REST list does", async () => {
    const res = dataOf(await client.query(QUERY, { n: 30 }).toPromise());
    for (const p of res.posts.nodes.slice(0, 12)) {
      const filter = encodeURIComponent(`post="${p.id}"`);
      const rest = await t.api("GET", `/api/v1/collections/comments/records?filter=${filter}&sort=-created&per_page=6`, { token });
      expect(rest.status).toBe(200);
      expect(p.comments.nodes.map((c: any) => c.id)).toEqual(rest.body.items.slice(0, 5).map((c: any) => c.id));
      expect(p.comments.pageInfo.hasNextPage).toBe(rest.body.items.length > 5);
    }
  });

  it("loads one more level with one more statement", async () => {
    const counter = countStatements(t.app.services.db);
    try {
      const res = dataOf(await client.query(`{ posts(first: 30) { nodes { id comments(first: 5) { nodes { post { id author { name } } } } } } }`, {}).toPromise());
      for (const p of res.posts.nodes) for (const c of p.comments.nodes) expect(c.post.id).toBe(p.id);
    } finally {
      counter.restore();
    }
    expect(counter.count).toBe(4);
  });

  it("counts per parent in the same statement when totalCount is selected", async () => {
    const counter = countStatements(t.app.services.db);
    let res: any;
    try {
      res = dataOf(await client.query(`{ authors(first: 10) { nodes { name posts(first: 2, offset: 1) { totalCount nodes { title } } } } }`, {}).toPromise());
    } finally {
      counter.restore();
    }
    expect(counter.count).toBe(2);
    for (const a of res.authors.nodes) {
      expect(a.posts.totalCount).toBe(10);
      expect(a.posts.nodes).toHaveLength(2);
    }
  });

  it("filters the reverse side with where", async () => {
    const res = dataOf(
      await client.query(`{ posts(first: 3, orderBy: [{ title: ASC }]) { nodes { title comments(where: { body: { in: ["c0", "c1"] } }) { totalCount nodes { body } } } } }`, {}).toPromise(),
    );
    for (const p of res.posts.nodes) {
      expect(p.comments.totalCount).toBe(2);
      expect(p.comments.nodes.map((c: any) => c.body).sort()).toEqual(["c0", "c1"]);
    }
  });
});
