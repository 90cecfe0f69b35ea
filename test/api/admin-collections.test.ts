// The admin's collections pages in a real browser: the list, creating and changing a collection
// with many field types and a reference (checked over REST), the server's errors next to the input
// that caused them, deleting, and the API examples page — whose GraphQL, REST and curl examples are
// run against the server.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { openAdminUi, type AdminUi } from "../helpers/admin-ui.ts";

const run = promisify(execFile);
let ui: AdminUi;
let authorId: string;

beforeAll(async () => {
  ui = await openAdminUi();
  // a step that cannot happen fails with the locator it waited for, well inside the test's time
  ui.page.setDefaultTimeout(10_000);
  await ui.signIn();
});
afterAll(async () => {
  await ui?.close();
});

const api = (method: string, path: string, body?: unknown) => ui.server.api(method, path, { token: ui.server.adminToken, body });
const group = (n: number): Locator => ui.page.getByRole("group", { name: new RegExp(`^Field ${n}( ·|$)`) });
const input = (scope: Locator, label: string) => scope.getByLabel(label, { exact: true });

/** Opens a field's "More options" (min/max, lengths, default, label, hint, …). */
async function more(scope: Locator): Promise<Locator> {
  if (!(await scope.locator("details.field-more").evaluate((d) => (d as HTMLDetailsElement).open))) await scope.locator("summary").click();
  return scope;
}

async function addField(type: string): Promise<void> {
  await ui.page.getByLabel("Type of the new field").selectOption(type);
  await ui.page.getByRole("button", { name: "+ Add field" }).click();
}

async function waitForHash(hash: string): Promise<void> {
  await ui.page.waitForFunction((h) => location.hash === h, hash);
}

/** The text of the example `id` on the API page. */
const example = (id: string) => ui.page.locator(`[data-example="${id}"] pre`).innerText();

