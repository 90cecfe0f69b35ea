/**
 * Collections over real HTTP: create (both dialects' spellings, every field type), validation
 * (422 naming the path, never 500), access (401/403), conflicts (409), reads and lists, schema
 * changes with data surviving (add/drop/rename/convert), rejected changes leaving data intact,
 * collection rename and delete, outbox events, full-text search objects staying in sync, and a
 * restart. Runs once per database (vitest projects "sqlite" and "postgres").
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { CairnEvent } from "../../src/core/events/bus.ts";
import { apiClient, registerUser, startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let userToken: string;
const events: CairnEvent[] = [];

const admin = <T = any>(method: string, path: string, body?: unknown) => t.api<T>(method, `/api/v1${path}`, { token: t.adminToken, body });

async function createColl(body: Record<string, unknown>) {
  const res = await admin("POST", "/collections", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function addRecord(coll: string, data: Record<string, unknown>) {
  const res = await admin("POST", `/collections/${coll}/records`, { data });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; data: Record<string, any> };
}

async function records(coll: string, query = "") {
  const res = await admin("GET", `/collections/${coll}/records?per_page=100&sort=created${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; data: Record<string, any> }[];
}

async function tableExists(name: string): Promise<boolean> {
  const db = t.app.services.db;
  const q =
    db.dialect === "sqlite"
      ? sql<{ n: string }>`SELECT name AS n FROM sqlite_master WHERE type IN ('table', 'view') AND name = ${name}`
      : sql<{ n: string }>`SELECT table_name AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ${name}`;
  return (await db.query(q.compile(db.qb))).length > 0;
}

async function columns(name: string): Promise<Record<string, string>> {
  const db = t.app.services.db;
  const q =
    db.dialect === "sqlite"
      ? sql<{ n: string; t: string }>`SELECT name AS n, type AS t FROM pragma_table_info(${name})`
      : sql<{ n: string; t: string }>`SELECT column_name AS n, data_type AS t FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${name}`;
  return Object.fromEntries((await db.query<{ n: string; t: string }>(q.compile(db.qb))).map((r) => [r.n, r.t.toLowerCase()]));
}

/** Ids of the rows whose searchable text matches `word`, through the engine's own index. */
async function ftsMatch(coll: string, word: string): Promise<string[]> {
  const db = t.app.services.db;
  const q =
    db.dialect === "sqlite"
      ? sql<{ id: string }>`SELECT t.id FROM ${sql.table(coll)} t JOIN ${sql.table(`_fts_${coll}`)} f ON f.rowid = t.rowid WHERE ${sql.table(`_fts_${coll}`)} MATCH ${word} ORDER BY t.id`
      : sql<{ id: string }>`SELECT id FROM ${sql.table(coll)} WHERE "_search" @@ to_tsquery('simple', ${word}) ORDER BY id`;
  return (await db.query<{ id: string }>(q.compile(db.qb))).map((r) => r.id);
}

beforeAll(async () => {
  t = await startApp();
  userToken = (await registerUser(t.api)).token;
  t.app.services.events.subscribe((e) => events.push(e));
});
afterAll(async () => t?.close());

