// The record form in a real browser: every field type filled through its input and read back
// over REST exactly, an edit that sends only what changed (with the version read), a version
// conflict, the server's 422 messages next to their inputs, Save & new, an image upload with its
// thumbnail, a reference picked by keyboard, delete.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdminUi, type AdminUi } from "../helpers/admin-ui.ts";
import { registerUser } from "../helpers/app.ts";

let ui: AdminUi;
const ids: Record<string, string> = {};
let recordId = "";

const SCHEMA = [
  { name: "title", label: "Title", type: "text", validation: { required: true, max_length: 100 }, hint: "What the record is called" },
  { name: "mail", label: "E-mail", type: "email" },
  { name: "site", label: "Website", type: "url" },
  { name: "notes", label: "Notes", type: "textarea" },
  { name: "body", label: "Body", type: "editor" },
  { name: "count", label: "Count", type: "number", validation: { min: 0, max: 10, integer: true }, default: 3 },
  { name: "ok", label: "Published", type: "bool" },
  { name: "day", label: "Day", type: "date" },
  { name: "at", label: "Starts at", type: "datetime" },
  { name: "kind", label: "Kind", type: "select", select: { values: ["a", "b", "c"] } },
  { name: "kinds", label: "Flavours", type: "select", select: { values: ["x", "y", "z"], max_select: 3 } },
  { name: "tags", label: "Tags", type: "tags" },
  { name: "meta", label: "Metadata", type: "json" },
  { name: "place", label: "Place", type: "geopoint" },
  { name: "author", label: "Writer", type: "reference", relation: { collection: "authors" } },
  { name: "authors", label: "Co-writers", type: "reference", relation: { collection: "authors", multiple: true } },
  { name: "pics", label: "Pictures", type: "file", file: { max_files: 3, mime_types: ["image/*"] } },
];

async function rest<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return ui.server.api<T>(method, path, { token: ui.server.adminToken, body });
}

beforeAll(async () => {
  ui = await openAdminUi();
  expect((await rest("POST", "/api/v1/collections", { name: "authors", schema: [{ name: "name", type: "text", required: true }] })).status).toBe(201);
  for (const name of ["Ann Arbor", "Anna Karenina", "Bob Dylan"]) {
    const r = await rest("POST", "/api/v1/collections/authors/records", { data: { name } });
    expect(r.status).toBe(201);
    ids[name] = r.body.id;
  }
  const things = await rest("POST", "/api/v1/collections", { name: "things", schema: SCHEMA });
  expect(things.status, JSON.stringify(things.body)).toBe(201);
  ui.page.setDefaultTimeout(10_000);
  await ui.signIn();
});
afterAll(async () => {
  await ui?.close();
});

const page = () => ui.page;
const text = (name: string | RegExp) => page().getByRole("textbox", { name, exact: true });

