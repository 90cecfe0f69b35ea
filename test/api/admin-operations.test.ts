// The admin's operations pages in a real browser: webhooks (create one pointing at a real
// receiver, see its deliveries arrive in the log, redeliver), and files (upload a PNG, see its
// thumbnail load, delete it). What the UI did is checked over the REST API and at the receiver.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdminUi, type AdminUi } from "../helpers/admin-ui.ts";
import { registerUser } from "../helpers/app.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";

let ui: AdminUi;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  ui = await openAdminUi({ startApp: [{}, { CAIRN_WEBHOOK_ALLOW_PRIVATE: "true" }] });
  const token = ui.server.adminToken;
  for (const body of [
    {
      name: "orders",
      schema: [
        { name: "item", type: "text" },
        { name: "total", type: "number" },
      ],
    },
    {
      name: "products",
      schema: [
        { name: "name", type: "text" },
        { name: "images", type: "file", file: { max_files: 5, mime_types: ["image/*"] } },
      ],
    },
  ]) {
    const res = await ui.server.api("POST", "/api/v1/collections", { token, body });
    expect(res.status).toBe(201);
  }
  await ui.signIn();
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await receiver?.stop();
});

describe("webhooks", () => {
  it("shows the server's complaint next to the field that caused it", async () => {
    await ui.open("/webhooks");
    await ui.page.getByText("No webhooks yet").waitFor();
    await ui.page.getByRole("button", { name: "New webhook" }).click();
    const dialog = ui.page.getByRole("dialog", { name: "New webhook" });
    await dialog.getByLabel("Target URL").waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await dialog.getByLabel("Target URL").fill(`${receiver.url}/hooks/orders`);
    await dialog.getByLabel("Collection").selectOption("orders");
    await dialog.getByLabel("Filter (optional)").fill("nope = 1");
    await dialog.getByRole("button", { name: "Create webhook" }).click();
    const fieldError = dialog.locator(".field-invalid .field-error");
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/nope/);
    expect((await ui.server.api("GET", "/api/v1/webhooks", { token: ui.server.adminToken })).body.total).toBe(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("creates a webhook, logs its deliveries as they happen and redelivers one", async () => {
    await ui.open("/webhooks");
    await ui.page.getByRole("button", { name: "New webhook" }).click();
    const dialog = ui.page.getByRole("dialog", { name: "New webhook" });
    await dialog.getByLabel("Target URL").fill(`${receiver.url}/hooks/orders`);
    await dialog.getByLabel("Collection").selectOption("orders");
    await dialog.getByLabel("delete").uncheck();
    await dialog.getByLabel("Secret (optional)").fill("s3cret-for-orders");
    await dialog.getByRole("button", { name: "Create webhook" }).click();
    await ui.page.getByRole("heading", { name: /^Webhook to 127\.0\.0\.1:/ }).waitFor();
    await ui.page.getByText("No deliveries yet").waitFor();

    const hooks = await ui.server.api("GET", "/api/v1/webhooks", { token: ui.server.adminToken });
    expect(hooks.body.total).toBe(1);
    const hook = hooks.body.items[0];
    expect(hook).toMatchObject({ url: `${receiver.url}/hooks/orders`, collection_name: "orders", events: ["create", "update"], secret: "s3cret-for-orders", active: true });

    const created = await ui.server.api("POST", "/api/v1/collections/orders/records", { token: ui.server.adminToken, body: { data: { item: "Lamp", total: 42 } } });
    expect(created.status).toBe(201);
    const [first] = await receiver.waitFor(1);
    expect(first!.json).toMatchObject({ event: "create", collection: "orders", record_id: created.body.id });
    expect(first!.headers["x-webhook-signature"]).toBe(createHmac("sha256", "s3cret-for-orders").update(first!.body).digest("hex"));

    // the log refreshes by itself: the delivery appears with its status and response code
    const log = ui.page.getByRole("table", { name: "Deliveries, newest first" });
    await log.getByText("delivered").waitFor();
    expect(await log.locator("tbody tr").count()).toBe(1);
    expect(await log.locator("tbody tr").first().textContent()).toContain("200");
    expect(await ui.checkA11y()).toEqual([]);

    await log.getByRole("button", { name: /^Details of the create delivery/ }).click();
    const detail = ui.page.getByRole("dialog", { name: "Delivery" });
    await detail.getByText(created.body.id).waitFor();
    expect(await detail.locator(".ops-body").textContent()).toBe("ok");
    expect(await ui.checkA11y()).toEqual([]);
    await detail.getByRole("button", { name: "Redeliver" }).click();
    await detail.waitFor({ state: "hidden" });

    const both = await receiver.waitFor(2);
    expect(both[1]!.headers["webhook-id"]).toBe(both[0]!.headers["webhook-id"]);
    expect(both[1]!.body).toBe(both[0]!.body);
    await log.getByText("create (redelivery 1)").waitFor();
    await eventuallyRows(log, 2);
    const deliveries = await ui.server.api("GET", `/api/v1/webhooks/${hook.id}/deliveries`, { token: ui.server.adminToken });
    expect(deliveries.body.total).toBe(2);
    expect(deliveries.body.items[0].redelivery).toBe(1);
    await ui.page.getByText("Redelivery queued").waitFor({ state: "detached" });
    await ui.shot("webhook-deliveries");

    // filtered by status
    await ui.page.getByLabel("Status").selectOption("failed");
    await ui.page.getByText("No failed deliveries").waitFor();
    await ui.page.getByLabel("Status").selectOption("delivered");
    await eventuallyRows(log, 2);

    // the list shows it with its latest delivery
    await ui.open("/webhooks");
    const row = ui.page.getByRole("row").filter({ hasText: `${receiver.url}/hooks/orders` });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/orders.*create, update.*active.*delivered/);
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("webhooks");
  });

  it("pauses and deletes a webhook from its page", async () => {
    const created = await ui.server.api("POST", "/api/v1/webhooks", { token: ui.server.adminToken, body: { url: `${receiver.url}/other`, collection_name: "products" } });
    expect(created.status).toBe(201);
    await ui.open(`/webhooks/${created.body.id}`);
    await ui.page.getByRole("button", { name: "Pause" }).click();
    await ui.page.getByRole("button", { name: "Activate" }).waitFor();
    expect((await ui.server.api("GET", `/api/v1/webhooks/${created.body.id}`, { token: ui.server.adminToken })).body.active).toBe(false);
    ui.page.once("dialog", (d) => void d.accept());
    await ui.page.getByRole("button", { name: "Delete" }).click();
    await ui.page.getByRole("heading", { name: "Webhooks", exact: true }).waitFor();
    expect((await ui.server.api("GET", `/api/v1/webhooks/${created.body.id}`, { token: ui.server.adminToken })).status).toBe(404);
  });
});

describe("files", () => {
  it("uploads a PNG, shows its thumbnail, and deletes it", async () => {
    await ui.open("/files");
    await ui.page.getByText("No files yet").waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    await ui.page.getByRole("button", { name: "Upload a file" }).first().click();
    const dialog = ui.page.getByRole("dialog", { name: "Upload a file" });
    await dialog.getByLabel("File", { exact: true }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await dialog.getByLabel("File", { exact: true }).setInputFiles({ name: "blue.png", mimeType: "image/png", buffer: png });
    await dialog.getByRole("button", { name: "Upload" }).click();
    const thumb = ui.page.getByRole("img", { name: "Thumbnail of blue.png" });
    await thumb.waitFor();
    await ui.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img[alt="Thumbnail of blue.png"]');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    const list = await ui.server.api("GET", "/api/v1/files", { token: ui.server.adminToken });
    expect(list.body.total).toBe(1);
    const file = list.body.items[0];
    expect(file).toMatchObject({ name: "blue.png", type: "image/png", size: png.length });

    // download: the browser saves the very bytes that were uploaded
    const [saved] = await Promise.all([ui.page.waitForEvent("download"), ui.page.getByRole("button", { name: "Download blue.png" }).click()]);
    expect(saved.suggestedFilename()).toBe("blue.png");
    const path = await saved.path();
    expect(Buffer.compare(readFileSync(path), png)).toBe(0);

    // copy URL: the file's absolute download address on the clipboard
    await ui.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: ui.server.url });
    await ui.page.getByRole("button", { name: "Copy URL of blue.png" }).click();
    await ui.page.getByText(/^Copied /).waitFor();
    expect(await ui.page.evaluate(() => navigator.clipboard.readText())).toBe(`${ui.server.url}/api/v1/files/${file.id}/download`);

    // a second file, attached to a record over REST, for the list to show both kinds
    const product = await ui.server.api("POST", "/api/v1/collections/products/records", { token: ui.server.adminToken, body: { data: { name: "Mug" } } });
    const form = new FormData();
    form.append("collection_name", "products");
    form.append("record_id", product.body.id);
    form.append("field_name", "images");
    const orange = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 230, g: 140, b: 20 } } })
      .png()
      .toBuffer();
    form.append("file", new Blob([orange], { type: "image/png" }), "mug.png");
    const upload = await fetch(`${ui.server.url}/api/v1/files`, { method: "POST", headers: { authorization: `Bearer ${ui.server.adminToken}` }, body: form });
    expect(upload.status).toBe(201);
    await ui.page.getByLabel("Collection").selectOption("products");
    await ui.page.getByRole("link", { name: /^products \/ .*\(images\)$/ }).waitFor();
    expect(await ui.page.getByRole("cell", { name: "blue.png", exact: true }).count()).toBe(0);
    await ui.page.getByLabel("Collection").selectOption("");
    await ui.page.getByRole("cell", { name: "blue.png", exact: true }).waitFor();
    await ui.page.getByRole("img", { name: "Thumbnail of mug.png" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("files");

    ui.page.once("dialog", (d) => void d.accept());
    await ui.page.getByRole("button", { name: "Delete blue.png" }).click();
    await ui.page.getByText("Deleted blue.png").waitFor();
    await ui.page.getByRole("img", { name: "Thumbnail of blue.png" }).waitFor({ state: "detached" });
    expect((await ui.server.api("GET", `/api/v1/files/${file.id}`, { token: ui.server.adminToken })).status).toBe(404);
  });

  it("says why a file in use cannot be deleted", async () => {
    await ui.open("/files");
    ui.page.once("dialog", (d) => void d.accept());
    await ui.page.getByRole("button", { name: "Delete mug.png" }).click();
    const note = ui.page.locator(".error-note");
    await note.waitFor();
    expect(await note.textContent()).toMatch(/409/);
    await ui.page.getByRole("img", { name: "Thumbnail of mug.png" }).waitFor();
  });
});

describe("for users who are not superadmins", () => {
  it("explains that webhooks need superadmin rights", async () => {
    const user = await registerUser(ui.server.api);
    await ui.signIn(user.email, "User-pass-123");
    await ui.open("/webhooks");
    const note = ui.page.getByRole("alert").filter({ hasText: "superadmin" });
    await note.waitFor();
    expect(await note.textContent()).toMatch(/403/);
  });
});

async function eventuallyRows(table: ReturnType<AdminUi["page"]["getByRole"]>, n: number): Promise<void> {
  await table.locator(`tbody tr:nth-child(${n})`).waitFor();
  expect(await table.locator("tbody tr").count()).toBe(n);
}