describe("create", () => {
  it("accepts every field type in the FastCMS spelling and answers in both spellings", async () => {
    await createColl({ name: "people", schema: [{ name: "name", type: "text" }] });
    const body = await createColl({
      name: "everything",
      type: "base",
      schema: [
        { name: "title", type: "text", validation: { required: true, unique: true, min_length: 1, max_length: 50, pattern: "[A-Z]" } },
        { name: "summary", type: "textarea" },
        { name: "body", type: "editor", label: "Body", hint: "HTML", hidden: false },
        { name: "contact", type: "email" },
        { name: "site", type: "url" },
        { name: "views", type: "number", validation: { min: 0, max: 100 } },
        { name: "published", type: "bool" },
        { name: "day", type: "date" },
        { name: "at", type: "datetime" },
        { name: "status", type: "select", select: { values: ["draft", "live"], max_select: 1 } },
        { name: "meta", type: "json" },
        { name: "labels", type: "tags" },
        { name: "author", type: "relation", relation: { collection: "people", cascade_delete: "cascade" } },
        { name: "files", type: "file", file: { max_files: 2, max_size: 1000, mime_types: ["image/png"] } },
        { name: "place", type: "geopoint" },
      ],
      options: { icon: "star" },
      list_rule: "",
      view_rule: null,
    });
    expect(body).toMatchObject({ name: "everything", type: "base", table_name: "everything", options: { icon: "star" }, list_rule: "", view_rule: null, view_query: null, system: false });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.created_at).toBe(body.created);
    expect(body.updated_at).toBe(body.updated);
    expect(new Date(body.created).toISOString()).toBe(body.created);
    const byName = Object.fromEntries(body.schema.map((f: any) => [f.name, f]));
    expect(byName.title).toMatchObject({ type: "text", required: true, unique: true, index: true, validation: { required: true, unique: true, min_length: 1, max_length: 50, pattern: "[A-Z]" } });
    expect(byName.title.id).toMatch(/^[a-z0-9]{10}$/);
    expect(byName.author).toMatchObject({ type: "relation", relation: { collection: "people", cascade_delete: "cascade" }, collection: "people", on_delete: "cascade" });
    expect(byName.status).toMatchObject({ select: { values: ["draft", "live"], max_select: 1 }, validation: { values: ["draft", "live"] } });
    expect(byName.files.file).toEqual({ max_files: 2, max_size: 1000, mime_types: ["image/png"] });
    expect(byName.body).toMatchObject({ label: "Body", hint: "HTML", hidden: false });
    const cols = await columns("everything");
    expect(Object.keys(cols)).toEqual(expect.arrayContaining(["id", "account_id", "owner_id", "created", "updated", "version", "title", "place"]));
    if (t.app.services.db.dialect === "postgres") {
      expect(cols).toMatchObject({ views: "double precision", published: "boolean", day: "date", at: "timestamp with time zone", meta: "jsonb", created: "timestamp with time zone" });
    } else {
      expect(cols).toMatchObject({ views: "real", published: "integer", day: "text", meta: "text", created: "text" });
    }
    const rec = await addRecord("everything", { title: "Hello", views: 3, published: true, day: "2024-01-02", at: "2024-01-02T03:04:05Z", meta: { a: 1 }, labels: ["x"], place: { lat: 1, lng: 2 } });
    expect(rec.data).toMatchObject({ title: "Hello", views: 3, published: true, meta: { a: 1 }, labels: ["x"] });
  });

  it("accepts the SnackBase spelling (flat required/default, fields, boolean, reference)", async () => {
    const body = await createColl({
      name: "snack_posts",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "published", type: "boolean", default: false },
        { name: "author", type: "reference", collection: "people", on_delete: "set_null" },
        { name: "content", type: "richText" },
        { name: "count", type: "number", options: { integer: true }, index: true },
        { name: "when", type: "datetime" },
      ],
    });
    const [title, published, author, content, count] = body.schema;
    expect(title).toMatchObject({ required: true, validation: { required: true } });
    expect(published).toMatchObject({ type: "bool", default: false });
    expect(author).toMatchObject({ type: "relation", collection: "people", on_delete: "set_null" });
    expect(content.type).toBe("editor");
    expect(count).toMatchObject({ index: true, options: { integer: true } });
    const rec = await addRecord("snack_posts", { title: "x" });
    expect(rec.data.published).toBe(false);
  });

  it("accepts a self-reference and an empty schema, and the trailing-slash path", async () => {
    const res = await t.api("POST", "/api/v1/collections/", { token: t.adminToken, body: { name: "tree", schema: [{ name: "parent", type: "relation", relation: { collection: "tree" } }] } });
    expect(res.status).toBe(201);
    expect(res.body.schema[0].relation.collection).toBe("tree");
    expect((await createColl({ name: "bare" })).schema).toEqual([]);
  });

  it("lets exactly one of several concurrent creates of a name win; the others get 409", async () => {
    const results = await Promise.all(["race", "RACE", "Race", "race", "rAce"].map((name) => admin("POST", "/collections", { name, schema: [{ name: "a", type: "text" }] })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const updates = await Promise.all(
      [1, 2, 3].map((i) =>
        admin("PATCH", "/collections/race", {
          schema: [
            { name: "a", type: "text" },
            { name: `f${i}`, type: "number" },
          ],
        }),
      ),
    );
    expect(updates.map((r) => r.status)).toEqual([200, 200, 200]);
    // Whichever spelling won names the table (PostgreSQL table names keep their case).
    const winner = (await admin("GET", "/collections/race")).body.name as string;
    expect(["race", "RACE", "Race", "rAce"]).toContain(winner);
    expect(Object.keys(await columns(winner)).filter((c) => /^f\d$/.test(c))).toHaveLength(1);
  });

  it("rejects a duplicate name (case-insensitive) with 409", async () => {
    await createColl({ name: "dupes" });
    const res = await admin("POST", "/collections", { name: "DUPES" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "CONFLICT", error: "Conflict" });
    expect(res.body.message).toContain("dupes");
  });
});