describe("record form", () => {
  it("creates a record with every field type filled through its input", async () => {
    await ui.open("/collections/things/records/new");
    await page().getByRole("heading", { name: "New record" }).waitFor();
    // the default of a new record is filled in
    expect(await page().getByRole("spinbutton", { name: "Count", exact: true }).inputValue()).toBe("3");

    await page()
      .getByRole("textbox", { name: /^Title/ })
      .fill("Lighthouse");
    await text("E-mail").fill("keeper@example.com");
    await text("Website").fill("https://example.com/light");
    await text("Notes").fill("Two lines\nof notes");
    const body = text("Body");
    await body.click();
    await page().keyboard.type("Beacon ");
    await page().getByRole("button", { name: "Bold", exact: true }).click();
    await page().keyboard.type("bright");
    await page().getByRole("spinbutton", { name: "Count", exact: true }).fill("7");
    await page().getByRole("switch", { name: "Published" }).check();
    await page().getByLabel("Day", { exact: true }).fill("2026-05-04");
    await page().getByLabel("Starts at", { exact: true }).fill("2026-05-04T10:30:15");
    await page().getByRole("combobox", { name: "Kind", exact: true }).selectOption("b");
    const flavours = page().getByRole("group", { name: "Flavours" });
    await flavours.getByRole("checkbox", { name: "x", exact: true }).check();
    await flavours.getByRole("checkbox", { name: "z", exact: true }).check();

    // tags: Enter adds, Backspace removes the last, a chip's button removes it by keyboard
    const tags = text("Tags");
    for (const t of ["red", "blue", "green"]) {
      await tags.fill(t);
      await tags.press("Enter");
    }
    await tags.press("Backspace");
    await page().getByRole("button", { name: "Remove tag red" }).focus();
    await page().keyboard.press("Enter");
    await tags.fill("tall");
    await tags.press("Enter");
    expect(await page().locator(".chip-list .chip span").allTextContents()).toEqual(["blue", "tall"]);

    // JSON: a parse error shows while typing
    await text("Metadata").fill('{"a": [1, 2]');
    await page()
      .getByText(/Not valid JSON/)
      .waitFor();
    await text("Metadata").fill('{"a": [1, 2], "b": {"c": true}}');
    await page()
      .getByText(/Not valid JSON/)
      .waitFor({ state: "detached" });

    await page().getByRole("spinbutton", { name: "Latitude" }).fill("52.5");
    await page().getByRole("spinbutton", { name: "Longitude" }).fill("13.4");

    // the reference picker, by keyboard: type, arrow to the match, Enter
    const writer = page().getByRole("combobox", { name: "Writer", exact: true });
    await writer.fill("Ann");
    const options = page().getByRole("listbox", { name: "authors records" }).first().getByRole("option");
    await options.nth(1).waitFor();
    const names = await options.allTextContents();
    expect(names.sort()).toEqual(["Ann Arbor", "Anna Karenina"]);
    const order = await options.allTextContents();
    for (let i = 0; i < order.indexOf("Anna Karenina"); i++) await writer.press("ArrowDown");
    expect(await page().locator('[role=option][aria-selected="true"]').first().textContent()).toBe("Anna Karenina");
    await writer.press("Enter");
    await page().getByRole("list", { name: "Writer: chosen" }).getByText("Anna Karenina").waitFor();

    const co = page().getByRole("combobox", { name: "Co-writers", exact: true });
    for (const q of ["Bob", "Arbor"]) {
      await co.fill(q);
      const list = await co.getAttribute("aria-controls");
      await page().waitForFunction(([id, want]) => document.getElementById(id!)?.querySelector('[aria-selected="true"]')?.textContent?.includes(want!), [list, q]);
      await co.press("Enter");
    }
    expect(await page().getByRole("list", { name: "Co-writers: chosen" }).getByRole("link").allTextContents()).toEqual(["Bob Dylan", "Ann Arbor"]);

    // an image: uploaded at once, its thumbnail loads
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#2a7" } })
      .png()
      .toBuffer();
    const uploaded = page().waitForResponse((r) => r.url().endsWith("/api/v1/files") && r.request().method() === "POST");
    await page().getByLabel("Pictures", { exact: true }).setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: png });
    const file = await (await uploaded).json();
    expect(file.name).toBe("dot.png");
    const thumb = page().getByRole("img", { name: "Thumbnail of dot.png" });
    await thumb.waitFor();
    await page().waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img[alt="Thumbnail of dot.png"]');
      return img?.complete && img.naturalWidth > 0;
    });
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);

    const bodyHtml = await body.evaluate((el) => el.innerHTML);
    expect(bodyHtml).toMatch(/^Beacon (&nbsp;)?<b>bright<\/b>$/);

    expect(await ui.checkA11y()).toEqual([]);
    const created = page().waitForResponse((r) => r.url().endsWith("/api/v1/collections/things/records") && r.request().method() === "POST");
    await page().getByRole("button", { name: "Save", exact: true }).click();
    const res = await created;
    expect(res.status()).toBe(201);
    recordId = (await res.json()).id;
    await page().getByRole("heading", { name: "Edit record" }).waitFor();
    expect(page().url()).toContain(`#/collections/things/records/${recordId}`);

    const back = await rest("GET", `/api/v1/collections/things/records/${recordId}`);
    expect(back.status).toBe(200);
    expect(back.body.data).toEqual({
      title: "Lighthouse",
      mail: "keeper@example.com",
      site: "https://example.com/light",
      notes: "Two lines\nof notes",
      body: bodyHtml,
      count: 7,
      ok: true,
      day: "2026-05-04",
      at: "2026-05-04T10:30:15.000Z",
      kind: "b",
      kinds: ["x", "z"],
      tags: ["blue", "tall"],
      meta: { a: [1, 2], b: { c: true } },
      place: { lat: 52.5, lng: 13.4 },
      author: ids["Anna Karenina"],
      authors: [ids["Bob Dylan"], ids["Ann Arbor"]],
      pics: [{ id: file.id, name: "dot.png", size: png.length, type: "image/png", url: `/api/v1/files/${file.id}/download` }],
    });
  });

  it("opens the saved record with every value in its input and its details", async () => {
    await ui.open(`/collections/things/records/${recordId}`);
    await page().getByRole("heading", { name: "Edit record" }).waitFor();
    expect(
      await page()
        .getByRole("textbox", { name: /^Title/ })
        .inputValue(),
    ).toBe("Lighthouse");
    expect(await page().getByLabel("Starts at", { exact: true }).inputValue()).toBe("2026-05-04T10:30:15");
    expect(await text("Metadata").inputValue()).toContain('"c": true');
    await page().getByRole("list", { name: "Writer: chosen" }).getByText("Anna Karenina").waitFor();
    await page().getByRole("list", { name: "Co-writers: chosen" }).getByText("Ann Arbor").waitFor();
    const details = page().getByRole("complementary", { name: "Record details" });
    await details.getByText(recordId).waitFor();
    expect(await details.locator("dd").nth(3).textContent()).toBe("1");
    await page().waitForFunction(() => (document.querySelector<HTMLImageElement>('img[alt="Thumbnail of dot.png"]')?.naturalWidth ?? 0) > 0);
    expect(await ui.checkA11y()).toEqual([]);
    // tall enough for the whole form: the picture shows every type filled in
    const height = await page().evaluate(() => document.documentElement.scrollHeight);
    await page().setViewportSize({ width: 1280, height: Math.min(height, 1600) });
    await ui.shot("record-edit");
    await page().setViewportSize({ width: 1280, height: 860 });
  });

  it("saves an edit with only the changed fields and the version it read", async () => {
    await page()
      .getByRole("textbox", { name: /^Title/ })
      .fill("Lighthouse North");
    await page().getByRole("spinbutton", { name: "Count", exact: true }).fill("8");
    await page().getByRole("button", { name: "Remove Bob Dylan" }).click();
    const patched = page().waitForResponse((r) => r.url().endsWith(`/records/${recordId}`) && r.request().method() === "PATCH");
    await page().getByRole("button", { name: "Save", exact: true }).click();
    const res = await patched;
    expect(res.status()).toBe(200);
    expect(res.request().postDataJSON()).toEqual({ data: { title: "Lighthouse North", count: 8, authors: [ids["Ann Arbor"]] }, expectedVersion: 1 });
    await page().getByRole("complementary", { name: "Record details" }).locator("dd").nth(3).filter({ hasText: "2" }).waitFor();
    const back = await rest("GET", `/api/v1/collections/things/records/${recordId}`);
    expect(back.body.version).toBe(2);
    expect(back.body.data).toMatchObject({ title: "Lighthouse North", count: 8, authors: [ids["Ann Arbor"]], kinds: ["x", "z"], author: ids["Anna Karenina"] });
    expect(back.body.data.pics).toHaveLength(1);
  });

  it("formats rich text from its toolbar by keyboard", async () => {
    const body = text("Body");
    await body.click();
    await page().keyboard.press("Shift+Tab");
    expect(await page().evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Bold");
    for (let i = 0; i < 5; i++) await page().keyboard.press("ArrowRight");
    expect(await page().evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Heading");
    await page().keyboard.press("Enter");
    await expect.poll(() => body.evaluate((el) => el.innerHTML)).toMatch(/^<h2>Beacon (&nbsp;)?<b>bright<\/b><\/h2>$/);
    const patched = page().waitForResponse((r) => r.url().endsWith(`/records/${recordId}`) && r.request().method() === "PATCH");
    await page().getByRole("button", { name: "Save", exact: true }).click();
    expect((await patched).request().postDataJSON().data).toEqual({ body: await body.evaluate((el) => el.innerHTML) });
    const back = await rest("GET", `/api/v1/collections/things/records/${recordId}`);
    expect(back.body.data.body).toMatch(/^<h2>Beacon (&nbsp;)?<b>bright<\/b><\/h2>$/);
    expect(back.body.version).toBe(3);
  });

  it("refuses to overwrite a record someone else changed, and says so", async () => {
    expect((await rest("PATCH", `/api/v1/collections/things/records/${recordId}`, { data: { notes: "changed elsewhere" } })).status).toBe(200);
    await page()
      .getByRole("textbox", { name: /^Title/ })
      .fill("Lighthouse South");
    await page().getByRole("button", { name: "Save", exact: true }).click();
    await page()
      .getByRole("alert")
      .filter({ hasText: /409: Version conflict/ })
      .waitFor();
    expect((await rest("GET", `/api/v1/collections/things/records/${recordId}`)).body.data.title).toBe("Lighthouse North");
    await page()
      .getByRole("button", { name: /Reload the record/ })
      .click();
    await page().waitForFunction(() => (document.querySelector("textarea[name=notes]") as HTMLTextAreaElement | null)?.value === "changed elsewhere");
  });

  it("shows the server's messages next to the inputs that caused them, then saves and starts a new one", async () => {
    const before = (await rest("GET", "/api/v1/collections/things/records?per_page=1")).body.total;
    await ui.open("/collections/things/records/new");
    await page().getByRole("heading", { name: "New record" }).waitFor();
    const count = page().getByRole("spinbutton", { name: "Count", exact: true });
    await count.fill("11");
    const refused = page().waitForResponse((r) => r.url().endsWith("/collections/things/records") && r.request().method() === "POST");
    await page().getByRole("button", { name: "Save", exact: true }).click();
    expect((await refused).status()).toBe(422);
    const title = page().getByRole("textbox", { name: /^Title/ });
    await expect.poll(() => title.getAttribute("aria-invalid")).toBe("true");
    const messageOf = async (input: typeof title) => {
      const described = (await input.getAttribute("aria-describedby"))!.split(" ");
      return page()
        .locator(`[id="${described[described.length - 1]}"]`)
        .textContent();
    };
    expect(await messageOf(title)).toBe("This field is required");
    expect(await messageOf(count)).toBe("must be at most 10");
    expect(await count.getAttribute("aria-invalid")).toBe("true");
    await page().getByRole("alert").filter({ hasText: "422: Validation failed" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    expect((await rest("GET", "/api/v1/collections/things/records?per_page=1")).body.total).toBe(before);

    await title.fill("Second");
    await count.fill("2");
    const created = page().waitForResponse((r) => r.url().endsWith("/collections/things/records") && r.request().method() === "POST");
    await page().getByRole("button", { name: "Save & new" }).click();
    expect((await created).status()).toBe(201);
    await expect.poll(() => title.inputValue()).toBe("");
    expect(await count.inputValue()).toBe("3");
    expect(await title.getAttribute("aria-invalid")).toBeNull();
    const list = await rest("GET", `/api/v1/collections/things/records?filter=${encodeURIComponent('title = "Second"')}`);
    expect(list.body.items.map((r: any) => r.data.count)).toEqual([2]);
  });

  it("deletes a record after confirming, and cancel goes back to the grid", async () => {
    await ui.open(`/collections/things/records/${recordId}`);
    await page().getByRole("heading", { name: "Edit record" }).waitFor();
    page().once("dialog", (d) => d.accept());
    const deleted = page().waitForResponse((r) => r.url().endsWith(`/records/${recordId}`) && r.request().method() === "DELETE");
    await page().getByRole("button", { name: "Delete" }).click();
    expect((await deleted).status()).toBe(204);
    await page().waitForFunction(() => location.hash === "#/collections/things");
    expect((await rest("GET", `/api/v1/collections/things/records/${recordId}`)).status).toBe(404);

    await ui.open("/collections/things/records/new");
    await page().getByRole("link", { name: "Cancel" }).click();
    await page().waitForFunction(() => location.hash === "#/collections/things");
  });

  it("tells a user without admin rights why the form cannot open", async () => {
    const user = await registerUser(ui.server.api);
    await ui.signIn(user.email, "User-pass-123");
    await ui.open("/collections/things/records/new");
    await page().getByRole("alert").filter({ hasText: "403: Admin access required" }).waitFor();
    await page()
      .getByText(/needs administrator rights/)
      .waitFor();
    expect(await page().getByRole("button", { name: "Save", exact: true }).count()).toBe(0);
    expect(await ui.checkA11y()).toEqual([]);
  });
});

describe("rich text written by others", () => {
  it("shows its formatting and nothing that could load or run", async () => {
    const html =
      '<p onclick="window.__xss = 4">Hi <b>there</b></p><img src="data:," onerror="window.__xss = 1"><script>window.__xss = 2</script><a href="javascript:window.__xss = 3">link</a><a href="https://example.com/">safe</a>';
    const created = await rest("POST", "/api/v1/collections/things/records", { data: { title: "Stored markup", body: html } });
    expect(created.status).toBe(201);
    await ui.signIn();
    await ui.open(`/collections/things/records/${created.body.id}`);
    const body = text("Body");
    await expect.poll(() => body.evaluate((el) => el.innerHTML)).toBe('<p>Hi <b>there</b></p><a>link</a><a href="https://example.com/">safe</a>');
    await body.locator("a").first().click();
    await body.locator("p").click();
    expect(await page().evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  });
});
