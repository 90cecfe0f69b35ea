/**
 * One list order on every path: the REST list (pages and cursors both ways), the GraphQL
 * top-level connection (first/after and last/before) and a grouped reverse connection return
 * the same records in the same order — text in code-point order — on SQLite and on PostgreSQL
 * databases created with the C collation and with a linguistic (ICU en-US) one. Also checks
 * that a keyset page of the default sort is an index range scan on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, TEST_DB, type TestApp, type TestCollation } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";
import { explain, recordStatements } from "../helpers/statements.ts";

// Linguistic collations order these differently from code points: case, accents, punctuation, digits.
const TITLES = ["apple", "Banana", "banana", "Zebra", "_under", "école", "eclair", "10", "9", "a b", "ab", "Ápple", "zed", "Eclair", "-dash", "~tilde"];
const CODE_POINT = [...TITLES].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const PAGE = 5;

const collations: TestCollation[] = TEST_DB === "postgres" ? ["C", "icu-en-US"] : ["default"];

describe.each(collations)("list order (%s collation)", (collation) => {
  let t: TestApp;
  let token: string;
  // plan tests record the statement a request runs: `fresh` bypasses the list cache
  const rest = (qs: string, fresh = false) => t.api("GET", `/api/v1/collections/posts/records?${qs}`, { token, ...(fresh ? { headers: { "cache-control": "no-cache" } } : {}) });
  const query = async (q: string, v?: Record<string, unknown>) => {
    const r = await gql(t.url, q, v, token);
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data;
  };

  beforeAll(async () => {
    t = await startApp({}, {}, { collation });
    const mk = async (body: unknown) => expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body })).status).toBe(201);
    await mk({ ...SIGNED_IN_RULES, name: "authors", schema: [{ name: "name", type: "text" }] });
    await mk({
      ...SIGNED_IN_RULES,
      name: "posts",
      schema: [
        { name: "title", type: "text" },
        { name: "author", type: "reference", relation: { collection: "authors" } },
        { name: "views", type: "number" },
      ],
    });
    token = (await registerUser(t.api)).token;
    const author = await query(`mutation { createAuthor(data: { name: "A" }) { id } }`);
    // one bulk create: every post gets the same `created`, so the default order rests on the id tie-break
    await query(`mutation($d: [PostCreateInput!]!) { createPosts(data: $d) { id } }`, { d: TITLES.map((title, i) => ({ title, author: author.createAuthor.id, views: i % 3 === 0 ? null : i % 4 })) });
  });
  afterAll(async () => t?.close());

  /** Titles of every REST page of `sort`, following next_cursor. */
  async function restWalk(sort: string): Promise<string[]> {
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await rest(`sort=${encodeURIComponent(sort)}&per_page=${PAGE}&skip_total=true${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      titles.push(...res.body.items.map((r: any) => r.data.title));
      cursor = res.body.next_cursor;
    } while (cursor);
    return titles;
  }

  it("REST: sort=title and -title give code-point order, in one page and across cursor pages", async () => {
    const asc = await rest("sort=title&per_page=100");
    expect(asc.body.items.map((r: any) => r.data.title)).toEqual(CODE_POINT);
    const desc = await rest("sort=-title&per_page=100");
    expect(desc.body.items.map((r: any) => r.data.title)).toEqual([...CODE_POINT].reverse());
    expect(await restWalk("title")).toEqual(CODE_POINT);
    expect(await restWalk("-title")).toEqual([...CODE_POINT].reverse());
  });

  it("REST: before= pages backwards through the same order", async () => {
    const last = await rest(`sort=title&per_page=${PAGE}&page=${Math.ceil(TITLES.length / PAGE)}`);
    expect(last.body.prev_cursor).toEqual(expect.any(String));
    const pages: string[][] = [last.body.items.map((r: any) => r.data.title)];
    let before: string | null = last.body.prev_cursor;
    while (before) {
      const res = await rest(`sort=title&per_page=${PAGE}&before=${before}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.has_more).toBe(true);
      pages.unshift(res.body.items.map((r: any) => r.data.title));
      before = res.body.prev_cursor;
    }
    expect(pages.flat()).toEqual(CODE_POINT);
    expect(pages[0]).toHaveLength(PAGE);
  });

  it("GraphQL: the top-level connection and the reverse connection agree with REST", async () => {
    const top = await query(`{ posts(orderBy: [{ title: ASC }], first: 100) { nodes { title } } }`);
    expect(top.posts.nodes.map((n: any) => n.title)).toEqual(CODE_POINT);
    const rev = await query(`{ authors { nodes { posts(orderBy: [{ title: DESC }], first: 100) { nodes { title } } } } }`);
    expect(rev.authors.nodes[0].posts.nodes.map((n: any) => n.title)).toEqual([...CODE_POINT].reverse());
    const revAsc = await query(`{ authors { nodes { posts(orderBy: [{ title: ASC }], first: 7) { nodes { title } pageInfo { hasNextPage } } } } }`);
    expect(revAsc.authors.nodes[0].posts.nodes.map((n: any) => n.title)).toEqual(CODE_POINT.slice(0, 7));
    expect(revAsc.authors.nodes[0].posts.pageInfo.hasNextPage).toBe(true);
  });

  it("GraphQL: first/after forwards and last/before backwards walk the same order", async () => {
    const page = `edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
    const forward: string[] = [];
    let after: string | null = null;
    do {
      const d: any = await query(`query($a: String) { posts(orderBy: [{ title: ASC }], first: ${PAGE}, after: $a) { ${page} } }`, { a: after });
      forward.push(...d.posts.edges.map((e: any) => e.node.title));
      after = d.posts.pageInfo.hasNextPage ? d.posts.pageInfo.endCursor : null;
    } while (after);
    expect(forward).toEqual(CODE_POINT);
    const backward: string[][] = [];
    let before: string | null = null;
    do {
      const d: any = await query(`query($b: String) { posts(orderBy: [{ title: ASC }], last: ${PAGE}, before: $b) { ${page} } }`, { b: before });
      backward.unshift(d.posts.edges.map((e: any) => e.node.title));
      before = d.posts.pageInfo.hasPreviousPage ? d.posts.pageInfo.startCursor : null;
    } while (before);
    expect(backward.flat()).toEqual(CODE_POINT);
  });

  it.each(["-views,title", "views,-title", "views", "-views"])("sort=%s (nullable, mixed directions): cursor pages both ways equal the one-page list", async (sort) => {
    const all = (await rest(`sort=${sort}&per_page=100`)).body.items.map((r: any) => r.id);
    expect(all).toHaveLength(TITLES.length);
    const forward: string[] = [];
    let cursor: string | null = null;
    let last: any;
    do {
      last = await rest(`sort=${sort}&per_page=${PAGE}&skip_total=true${cursor ? `&cursor=${cursor}` : ""}`);
      expect(last.status, JSON.stringify(last.body)).toBe(200);
      forward.push(...last.body.items.map((r: any) => r.id));
      cursor = last.body.next_cursor;
    } while (cursor);
    expect(forward).toEqual(all);
    const backward: string[][] = [last.body.items.map((r: any) => r.id)];
    let before: string | null = last.body.prev_cursor;
    while (before) {
      const res: any = await rest(`sort=${sort}&per_page=${PAGE}&skip_total=true&before=${before}`);
      backward.unshift(res.body.items.map((r: any) => r.id));
      before = res.body.prev_cursor;
    }
    expect(backward.flat()).toEqual(all);
  });

  it.each(["-views,title", "", "title"])("sort=%s with a filter: cursor pages (the filter's parameters, then the cursor's) equal the one-page list, with the total", async (sort) => {
    const qs = `sort=${sort}&filter=${encodeURIComponent('title != "nope" && views != 1')}`;
    const one = (await rest(`${qs}&per_page=100`)).body;
    const all = one.items.map((r: any) => r.id);
    expect(all.length).toBeGreaterThan(PAGE);
    expect(all.length).toBeLessThan(TITLES.length);
    const forward: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await rest(`${qs}&per_page=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`, true);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.total).toBe(all.length);
      forward.push(...res.body.items.map((r: any) => r.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(forward).toEqual(all);
  });

  it("the default order (newest first, id tie-break) is the same on every path", async () => {
    const ids = (await rest("per_page=100")).body.items.map((r: any) => r.id);
    expect(ids).toHaveLength(TITLES.length);
    expect([...ids].sort().reverse()).toEqual(ids); // same created: ids descending
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await rest(`per_page=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`);
      walked.push(...res.body.items.map((r: any) => r.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(walked).toEqual(ids);
    const top = await query(`{ posts(first: 100) { nodes { id } } }`);
    expect(top.posts.nodes.map((n: any) => n.id)).toEqual(ids);
    const rev = await query(`{ authors { nodes { posts(first: 100) { nodes { id } } } } }`);
    expect(rev.authors.nodes[0].posts.nodes.map((n: any) => n.id)).toEqual(ids);
  });

  it("a GraphQL list reads only the selected fields, plus its sort fields", async () => {
    const seen = recordStatements(t.app.services.db);
    let d: any;
    try {
      d = await query(`{ posts(first: 3, orderBy: [{ views: DESC }]) { edges { cursor node { id title } } } }`);
    } finally {
      seen.restore();
    }
    const stmt = seen.statements.find((s) => /from "posts"/i.test(s.sql) && /order by/i.test(s.sql))!;
    expect(stmt.sql).toMatch(/"title"/);
    expect(stmt.sql).toMatch(/"views"/);
    expect(stmt.sql).not.toMatch(/"author"/);
    expect(d.posts.edges.map((e: any) => e.node.title)).toEqual((await rest("sort=-views&per_page=3")).body.items.map((r: any) => r.data.title));
    const next = await query(`query($a: String) { posts(first: 100, after: $a, orderBy: [{ views: DESC }]) { nodes { id } } }`, { a: d.posts.edges[2].cursor });
    expect(next.posts.nodes).toHaveLength(TITLES.length - 3);
  });

  it("a cursor page of the default sort is an index range scan", async () => {
    const db = t.app.services.db;
    const first = await rest(`per_page=${PAGE}&skip_total=true`);
    const seen = recordStatements(db);
    try {
      expect((await rest(`per_page=${PAGE}&skip_total=true&cursor=${first.body.next_cursor}`, true)).status).toBe(200);
    } finally {
      seen.restore();
    }
    const stmt = seen.statements.find((s) => /from "posts"/i.test(s.sql) && /order by/i.test(s.sql))!;
    expect(stmt.sql).toMatch(/\("created", "id"\) < \(/);
    const plan = await explain(db, stmt);
    if (db.dialect === "sqlite") {
      expect(plan).toMatch(/SEARCH posts USING INDEX posts__created \(account_id=\? AND \(created,id\)<\(\?,\?\)\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    } else {
      expect(plan).toMatch(/Index (Only )?Scan Backward using posts__created/);
      expect(plan).toMatch(/Index Cond: .*ROW\(created, id\) < ROW\(/);
      expect(plan).not.toMatch(/^\s*(->\s*)?Sort/m);
    }
  });
});
