/**
 * FastCMS `expand=` and `fields=` on record reads: references inlined along dotted paths and
 * back-relations, with the caller's rules at every level, in a bounded number of statements;
 * `fields` inclusion, exclusion and `excerpt`. Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
const SIGNED_IN = '@request.auth.id != ""';
const open = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };
const records = (c: string) => `/api/v1/collections/${c}/records`;

async function collection(body: Record<string, unknown>) {
  const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}
async function create(c: string, data: Record<string, unknown>, token = alice.token): Promise<string> {
  const res = await t.api("POST", records(c), { token, body: { data } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const get = (path: string, token = alice.token) => t.api("GET", path, { token });

let acme: string;
let ann: string;
let ben: string;
const articles: string[] = [];

beforeAll(async () => {
  t = await startApp();
  [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
  await collection({ ...open, name: "companies", schema: [{ name: "name", type: "text" }] });
  // writers are visible only to the user who created them
  await collection({
    ...open,
    view_rule: "owner_id = @request.auth.id",
    list_rule: "owner_id = @request.auth.id",
    name: "writers",
    schema: [
      { name: "name", type: "text" },
      { name: "company", type: "reference", relation: { collection: "companies" } },
    ],
  });
  await collection({
    ...open,
    name: "articles",
    schema: [
      { name: "title", type: "text" },
      { name: "body", type: "editor" },
      { name: "views", type: "number" },
      { name: "writer", type: "reference", relation: { collection: "writers" } },
      { name: "coauthors", type: "reference", relation: { collection: "writers" }, multiple: true },
    ],
  });
  acme = await create("companies", { name: "Acme" });
  ann = await create("writers", { name: "Ann", company: acme });
  ben = await create("writers", { name: "Ben" }, bob.token);
  for (let i = 0; i < 6; i++)
    articles.push(await create("articles", { title: `A${i}`, body: `<p>Body <b>number</b> ${i} of the articles</p>`, views: i, writer: i % 2 ? ann : ben, coauthors: [ann, ben] }));
});
afterAll(async () => t?.close());

describe("expand", () => {
  it("inlines references along dotted paths, multiple references as lists, rules applied per caller", async () => {
    const res = await get(`${records("articles")}?sort=views&expand=writer,writer.company,coauthors`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [a0, a1] = res.body.items;
    // A1 is Ann's (alice may see her); A0 is Ben's (only bob may see him)
    expect(a1.expand.writer).toMatchObject({ id: ann, data: { name: "Ann", company: acme } });
    expect(a1.expand.writer.expand.company).toMatchObject({ id: acme, data: { name: "Acme" }, expand: null });
    expect(a0.expand.writer).toBeNull();
    expect(a0.data.writer).toBe(ben);
    expect(a0.expand.coauthors.map((w: any) => w.id)).toEqual([ann]);

    const asBob = await get(`${records("articles")}?sort=views&expand=writer`, bob.token);
    expect(asBob.body.items[0].expand.writer).toMatchObject({ id: ben, data: { name: "Ben" } });
    expect(asBob.body.items[1].expand.writer).toBeNull();
  });

  it("expands back-relations <collection>_via_<field>, and on a single record", async () => {
    const res = await get(`${records("writers")}/${ann}?expand=articles_via_writer,company`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const titles = res.body.expand.articles_via_writer.map((a: any) => a.data.title);
    expect(titles.sort()).toEqual(["A1", "A3", "A5"]);
    expect(res.body.expand.company.data.name).toBe("Acme");
    const plain = await get(`${records("writers")}/${ann}`);
    expect(plain.body.expand).toBeNull();
  });

  it("reads one statement per path segment and level, whatever the page size", async () => {
    const { db } = t.app.services;
    const count = async (path: string) => {
      const rec = recordStatements(db);
      try {
        expect((await get(path)).status).toBe(200);
      } finally {
        rec.restore();
      }
      return rec.statements.filter((s) => /^\s*select/i.test(s.sql) && /"(articles|writers|companies)"/.test(s.sql)).length;
    };
    const small = await count(`${records("articles")}?per_page=2&skip_total=true&expand=writer,writer.company,coauthors`);
    const large = await count(`${records("articles")}?per_page=6&skip_total=true&expand=writer,writer.company,coauthors`);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(4);
  });

  it("names an unknown relation with 400", async () => {
    for (const expand of ["nope", "title", "writer.nope", "writer..company", "articles_via_title"]) {
      const res = await get(`${records("articles")}?expand=${expand}`);
      expect(res.status, expand).toBe(400);
      expect(res.body.message, expand).toMatch(/expand|empty segment/i);
    }
  });
});

describe("fields", () => {
  it("returns only the named fields, all but the excluded ones, and excerpts", async () => {
    const only = await get(`${records("articles")}?sort=views&fields=title,views`);
    expect(only.status, JSON.stringify(only.body)).toBe(200);
    expect(only.body.items[0]).toMatchObject({ id: articles[0], data: { title: "A0", views: 0 } });
    expect(Object.keys(only.body.items[0].data).sort()).toEqual(["title", "views"]);

    const without = await get(`${records("articles")}/${articles[2]}?fields=-body,-coauthors`);
    expect(Object.keys(without.body.data).sort()).toEqual(["title", "views", "writer"]);

    const ex = await get(`${records("articles")}?sort=views&fields=title,body:excerpt(12,true)`);
    expect(ex.body.items[0].data).toEqual({ title: "A0", body: "Body number…" });
    const short = await get(`${records("articles")}?sort=views&fields=body:excerpt(200)`);
    expect(short.body.items[0].data.body).toBe("Body number 0 of the articles");
  });

  it("keeps an expanded reference readable when fields leaves it out of data", async () => {
    const res = await get(`${records("articles")}?sort=-views&fields=title&expand=writer`);
    expect(res.body.items[0].data).toEqual({ title: "A5" });
    expect(res.body.items[0].expand.writer.id).toBe(ann);
  });

  it("refuses unknown fields, bad modifiers and mixed lists with 400", async () => {
    for (const fields of ["nope", "title:shout()", "title:excerpt(0)", "title,-body"]) {
      const res = await get(`${records("articles")}?fields=${encodeURIComponent(fields)}`);
      expect(res.status, fields).toBe(400);
      expect(res.body.message, fields).toMatch(/^Invalid fields/);
    }
  });
});