describe("validation", () => {
  const cases: [string, unknown, string[]][] = [
    ["no body", undefined, ["body"]],
    ["missing name", { schema: [] }, ["name"]],
    ["bad name", { name: "9lives" }, ["name"]],
    ["reserved name", { name: "System" }, ["name"]],
    ["underscore name", { name: "_secret" }, ["name"]],
    ["too long", { name: "x".repeat(101) }, ["name"]],
    ["unknown collection type", { name: "x1", type: "table" }, ["type"]],
    ["view without query", { name: "x2", type: "view" }, ["view_query"]],
    ["schema not a list", { name: "x3", schema: "title" }, ["schema"]],
    [
      "several field problems at once",
      {
        name: "x4",
        schema: [
          { name: "title", type: "text" },
          { name: "order", type: "text" },
          { name: "TITLE", type: "text" },
          { name: "n", type: "integerish" },
          { name: "v", type: "number", validation: { min: 10, max: 1 } },
          { name: "p", type: "text", validation: { pattern: "([" } },
          { name: "s", type: "select" },
          { name: "r", type: "relation", relation: { collection: "nowhere" } },
          { name: "d", type: "bool", default: "yes" },
          { name: "account_id", type: "text" },
          { name: "9x", type: "text" },
        ],
      },
      [
        "schema[1].name",
        "schema[2].name",
        "schema[3].type",
        "schema[4].validation.min",
        "schema[5].validation.pattern",
        "schema[6].select.values",
        "schema[7].relation.collection",
        "schema[8].default",
        "schema[9].name",
        "schema[10].name",
      ],
    ],
    ["field not an object", { name: "x5", schema: [42] }, ["schema[0]"]],
    ["missing field type", { name: "x6", fields: [{ name: "a" }] }, ["fields[0].type"]],
    ["bad rule type", { name: "x7", list_rule: { a: 1 } }, ["list_rule"]],
    ["options not an object", { name: "x9", options: "big" }, ["options"]],
    ["body not an object", [1, 2], ["body"]],
  ];
  it.each(cases)("%s → 422 naming the path", async (_label, body, paths) => {
    const res = await admin("POST", "/collections", body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.code).toBe("VALIDATION_ERROR");
    expect(res.body.message).toBeTruthy();
    expect(Object.keys(res.body.details ?? {}).sort()).toEqual([...paths].sort());
  });

  it("lists the valid types for an unknown type", async () => {
    const res = await admin("POST", "/collections", { name: "x8", schema: [{ name: "a", type: "blob" }] });
    expect(res.body.details["schema[0].type"]).toMatch(/valid types: text, textarea, editor, email, url, number, bool/);
  });

  it("creates nothing when the definition is invalid", async () => {
    await admin("POST", "/collections", { name: "never", schema: [{ name: "id", type: "text" }] });
    expect(await tableExists("never")).toBe(false);
    expect((await admin("GET", "/collections/never")).status).toBe(404);
  });
});

