/**
 * SnackBase records at /api/v1/records/{collection} (compat/snackbase.md §3), over real HTTP on
 * SQLite and PostgreSQL, as a tenant account's admin: the flat record shape with its system
 * fields, every write with its errors (system fields 422, unknown fields and typed validation
 * 400 with SnackBase's codes, unique 400, restrict 409), PUT vs PATCH, and the list with skip,
 * limit, sort, fields and typed `?field=value` filters. Also: the records router captures no
 * other route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant, type Actor, type Tenant } from "../helpers/snackbase.ts";

let t: TestApp;
let acme: Tenant;
let admin: Actor;
let ada: string;

const api = (method: string, path: string, body?: unknown, token = admin.token) => t.api(method, `/api/v1${path}`, { token, ...(body !== undefined ? { body } : {}) });

beforeAll(async () => {
  t = await startApp();
  const made = async (body: unknown) => {
    const res = await t.api("POST", "/api/v1/collections/", { token: t.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  await made({ name: "people", schema: [{ name: "name", type: "text", required: true }] });
  await made({
    name: "posts",
    schema: [
      { name: "title", type: "text", required: true },
      { name: "content", type: "text" },
      { name: "published", type: "boolean", default: false },
      { name: "views", type: "number" },
      { name: "contact", type: "email" },
      { name: "site", type: "url" },
      { name: "at", type: "datetime" },
      { name: "day", type: "date" },
      { name: "meta", type: "json" },
      { name: "slug", type: "text", unique: true },
      { name: "author", type: "reference", collection: "people", on_delete: "restrict" },
    ],
  });
  acme = await signUpTenant(t, "Acme Corporation");
  admin = acme.admin;
  const person = await api("POST", "/records/people", { name: "Ada" });
  expect(person.status, JSON.stringify(person.body)).toBe(201);
  ada = person.body.id;
});
afterAll(() => t?.close());

describe("create and read", () => {
  it("POST → 201 with the flat shape and the system fields set by the server", async () => {
    const res = await api("POST", "/records/posts", { title: "Getting Started", content: "Hi", views: 3, author: ada });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      account_id: acme.id,
      account_name: "Acme Corporation",
      created_at: expect.any(String),
      created_by: admin.id,
      updated_at: expect.any(String),
      updated_by: admin.id,
      title: "Getting Started",
      content: "Hi",
      published: false,
      views: 3,
      author: ada,
    });
    expect(res.body).not.toHaveProperty("data");
    const got = await api("GET", `/records/posts/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it.each([["id"], ["created_at"], ["created_by"], ["account_id"], ["updated_by"]])("a system field (%s) in the body → 422 naming it", async (field) => {
    const res = await api("POST", "/records/posts", { title: "x", [field]: "v" });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(`Cannot create system fields via API: ${field}`);
  });

  it("an unknown field → 400 unknown_field", async () => {
    const res = await api("POST", "/records/posts", { title: "x", nope: 1, other: 2 });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("Validation error");
    expect(res.body.details).toEqual([
      { field: "nope", message: "Unknown field", code: "unknown_field" },
      { field: "other", message: "Unknown field", code: "unknown_field" },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ["a string for a number", { views: "many" }, "views", "invalid_type"],
    ["a boolean for a number", { views: true }, "views", "invalid_type"],
    ["a number for a boolean", { published: 1 }, "published", "invalid_type"],
    ["a bad e-mail", { contact: "not-an-email" }, "contact", "invalid_email_format"],
    ["a URL without http(s)", { site: "ftp://example.com" }, "site", "invalid_url_format"],
    ["a bad datetime", { at: "yesterday" }, "at", "invalid_datetime_format"],
    ["a bad date", { day: "2024-13-40" }, "day", "invalid_date_format"],
    ["a reference outside the account", { author: "no-such-person" }, "author", "invalid_reference"],
    ["an empty reference", { author: "" }, "author", "empty_reference"],
    ["null in a required field", { title: null }, "title", "required_null"],
  ])("%s → 400 %s", async (_name, patch, field, code) => {
    const res = await api("POST", "/records/posts", { title: "t", ...patch });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toBe("Validation error");
    expect(res.body.details).toContainEqual({ field, message: expect.any(String), code });
  });

  it("a missing required field → 400 required_missing; a unique clash → 400 unique_violation", async () => {
    const missing = await api("POST", "/records/posts", { content: "no title" });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ field: "title", message: expect.any(String), code: "required_missing" }]);
    expect((await api("POST", "/records/posts", { title: "a", slug: "same" })).status).toBe(201);
    const clash = await api("POST", "/records/posts", { title: "b", slug: "same" });
    expect(clash.status).toBe(400);
    expect(clash.body.details).toEqual([{ field: "slug", message: expect.any(String), code: "unique_violation" }]);
  });

  it("X-Correlation-ID is echoed back; without one the response carries a generated id", async () => {
    const given = await t.api("GET", "/api/v1/records/posts?limit=1", { token: admin.token, headers: { "x-correlation-id": "req-7f3a-test" } });
    expect(given.headers.get("x-correlation-id")).toBe("req-7f3a-test");
    const generated = await t.api("GET", "/api/v1/records/posts?limit=1", { token: admin.token });
    expect(generated.headers.get("x-correlation-id")).toBe(generated.headers.get("x-request-id"));
    expect(generated.headers.get("x-correlation-id")).toBeTruthy();
  });

  it("unknown collection or record → 404", async () => {
    expect((await api("GET", "/records/nothing")).status).toBe(404);
    expect((await api("POST", "/records/nothing", { a: 1 })).status).toBe(404);
    const res = await api("GET", "/records/posts/no-such-id");
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("Not found");
  });
});

describe("PUT, PATCH, DELETE", () => {
  it("PUT replaces: a missing optional field takes its default, a missing required one → 400", async () => {
    const made = await api("POST", "/records/posts", { title: "Old", content: "c", published: true, views: 9 });
    const id = made.body.id;
    const put = await api("PUT", `/records/posts/${id}`, { title: "New" });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ id, title: "New", content: null, published: false, views: null, created_by: admin.id, updated_by: admin.id });
    const missing = await api("PUT", `/records/posts/${id}`, { content: "only" });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ field: "title", message: expect.any(String), code: "required_missing" }]);
    const unknown = await api("PUT", `/records/posts/${id}`, { title: "x", bogus: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].code).toBe("unknown_field");
  });

  it("PATCH changes only the fields sent; null in a required field → 400 required_null", async () => {
    const made = await api("POST", "/records/posts", { title: "T", content: "keep", views: 1 });
    const patch = await api("PATCH", `/records/posts/${made.body.id}`, { views: 150 });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ title: "T", content: "keep", views: 150 });
    expect(patch.body.updated_at >= made.body.updated_at).toBe(true);
    const bad = await api("PATCH", `/records/posts/${made.body.id}`, { title: null });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: "title", message: expect.any(String), code: "required_null" }]);
    expect((await api("PATCH", `/records/posts/${made.body.id}`, { updated_at: "2020-01-01" })).status).toBe(422);
  });

  it("DELETE → 204, then 404; a restrict reference blocks it with 409", async () => {
    const made = await api("POST", "/records/posts", { title: "bye" });
    const del = await api("DELETE", `/records/posts/${made.body.id}`);
    expect(del.status).toBe(204);
    expect((await api("GET", `/records/posts/${made.body.id}`)).status).toBe(404);
    expect((await api("DELETE", `/records/posts/${made.body.id}`)).status).toBe(404);
    const blocked = await api("DELETE", `/records/people/${ada}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toMatch(/reference it through 'author'/);
  });
});

describe("list", () => {
  let ids: string[];
  beforeAll(async () => {
    const made = await api(
      "POST",
      "/collections",
      {
        name: "notes",
        schema: [
          { name: "title", type: "text", required: true },
          { name: "n", type: "number" },
          { name: "done", type: "boolean" },
          { name: "day", type: "date" },
        ],
      },
      t.adminToken,
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    ids = [];
    for (const [i, title] of ["delta", "alpha", "charlie", "bravo", "echo"].entries()) {
      const r = await api("POST", "/records/notes", { title, n: i * 10, done: i % 2 === 0, day: `2024-01-0${i + 1}` });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
  });
  const list = (qs: string) => api("GET", `/records/notes${qs}`);

  it("answers {items, total, skip, limit}: default limit 30, newest first", async () => {
    const res = await list("");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 5, skip: 0, limit: 30 });
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(res.body.items[0]).toMatchObject({ account_id: acme.id, account_name: "Acme Corporation", created_by: admin.id });
  });

  it("skip and limit page through; the total stays", async () => {
    const res = await list("?skip=1&limit=2&sort=title");
    expect(res.body).toMatchObject({ total: 5, skip: 1, limit: 2 });
    expect(res.body.items.map((r: { title: string }) => r.title)).toEqual(["bravo", "charlie"]);
  });

  it.each([["?limit=0"], ["?limit=101"], ["?limit=abc"], ["?skip=-1"]])("%s → 422", async (qs) => {
    const res = await list(qs);
    expect(res.status).toBe(422);
  });

  it("sort: one field, - descending, + or none ascending, SnackBase system names", async () => {
    const titles = async (qs: string) => (await list(qs)).body.items.map((r: { title: string }) => r.title);
    expect(await titles("?sort=title")).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);
    expect(await titles("?sort=-title")).toEqual(["echo", "delta", "charlie", "bravo", "alpha"]);
    expect(await titles("?sort=%2Btitle")).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);
    expect(await titles("?sort=created_at")).toEqual(["delta", "alpha", "charlie", "bravo", "echo"]);
    const bad = await list("?sort=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/nope/);
  });

  it("fields keeps the named fields and every system field; an unknown one → 400", async () => {
    const res = await list("?fields=title,created_at&sort=title&limit=1");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.items[0]).sort()).toEqual(["account_id", "account_name", "created_at", "created_by", "id", "title", "updated_at", "updated_by"]);
    const bad = await list("?fields=title,nope");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/nope/);
  });

  it("every other parameter is an equality filter typed by its field", async () => {
    const titles = async (qs: string) => {
      const res = await list(`${qs}&sort=title`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { titles: res.body.items.map((r: { title: string }) => r.title), total: res.body.total };
    };
    expect(await titles("?title=charlie")).toEqual({ titles: ["charlie"], total: 1 });
    expect(await titles("?n=30")).toEqual({ titles: ["bravo"], total: 1 });
    expect(await titles("?done=true")).toEqual({ titles: ["charlie", "delta", "echo"], total: 3 });
    expect(await titles("?done=false&n=10")).toEqual({ titles: ["alpha"], total: 1 });
    expect(await titles("?day=2024-01-05")).toEqual({ titles: ["echo"], total: 1 });
    expect(await titles("?title=alpha&title=echo")).toEqual({ titles: ["alpha", "echo"], total: 2 });
    expect(await titles(`?created_by=${admin.id}&limit=2`)).toEqual({ titles: ["alpha", "bravo"], total: 5 });
    expect(await titles(`?id=${ids[0]}`)).toEqual({ titles: ["delta"], total: 1 });
  });

  it.each<[string, RegExp]>([
    ["?nope=1", /unknown field 'nope'/],
    ["?n=abc", /invalid number 'abc' for field 'n'/],
    ["?done=maybe", /invalid boolean 'maybe'/],
    ["?day=someday", /invalid date/],
    ["?account_id=AB1234", /unknown field 'account_id'/],
    ["?__proto__=x", /unknown field '__proto__'/],
  ])("filter %s → 400 naming the problem", async (qs, message) => {
    const res = await list(qs);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });
});

describe("registration", () => {
  it("the records router captures no other route: only /records/{collection}[/{id}] live under /api/v1/records", () => {
    const routes = t.app.server.printRoutes({ commonPrefix: false });
    // Under the root route `/` the tree prints its children without their leading slash.
    const paths = [...routes.matchAll(/[\s─]\/?(api\/v1\/records\S*)/g)].map((m) => `/${m[1]}`);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).toMatch(/^\/api\/v1\/records\/:collection(\/:id)?$/);
  });

  it("the routes next to it still answer (roles, users, collections) and /records alone is 404", async () => {
    expect((await t.api("GET", "/api/v1/roles", { token: t.adminToken })).status).toBe(200);
    expect((await t.api("GET", "/api/v1/users", { token: t.adminToken })).status).toBe(200);
    expect((await t.api("GET", "/api/v1/collections/names", { token: t.adminToken })).status).toBe(200);
    expect((await t.api("GET", "/api/v1/records", { token: t.adminToken })).status).toBe(404);
  });
});