describe("collections list", () => {
  it("says what to do when there are no collections", async () => {
    await ui.open("/collections");
    await ui.page.getByText("No collections yet").waitFor();
    await ui.page.getByRole("link", { name: "Create a collection" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
  });
});

describe("creating and changing a collection", () => {
  it("creates a collection with several field types and a reference, exactly as entered", async () => {
    const authors = await api("POST", "/api/v1/collections", { name: "authors", schema: [{ name: "name", type: "text" }] });
    expect(authors.status).toBe(201);
    authorId = (await api("POST", "/api/v1/collections/authors/records", { data: { name: "Ada" } })).body.id;

    await ui.open("/collections/new");
    await ui.page.getByLabel("Collection name").fill("books");
    const f1 = group(1);
    await input(f1, "Name").fill("title");
    await input(f1, "Required").check();
    await input(await more(f1), "Maximum length").fill("200");
    await addField("number");
    await input(group(2), "Name").fill("pages");
    await input(await more(group(2)), "Minimum").fill("1");
    await input(group(2), "Whole numbers only").check();
    await addField("bool");
    await input(group(3), "Name").fill("in_stock");
    await input(await more(group(3)), "Default").fill("true");
    await addField("select");
    await input(group(4), "Name").fill("genre");
    await input(group(4), "Values").fill("fiction\nnon-fiction");
    await addField("tags");
    await input(group(5), "Name").fill("labels");
    await addField("json");
    await input(group(6), "Name").fill("meta");
    await addField("date");
    await input(group(7), "Name").fill("published_on");
    await input(group(7), "Index").check();
    await addField("reference");
    await input(group(8), "Name").fill("author");
    await input(group(8), "Target collection").selectOption("authors");
    await input(group(8), "When the target is deleted").selectOption("cascade");
    // everyone may list and view; signed-in callers create
    await ui.page.getByLabel("Who may list records").selectOption("public");
    await ui.page.getByLabel("Who may view a record").selectOption("public");
    await ui.page.getByLabel("Who may create records").selectOption("expression");
    await ui.page.getByLabel("Create rule", { exact: true }).fill('@request.auth.id != ""');
    expect(await ui.checkA11y()).toEqual([]);
    await ui.page.getByRole("button", { name: "Create collection" }).click();
    await waitForHash("#/collections/books");

    const { status, body } = await api("GET", "/api/v1/collections/books");
    expect(status).toBe(200);
    const fields = body.schema.map((f: any) => ({ name: f.name, type: f.type, required: f.required, unique: f.unique, index: f.index, default: f.default }));
    expect(fields).toEqual([
      { name: "title", type: "text", required: true, unique: false, index: false, default: null },
      { name: "pages", type: "number", required: false, unique: false, index: false, default: null },
      { name: "in_stock", type: "bool", required: false, unique: false, index: false, default: true },
      { name: "genre", type: "select", required: false, unique: false, index: false, default: null },
      { name: "labels", type: "tags", required: false, unique: false, index: false, default: null },
      { name: "meta", type: "json", required: false, unique: false, index: false, default: null },
      { name: "published_on", type: "date", required: false, unique: false, index: true, default: null },
      { name: "author", type: "relation", required: false, unique: false, index: true, default: null },
    ]);
    expect(body.schema[0].validation.max_length).toBe(200);
    expect(body.schema[1].validation).toMatchObject({ min: 1, integer: true });
    expect(body.schema[3].select).toMatchObject({ values: ["fiction", "non-fiction"], max_select: 1 });
    expect(body.schema[7].relation).toMatchObject({ collection: "authors", cascade_delete: "cascade", multiple: false });
    expect([body.list_rule, body.view_rule, body.create_rule, body.update_rule, body.delete_rule]).toEqual(["", "", '@request.auth.id != ""', null, null]);
  });

  it("lists the collection with its fields and rules", async () => {
    await ui.open("/collections");
    const row = ui.page.getByRole("row").filter({ has: ui.page.getByRole("link", { name: "books", exact: true }) });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/books\s+base\s+8/);
    expect(await row.innerText()).toContain("list: everyone");
    expect(await row.innerText()).toContain('create: @request.auth.id != ""');
    await row.getByRole("link", { name: "Edit books" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("collections");
  });

  it("renames, adds, moves and removes fields; records keep their data", async () => {
    const before = await api("GET", "/api/v1/collections/books");
    const pagesId = before.body.schema[1].id;
    const rec = await api("POST", "/api/v1/collections/books/records", { data: { title: "Dune", pages: 412, genre: "fiction", labels: ["sf"], meta: { a: 1 }, author: authorId } });
    expect(rec.status).toBe(201);

    await ui.open("/collections/books/edit");
    await ui.page.getByRole("heading", { name: "Edit books" }).waitFor();
    await input(group(2), "Name").fill("page_count");
    await group(2).getByText("Renamed from pages").waitFor();
    await addField("text");
    await input(group(9), "Name").fill("isbn");
    await input(group(9), "Unique").check();
    await ui.page.getByRole("button", { name: "Move field 9 up" }).click();
    expect(await input(group(8), "Name").inputValue()).toBe("isbn");
    await ui.page.getByRole("button", { name: "Remove field 3" }).click();
    expect(await input(group(3), "Name").inputValue()).toBe("genre");
    expect(await ui.checkA11y()).toEqual([]);
    await ui.page.evaluate(() => scrollTo(0, 0));
    await ui.shot("collection-edit");
    await ui.page.getByRole("button", { name: "Save changes" }).click();
    await waitForHash("#/collections/books");

    const after = await api("GET", "/api/v1/collections/books");
    expect(after.body.schema.map((f: any) => f.name)).toEqual(["title", "page_count", "genre", "labels", "meta", "published_on", "isbn", "author"]);
    expect(after.body.schema[1].id).toBe(pagesId);
    expect(after.body.schema[6]).toMatchObject({ type: "text", unique: true });
    const read = await api("GET", `/api/v1/collections/books/records/${rec.body.id}`);
    expect(read.body.data).toMatchObject({ title: "Dune", page_count: 412, genre: "fiction", labels: ["sf"], meta: { a: 1 }, author: authorId });
    expect(read.body.data).not.toHaveProperty("pages");
  });

  it("shows the server's errors next to the field and the rule that caused them", async () => {
    await ui.open("/collections/new");
    await ui.page.getByLabel("Collection name").fill("dupes");
    await input(group(1), "Name").fill("code");
    await addField("number");
    await input(group(2), "Name").fill("code");
    await input(await more(group(2)), "Minimum").fill("10");
    await input(group(2), "Maximum").fill("5");
    await ui.page.getByRole("button", { name: "Create collection" }).click();
    const nameError = group(2)
      .locator(".field-error")
      .filter({ hasText: /duplicate field name/ });
    await nameError.waitFor();
    await group(2)
      .locator(".field-error")
      .filter({ hasText: /greater than max/ })
      .waitFor();
    expect(await group(1).locator(".field-error").count()).toBe(0);
    expect(await ui.checkA11y()).toEqual([]);

    await input(group(2), "Name").fill("amount");
    await input(group(2), "Maximum").fill("");
    await ui.page.getByLabel("Who may list records").selectOption("expression");
    const ruleInput = ui.page.getByLabel("List rule", { exact: true });
    const ruleField = ui.page.locator(".field").filter({ has: ruleInput });
    const ruleError = ruleField.locator(".field-error");
    // leaving the input checks the rule's syntax (POST /api/v1/roles/validate-rule) and marks the place
    await ruleInput.fill("code = = 1");
    await ruleInput.press("Tab");
    await ruleError.waitFor();
    expect(await ruleError.innerText()).toMatch(/position \d+/);
    const position = Number(/position (\d+)/.exec(await ruleError.innerText())![1]);
    expect(await ui.page.locator(".rule-marked mark").innerText()).toBe("code = = 1".slice(position, position + 1));
    // a rule that parses but names no field of the collection is refused by the save (422 list_rule)
    await ruleInput.fill("nosuch = 1");
    await ruleInput.press("Tab");
    await ui.page.getByRole("button", { name: "Create collection" }).click();
    await ruleError.filter({ hasText: /nosuch/ }).waitFor();
    // the message goes once the rule no longer reads as it did when it was sent
    await ruleInput.fill("code = 1");
    await ruleError.waitFor({ state: "detached" });
    expect(await nameError.count()).toBe(0);
    expect((await api("GET", "/api/v1/collections/dupes")).status).toBe(404);
    expect(await ui.checkA11y()).toEqual([]);
  });

  it("keeps the content workflow's fields, which follow the options", async () => {
    const created = await api("POST", "/api/v1/collections", { name: "articles", options: { drafts: true }, schema: [{ name: "title", type: "text" }] });
    expect(created.status).toBe(201);
    const workflow = created.body.schema.filter((f: any) => f.id.startsWith("content-")).map((f: any) => f.name);
    expect(workflow).toContain("status");
    await ui.open("/collections/articles/edit");
    await ui.page.getByText(/content workflow's .*status/).waitFor();
    expect(await ui.page.getByRole("group", { name: /^Field \d+ · status$/ }).count()).toBe(0);
    const options = ui.page.getByLabel("Collection options (JSON)");
    await options.fill("{ drafts: true");
    await ui.page.getByRole("button", { name: "Save changes" }).click();
    await ui.page
      .locator(".field")
      .filter({ has: options })
      .locator(".field-error")
      .filter({ hasText: /not valid JSON/ })
      .waitFor();
    await options.fill('{"drafts": true, "versions": "yes"}');
    await ui.page.getByRole("button", { name: "Save changes" }).click();
    await ui.page
      .locator(".field")
      .filter({ has: options })
      .locator(".field-error")
      .filter({ hasText: /versions: must be a boolean/ })
      .waitFor();
    await options.fill('{"drafts": true}');
    await addField("textarea");
    await input(group(2), "Name").fill("summary");
    await ui.page.getByRole("button", { name: "Save changes" }).click();
    await waitForHash("#/collections/articles");
    const after = await api("GET", "/api/v1/collections/articles");
    expect(after.body.schema.map((f: any) => f.name)).toEqual(["title", "summary", ...workflow]);
  });

  it("deletes a collection after confirming", async () => {
    expect((await api("POST", "/api/v1/collections", { name: "scratch", schema: [{ name: "note", type: "text" }] })).status).toBe(201);
    await ui.open("/collections/scratch/edit");
    await ui.page.getByRole("heading", { name: "Edit scratch" }).waitFor();
    ui.page.once("dialog", (d) => void d.accept());
    await ui.page.getByRole("button", { name: "Delete collection" }).click();
    await waitForHash("#/collections");
    expect((await api("GET", "/api/v1/collections/scratch")).status).toBe(404);
  });

  it("says why a collection cannot be deleted", async () => {
    await ui.open("/collections/authors/edit");
    await ui.page.getByRole("heading", { name: "Edit authors" }).waitFor();
    ui.page.once("dialog", (d) => void d.accept());
    await ui.page.getByRole("button", { name: "Delete collection" }).click();
    await ui.page.locator(".danger-zone [role=alert]").filter({ hasText: /409/ }).waitFor();
    expect((await api("GET", "/api/v1/collections/authors")).status).toBe(200);
  });
});

describe("API examples", () => {
  it("shows REST, GraphQL and curl examples that run against the server", async () => {
    const token = ui.server.adminToken;
    await ui.open("/collections/books/api");
    await ui.page.locator('[data-example="gql-list"]').waitFor();
    await ui.page.waitForFunction(() => !document.querySelector(".toast"));
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("collection-api");

    // GraphQL: the list query with its variables, then create, get, update and delete
    const gql = async (queryId: string, varsId: string) => {
      const res = await ui.server.api("POST", "/graphql", { token, body: { query: await example(queryId), variables: JSON.parse(await example(varsId)) } });
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      return res.body.data;
    };
    const list = await gql("gql-list", "gql-list-vars");
    expect(list.books.totalCount).toBeGreaterThanOrEqual(0);
    const created = await gql("gql-create", "gql-create-vars");
    expect(created.createBook).toMatchObject({ title: "Example title", page_count: 1, genre: "FICTION", author: { id: authorId } });
    const listed = await gql("gql-list", "gql-list-vars");
    expect(listed.books.nodes.map((n: any) => n.id)).toContain(created.createBook.id);
    const got = await gql("gql-get", "gql-get-vars");
    expect(got.book.id).toMatch(/^[0-9a-f-]{36}$/);

    // REST: the list URL as shown
    const listLine = await example("rest-list");
    const url = listLine.replace(/^GET /, "").trim();
    expect(url.startsWith(ui.server.url)).toBe(true);
    const rest = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as any).items.map((i: any) => i.id)).toContain(created.createBook.id);

    // curl: the commands as shown, in a shell with $TOKEN set
    const sh = async (id: string) => JSON.parse((await run("bash", ["-c", await example(id)], { env: { ...process.env, TOKEN: token } })).stdout);
    const createdByCurl = await sh("curl-create");
    expect(createdByCurl.data).toMatchObject({ title: "Example title", genre: "fiction", author: authorId });
    expect((await sh("curl-list")).items.length).toBeGreaterThanOrEqual(2);
    expect((await sh("gql-curl")).data.books.totalCount).toBeGreaterThanOrEqual(3);
  });

  it("shows a subscription that delivers changes", async () => {
    await ui.open("/collections/books/api");
    const query = await example("gql-subscription");
    const res = await fetch(`${ui.server.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${ui.server.adminToken}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    // the subscription may start a moment after the stream opens: write until an event arrives
    let pending = reader.read();
    for (let i = 0; i < 20 && !text.includes("event: next"); i++) {
      await api("POST", "/api/v1/collections/books/records", { data: { title: "Live" } });
      const chunk = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
      if (chunk) {
        text += decoder.decode(chunk.value, { stream: true });
        pending = reader.read();
      }
    }
    await reader.cancel();
    expect(text).toMatch(/"action":"CREATE"/);
    expect(text).toContain('"title":"Live"');
  });
});

describe("an account admin", () => {
  it("is told that collection definitions need a superadmin", async () => {
    const user = await api("POST", "/api/v1/users", { email: "boss@example.com", password: "SecurePass123!", role_id: "admin" });
    expect(user.status).toBe(201);
    await ui.signIn("boss@example.com", "SecurePass123!");
    await ui.open("/collections");
    await ui.page
      .locator("[role=alert]")
      .filter({ hasText: /403.*superadmin rights/ })
      .waitFor();
    await ui.open("/collections/new");
    await ui.page.getByLabel("Collection name").fill("mine");
    await input(group(1), "Name").fill("title");
    await ui.page.getByRole("button", { name: "Create collection" }).click();
    await ui.page
      .locator("form [role=alert]")
      .filter({ hasText: /403.*superadmin rights/ })
      .waitFor();
    expect((await api("GET", "/api/v1/collections/mine")).status).toBe(404);
    expect(await ui.checkA11y()).toEqual([]);
  });
});