describe("access", () => {
  it.each([
    ["POST", "/collections"],
    ["GET", "/collections"],
    ["GET", "/collections/people"],
    ["GET", "/collections/name/people"],
    ["PATCH", "/collections/people"],
    ["PUT", "/collections/people"],
    ["DELETE", "/collections/people"],
  ])("%s %s: 401 anonymous, 403 non-admin", async (method, path) => {
    const body = method === "POST" || method === "PATCH" || method === "PUT" ? { name: "zzz" } : undefined;
    const anon = await t.api(method, `/api/v1${path}`, { body });
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe("UNAUTHORIZED");
    const user = await t.api(method, `/api/v1${path}`, { token: userToken, body });
    expect(user.status).toBe(403);
    expect(user.body.code).toBe("FORBIDDEN");
  });
});

describe("read", () => {
  it("gets by id, by name (any case) and by /name/", async () => {
    const created = await createColl({ name: "readme", schema: [{ name: "a", type: "text" }] });
    for (const path of [`/collections/${created.id}`, "/collections/readme", "/collections/README", "/collections/name/readme"]) {
      const res = await admin("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.body).toEqual(created);
    }
    const missing = await admin("GET", "/collections/ghost");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: "NOT_FOUND", detail: missing.body.message });
  });

  it("lists with per_page / page_size pagination and names", async () => {
    const all = await admin("GET", "/collections?per_page=200");
    expect(all.status).toBe(200);
    const total = all.body.total;
    expect(all.body.items).toHaveLength(total);
    const page2 = await admin("GET", "/collections?page=2&page_size=2");
    expect(page2.body).toMatchObject({ page: 2, per_page: 2, page_size: 2, total });
    expect(page2.body.items.map((c: any) => c.name)).toEqual(all.body.items.slice(2, 4).map((c: any) => c.name));
    const both = await admin("GET", "/collections?per_page=3&page_size=1");
    expect(both.body.items).toHaveLength(3);
    expect((await admin("GET", "/collections?per_page=0")).status).toBe(422);
    expect((await admin("GET", "/collections?per_page=201")).status).toBe(422);
    const search = await admin("GET", "/collections?search=READ");
    expect(search.body.items.map((c: any) => c.name)).toEqual(["readme"]);
    const names = await admin("GET", "/collections/names");
    expect(names.body.total).toBe(total);
    expect(names.body.names).toContain("readme");
  });

  it("documents every route in /openapi.json", async () => {
    const res = await t.api("GET", "/openapi.json");
    const paths = res.body.paths;
    expect(Object.keys(paths["/api/v1/collections"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(paths["/api/v1/collections/{idOrName}"])).toEqual(expect.arrayContaining(["get", "patch", "put", "delete"]));
    expect(paths["/api/v1/collections/name/{name}"].get.tags).toEqual(["collections"]);
  });
});

describe("schema changes", () => {
  it("adds, drops and renames fields; data of kept fields survives", async () => {
    const c = await createColl({
      name: "evolve",
      schema: [
        { name: "title", type: "text" },
        { name: "body", type: "text" },
        { name: "junk", type: "number" },
      ],
    });
    const r1 = await addRecord("evolve", { title: "one", body: "b1", junk: 1 });
    const [title, body] = c.schema;
    const res = await admin("PATCH", `/collections/${c.id}`, {
      schema: [
        { id: title.id, name: "headline", type: "text" },
        { name: "content", previous_name: "body", type: "text" },
        { name: "extra", type: "bool" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.schema.map((f: any) => [f.name, f.id])).toEqual([
      ["headline", title.id],
      ["content", body.id],
      ["extra", expect.any(String)],
    ]);
    const cols = await columns("evolve");
    expect(cols).toHaveProperty("headline");
    expect(cols).not.toHaveProperty("junk");
    expect(cols).not.toHaveProperty("title");
    const [rec] = await records("evolve");
    expect(rec).toMatchObject({ id: r1.id, data: { headline: "one", content: "b1", extra: null } });
    expect(rec!.data).not.toHaveProperty("junk");
  });

  it("swaps two field names without losing data (PUT, SnackBase spelling)", async () => {
    const c = await createColl({
      name: "swap",
      schema: [
        { name: "a", type: "text" },
        { name: "b", type: "text" },
      ],
    });
    await addRecord("swap", { a: "A", b: "B" });
    const [a, b] = c.schema;
    const res = await admin("PUT", "/collections/swap", {
      schema: [
        { id: a.id, name: "b", type: "text" },
        { id: b.id, name: "a", type: "text" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await records("swap"))[0]!.data).toEqual({ a: "B", b: "A" });
  });

  it("converts compatible types and keeps the data", async () => {
    await createColl({
      name: "convert",
      schema: [
        { name: "n", type: "number" },
        { name: "flag", type: "bool" },
        { name: "price", type: "text" },
        { name: "yes", type: "text" },
        { name: "day", type: "date" },
        { name: "when", type: "text" },
        { name: "pick", type: "select", select: { values: ["a", "b"] } },
        { name: "meta", type: "json" },
        { name: "body", type: "text" },
      ],
    });
    await addRecord("convert", { n: 3, flag: true, price: "12.5", yes: "TRUE", day: "2024-05-06", when: "2024-05-06T07:08:09Z", pick: "a", meta: "plain", body: "hello world" });
    await addRecord("convert", { n: 0.25, flag: false, price: " 7 ", yes: "0", pick: null, meta: { k: 1 }, body: "second row" });
    const res = await admin("PATCH", "/collections/convert", {
      schema: [
        { name: "n", type: "text" },
        { name: "flag", type: "text" },
        { name: "price", type: "number" },
        { name: "yes", type: "bool" },
        { name: "day", type: "datetime" },
        { name: "when", type: "datetime" },
        { name: "pick", type: "select", select: { values: ["a", "b"], max_select: 2 } },
        { name: "meta", type: "text" },
        { name: "body", type: "text" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [one, two] = await records("convert");
    expect(one!.data).toEqual({ n: "3", flag: "true", price: 12.5, yes: true, day: "2024-05-06T00:00:00.000Z", when: "2024-05-06T07:08:09.000Z", pick: ["a"], meta: "plain", body: "hello world" });
    expect(two!.data).toMatchObject({ n: "0.25", flag: "false", price: 7, yes: false, day: null, pick: null, body: "second row" });
    expect(JSON.parse(two!.data.meta)).toEqual({ k: 1 });
    // and back: multiple → single, datetime → date
    const back = await admin("PATCH", "/collections/convert", {
      schema: [
        { name: "pick", type: "select", select: { values: ["a", "b"] } },
        { name: "day", type: "date" },
        { name: "body", type: "text" },
      ],
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect((await records("convert"))[0]!.data).toEqual({ pick: "a", day: "2024-05-06", body: "hello world" });
  });

  it("rejects an incompatible type change with 422 and leaves the data intact", async () => {
    await createColl({
      name: "strict",
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    });
    await addRecord("strict", { title: "keep", n: 5 });
    const res = await admin("PATCH", "/collections/strict", {
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "bool" },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.details["schema[1].type"]).toMatch(/'n' from number/);
    expect((await records("strict"))[0]!.data).toEqual({ title: "keep", n: 5 });
    expect((await admin("GET", "/collections/strict")).body.schema[1].type).toBe("number");
  });

  it("rejects a value that does not convert, naming the field and the value, with nothing changed", async () => {
    await createColl({
      name: "dirty",
      schema: [
        { name: "price", type: "text" },
        { name: "note", type: "text" },
        { name: "tags", type: "select", select: { values: ["a", "b"], max_select: 2 } },
      ],
    });
    await addRecord("dirty", { price: "10", note: "n", tags: ["a"] });
    await addRecord("dirty", { price: "ten", note: "m", tags: ["a", "b"] });
    const res = await admin("PATCH", "/collections/dirty", {
      schema: [
        { name: "price", type: "number" },
        { name: "renamed", previous_name: "note", type: "text" },
        { name: "tags", type: "select", select: { values: ["a", "b"], max_select: 2 } },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.details["schema[0].type"]).toMatch(/"ten".*'price'/);
    const single = await admin("PATCH", "/collections/dirty", {
      schema: [
        { name: "price", type: "text" },
        { name: "note", type: "text" },
        { name: "tags", type: "select", select: { values: ["a", "b"] } },
      ],
    });
    expect(single.status).toBe(422);
    expect(single.body.details["schema[2].type"]).toMatch(/\["a","b"\]/);
    expect(Object.keys(await columns("dirty"))).toEqual(expect.arrayContaining(["price", "note", "tags"]));
    expect((await records("dirty")).map((r) => r.data)).toEqual([
      { price: "10", note: "n", tags: ["a"] },
      { price: "ten", note: "m", tags: ["a", "b"] },
    ]);
  });

  it("refuses a new unique constraint over duplicate values", async () => {
    await createColl({ name: "uniq", schema: [{ name: "slug", type: "text" }] });
    await addRecord("uniq", { slug: "same" });
    await addRecord("uniq", { slug: "same" });
    const res = await admin("PATCH", "/collections/uniq", { schema: [{ name: "slug", type: "text", validation: { unique: true } }] });
    expect(res.status).toBe(422);
    expect(res.body.details["schema[0].unique"]).toMatch(/"same"/);
    expect(await records("uniq")).toHaveLength(2);
  });

  it("validates update bodies like create bodies", async () => {
    const res = await admin("PATCH", "/collections/uniq", { name: "users", schema: [{ name: "x", type: "nope" }], type: "auth" });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.details).sort()).toEqual(["name", "schema[0].type", "type"]);
    expect((await admin("PATCH", "/collections/ghost", { options: {} })).status).toBe(404);
  });

  it("updates rules and options without touching the table", async () => {
    const res = await admin("PATCH", "/collections/uniq", { list_rule: "@request.auth.id != ''", options: { a: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ list_rule: "@request.auth.id != ''", options: { a: 1 }, schema: [{ name: "slug" }] });
    expect(res.body.updated >= res.body.created).toBe(true);
  });
});

describe("rename and delete", () => {
  it("renames the table, keeps the data and retargets references", async () => {
    await createColl({ name: "authors_old", schema: [{ name: "name", type: "text" }] });
    await createColl({ name: "books", schema: [{ name: "author", type: "relation", relation: { collection: "authors_old" } }] });
    const a = await addRecord("authors_old", { name: "Ann" });
    const res = await admin("PATCH", "/collections/authors_old", { name: "Writers" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: "Writers", table_name: "Writers" });
    expect(await tableExists("authors_old")).toBe(false);
    expect(await tableExists("Writers")).toBe(true);
    expect((await records("Writers"))[0]).toMatchObject({ id: a.id, data: { name: "Ann" } });
    // the old name keeps answering during the rename's grace period, marked deprecated (README "Renames")
    const old = await admin("GET", "/collections/authors_old");
    expect(old.status).toBe(200);
    expect(old.body.name).toBe("Writers");
    expect(old.headers.get("deprecation")).toMatch(/^@\d+$/);
    expect((await admin("GET", "/collections/books")).body.schema[0].relation.collection).toBe("Writers");
    await addRecord("books", { author: a.id });
    // case-only rename
    const lower = await admin("PATCH", "/collections/Writers", { name: "writers" });
    expect(lower.status, JSON.stringify(lower.body)).toBe(200);
    expect((await records("writers"))[0]!.id).toBe(a.id);
  });

  it("refuses to rename onto an existing collection", async () => {
    const res = await admin("PATCH", "/collections/books", { name: "PEOPLE" });
    expect(res.status).toBe(409);
  });

  it("refuses to delete a referenced collection, then deletes and drops the table", async () => {
    const blocked = await admin("DELETE", "/collections/writers");
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toContain("books.author");
    expect((await admin("DELETE", "/collections/books")).status).toBe(204);
    const res = await admin("DELETE", "/collections/writers");
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expect(await tableExists("writers")).toBe(false);
    expect((await admin("GET", "/collections/writers")).status).toBe(404);
    expect((await admin("DELETE", "/collections/writers")).status).toBe(404);
    // the name is free again
    await createColl({ name: "writers" });
  });
});

describe("view collections", () => {
  it("creates a view over a table, checks its columns, protects its source and drops it", async () => {
    await createColl({
      name: "vsrc",
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    });
    await addRecord("vsrc", { title: "seen", n: 1 });
    const query = `SELECT id, account_id, owner_id, created, updated, version, title FROM vsrc`;
    const view = await createColl({ name: "vsrc_titles", type: "view", view_query: query, schema: [{ name: "title", type: "text" }] });
    expect(view).toMatchObject({ type: "view", view_query: query });
    expect(await tableExists("vsrc_titles")).toBe(true);
    const db = t.app.services.db;
    const rows = await db.query<{ title: string }>(sql<{ title: string }>`SELECT title FROM vsrc_titles`.compile(db.qb));
    expect(rows.map((r) => r.title)).toEqual(["seen"]);

    const missing = await admin("POST", "/collections", { name: "vbad", type: "view", view_query: "SELECT id FROM vsrc" });
    expect(missing.status).toBe(422);
    expect(missing.body.details.view_query).toMatch(/missing columns: account_id/);
    const broken = await admin("POST", "/collections", { name: "vbad", type: "view", view_query: "SELECT nope FROM nowhere" });
    expect(broken.status).toBe(422);
    expect(Object.keys(broken.body.details)).toEqual(["view_query"]);
    expect(await tableExists("vbad")).toBe(false);

    // the view reads vsrc.title: dropping that column is refused and changes nothing
    const drop = await admin("PATCH", "/collections/vsrc", { schema: [{ name: "n", type: "number" }] });
    expect(drop.status, JSON.stringify(drop.body)).toBe(409);
    expect(Object.keys(await columns("vsrc"))).toContain("title");

    expect((await admin("DELETE", "/collections/vsrc_titles")).status).toBe(204);
    expect(await tableExists("vsrc_titles")).toBe(false);
  });
});

describe("events", () => {
  it("writes collection events to the outbox and publishes them after commit", async () => {
    const before = events.length;
    const c = await createColl({ name: "evented", schema: [{ name: "a", type: "text" }] });
    await admin("PATCH", "/collections/evented", { schema: [{ name: "b", type: "text" }] });
    await admin("PATCH", "/collections/evented", {
      schema: [
        { name: "b", type: "bool" },
        { name: "n", type: "number" },
      ],
    }).then((r) => expect(r.status).toBe(200));
    await admin("PATCH", "/collections/evented", { schema: [{ name: "n", type: "geopoint" }] }).then((r) => expect(r.status).toBe(422));
    await admin("DELETE", "/collections/evented");
    const mine = events.slice(before).filter((e) => e.collection === "evented");
    expect(mine.map((e) => e.type)).toEqual(["collection.create", "collection.update", "collection.update", "collection.delete"]);
    expect(mine[0]).toMatchObject({ accountId: "default", recordId: null, payload: { id: c.id, name: "evented" } });
    const db = t.app.services.db;
    const rows = await db.query<{ type: string; payload: string }>(db.qb.selectFrom("_events").select(["type", "payload"]).where("collection", "=", "evented").orderBy("seq"));
    expect(rows.map((r) => r.type)).toEqual(mine.map((e) => e.type));
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ id: c.id, fields: [{ name: "a", type: "text" }] });
  });
});

describe("full-text search objects", () => {
  it("stay in sync through adds, renames, type-change rebuilds and later writes", async () => {
    await createColl({
      name: "articles",
      schema: [
        { name: "title", type: "text" },
        { name: "rating", type: "text" },
        { name: "views", type: "number" },
      ],
    });
    const r1 = await addRecord("articles", { title: "Crème brûlée recipe", rating: "5", views: 10 });
    const r2 = await addRecord("articles", { title: "Bread basics", rating: "4", views: 20 });
    expect(await ftsMatch("articles", "bread")).toEqual([r2.id]);
    if (t.app.services.db.dialect === "sqlite") expect(await ftsMatch("articles", "creme")).toEqual([r1.id]); // diacritics removed
    // rating text → number rebuilds the SQLite table; views number → text joins the index
    const res = await admin("PATCH", "/collections/articles", {
      schema: [
        { name: "headline", previous_name: "title", type: "text" },
        { name: "rating", type: "number" },
        { name: "views", type: "text" },
        { name: "summary", type: "editor" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await ftsMatch("articles", "bread")).toEqual([r2.id]);
    expect(await ftsMatch("articles", "20")).toEqual([r2.id]);
    const r3 = await addRecord("articles", { headline: "Sourdough bread", summary: "long fermentation", rating: 3 });
    expect(await ftsMatch("articles", "bread")).toEqual([r2.id, r3.id].sort());
    await admin("PATCH", `/collections/articles/records/${r2.id}`, { data: { headline: "Pastry basics" } }).then((r) => expect(r.status).toBe(200));
    await admin("DELETE", `/collections/articles/records/${r3.id}`).then((r) => expect(r.status).toBe(204));
    expect(await ftsMatch("articles", "bread")).toEqual([]);
    expect(await ftsMatch("articles", "pastry")).toEqual([r2.id]);
    const search = await admin("GET", "/collections/articles/records?search=pastry");
    expect(search.body.items.map((r: any) => r.id)).toEqual([r2.id]);
    // renaming the collection moves the search objects with it
    expect((await admin("PATCH", "/collections/articles", { name: "posts_fts" })).status).toBe(200);
    expect(await ftsMatch("posts_fts", "pastry")).toEqual([r2.id]);
    // no searchable field left → no search objects
    expect((await admin("PATCH", "/collections/posts_fts", { schema: [{ name: "rating", type: "number" }] })).status).toBe(200);
    if (t.app.services.db.dialect === "sqlite") expect(await tableExists("_fts_posts_fts")).toBe(false);
    else expect(await columns("posts_fts")).not.toHaveProperty("_search");
  });
});

describe("restart", () => {
  it("keeps collections, fields and data across a restart", async () => {
    const c = await createColl({ name: "durable", schema: [{ name: "title", type: "text", validation: { required: true } }] });
    const rec = await addRecord("durable", { title: "still here" });
    await t.app.close();
    const again = await createApp(t.config);
    const url = await again.listen();
    try {
      const api = apiClient(url);
      const got = await api("GET", "/api/v1/collections/durable", { token: t.adminToken });
      expect(got.status).toBe(200);
      expect(got.body).toEqual(c);
      const r = await api("GET", `/api/v1/collections/durable/records/${rec.id}`, { token: t.adminToken });
      expect(r.body.data.title).toBe("still here");
      const list = await api("GET", "/api/v1/collections?per_page=200", { token: t.adminToken });
      expect(list.body.items.map((x: any) => x.name)).toEqual(expect.arrayContaining(["durable", "everything", "convert"]));
    } finally {
      await again.close();
    }
  });
});
