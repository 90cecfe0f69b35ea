/**
 * Bulk create over GraphQL (`createPosts(data: [...])`): 100 records cost one INSERT into the
 * collection table, one existence query per referenced collection and one outbox write —
 * statements are counted on the db layer, inside the transaction too. The records are stored
 * whole, found by full-text search, announced in the outbox in order; a unique violation (against
 * a stored record or inside the batch) is a 409 naming the field and writes nothing; a missing
 * reference is a 422 (BAD_USER_INPUT) naming `[index].field`. Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
let token: string;
let authorIds: string[];

const CREATE = `mutation($d: [PostCreateInput!]!) { createPosts(data: $d) { id title } }`;

beforeAll(async () => {
  t = await startApp();
  for (const body of [
    { ...SIGNED_IN_RULES, name: "authors", schema: [{ name: "name", type: "text" }] },
    {
      ...SIGNED_IN_RULES,
      name: "posts",
      schema: [
        { name: "title", type: "text" },
        { name: "slug", type: "text", validation: { unique: true } },
        { name: "n", type: "number" },
        { name: "author", type: "reference", relation: { collection: "authors" } },
      ],
    },
  ]) {
    const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  token = (await registerUser(t.api)).token;
  const authors = await gql(t.url, `mutation { createAuthors(data: [{ name: "a" }, { name: "b" }]) { id } }`, undefined, token);
  authorIds = authors.body.data.createAuthors.map((a: { id: string }) => a.id);
  // The counts below are the request's own: the dispatcher's background reads would land in them.
  await t.app.dispatcher.stop();
});
afterAll(async () => t?.close());

describe("bulk create", () => {
  it("writes 100 records with one INSERT per table", async () => {
    const data = Array.from({ length: 100 }, (_, i) => ({ title: `zebra ${i}`, slug: `s-${i}`, n: i, author: authorIds[i % 2] }));
    const rec = recordStatements(t.app.services.db, { writes: true, transactions: true });
    let res;
    try {
      res = await gql(t.url, CREATE, { d: data }, token);
    } finally {
      rec.restore();
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ids: string[] = res.body.data.createPosts.map((p: { id: string }) => p.id);
    expect(ids).toHaveLength(100);
    // PostgreSQL's outbox INSERT starts with the CTE that takes the commit-order lock
    const inserts = rec.texts().filter((s) => /^\s*(with .* )?insert into/i.test(s));
    expect(
      inserts.filter((s) => /insert into "posts"/i.test(s)),
      rec.texts().join("\n"),
    ).toHaveLength(1);
    expect(inserts.filter((s) => /insert into "_events"/i.test(s))).toHaveLength(1);
    expect(inserts).toHaveLength(2);
    expect(rec.texts().filter((s) => /from "authors"/i.test(s))).toHaveLength(1);
    expect(rec.texts().length, rec.texts().join("\n")).toBeLessThanOrEqual(5);

    const { db } = t.app.services;
    const stored = await db.query<{ id: string; title: string; n: number; author: string }>(db.qb.selectFrom("posts").select(["id", "title", "n", "author"]).where("id", "in", ids));
    const byId = new Map(stored.map((r) => [r.id, r]));
    ids.forEach((id, i) => expect(byId.get(id)).toMatchObject({ title: `zebra ${i}`, n: i, author: authorIds[i % 2] }));
    const events = await db.query<{ record_id: string; type: string }>(
      db.qb.selectFrom("_events").select(["record_id", "type"]).where("collection", "=", "posts").where("type", "=", "record.create").orderBy("seq"),
    );
    expect(events.map((e) => e.record_id)).toEqual(ids);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["record.create"]));
    const search = await t.api("GET", "/api/v1/collections/posts/records?search=zebra&per_page=1", { token });
    expect(search.body.total).toBe(100);
  });

  it("answers a unique violation with 409 naming the field and writes nothing", async () => {
    const count = async () => (await t.api("GET", "/api/v1/collections/posts/records?per_page=1", { token })).body.total;
    const before = await count();
    for (const d of [
      [
        { title: "x", slug: "fresh-1" },
        { title: "y", slug: "s-3" },
      ],
      [
        { title: "x", slug: "twice" },
        { title: "y", slug: "twice" },
      ],
    ]) {
      const res = await gql(t.url, CREATE, { d }, token);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", details: { field: "slug" } });
    }
    expect(await count()).toBe(before);
  });

  it("answers a missing reference with 422 naming the record and field", async () => {
    const res = await gql(
      t.url,
      CREATE,
      {
        d: [
          { title: "ok", author: authorIds[0] },
          { title: "bad", author: "00000000-0000-0000-0000-000000000000" },
        ],
      },
      token,
    );
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", fields: { "[1].author": "Record '00000000-0000-0000-0000-000000000000' not found in 'authors'" } });
  });
});
