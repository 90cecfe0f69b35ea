// The admin's system pages in a real browser: backups (create with live progress, download,
// delete), import and export, settings (typed inputs, the server's 422 text next to the input)
// and the audit log (entries of those changes, filtering). Every change is checked over REST.
import { readFileSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdminUi, type AdminUi } from "../helpers/admin-ui.ts";

let ui: AdminUi;
const rest = (method: string, path: string, body?: unknown) => ui.server.api(method, path, { token: ui.server.adminToken, body });

beforeAll(async () => {
  ui = await openAdminUi();
  // a waiting locator fails (naming itself) well before the test's own timeout
  ui.page.setDefaultTimeout(12_000);
  await ui.signIn();
});
afterAll(async () => {
  await ui?.close();
});

describe("backups", () => {
  it("creates a backup from the UI, shows its progress until done, lists it and downloads it", async () => {
    const { page } = ui;
    await ui.open("/backups");
    await page.getByText("No backups yet").waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    // progress arrives over the GraphQL subscription jobProgress (graphql-ws)
    const frames: string[] = [];
    page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
    await page.getByRole("button", { name: "Create backup" }).click();
    const job = page.getByRole("region", { name: "Backup job" });
    await job
      .getByRole("status")
      .filter({ hasText: /Done · 100%/ })
      .waitFor();
    expect(frames.some((f) => f.includes('"jobProgress"') && f.includes('"succeeded"'))).toBe(true);
    const listed = await rest("GET", "/api/v1/backups");
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(1);
    const name: string = listed.body.items[0].filename;
    await page.getByRole("cell", { name, exact: true }).waitFor();
    await ui.shot("backups");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: `Download ${name}` }).click()]);
    expect(download.suggestedFilename()).toBe(name);
    const file = await download.path();
    expect(statSync(file).size).toBe(listed.body.items[0].size_bytes);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip

    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: `Delete ${name}` }).click();
    await page.getByText("No backups yet").waitFor();
    expect((await rest("GET", "/api/v1/backups")).body.total).toBe(0);
  });
});

describe("restore", () => {
  it("restores a backup from the UI with its progress; records written after the backup are gone", async () => {
    const { page } = ui;
    await rest("POST", "/api/v1/collections", { name: "notes", schema: [{ name: "title", type: "text" }] });
    await rest("POST", "/api/v1/collections/notes/records", { data: { title: "kept" } });
    const taken = await rest("POST", "/api/v1/backups?wait=true");
    expect(taken.status).toBe(201);
    await rest("POST", "/api/v1/collections/notes/records", { data: { title: "after the backup" } });
    expect((await rest("GET", "/api/v1/collections/notes/records")).body.total).toBe(2);

    await ui.open("/"); // a fresh Backups page, listing the backup taken over REST
    await ui.open("/backups");
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: `Restore ${taken.body.filename}` }).click();
    const job = page.getByRole("region", { name: "Backup job" });
    await job.getByText(`Restoring ${taken.body.filename}`).waitFor();
    await job
      .getByRole("status")
      .filter({ hasText: /Done · 100%/ })
      .waitFor({ timeout: 20_000 });
    const records = await rest("GET", "/api/v1/collections/notes/records");
    expect(records.body.items.map((r: { data: { title: string } }) => r.data.title)).toEqual(["kept"]);
    // the safety backup taken before the restore is listed too
    await page.getByRole("cell", { name: /^backup_\d+_\d+_pre_restore\.tar\.gz$/ }).waitFor();
    for (const b of (await rest("GET", "/api/v1/backups")).body.items) await rest("DELETE", `/api/v1/backups/${b.filename}`);
    await rest("DELETE", "/api/v1/collections/notes");
  });
});

describe("import and export", () => {
  it("imports a CSV with a failing row, shows the counts and the row's error, and exports a download", async () => {
    const { page } = ui;
    const created = await rest("POST", "/api/v1/collections", {
      name: "inventory",
      schema: [
        { name: "name", type: "text", required: true },
        { name: "sku", type: "text", unique: true },
        { name: "price", type: "number" },
      ],
    });
    expect(created.status).toBe(201);
    await ui.open("/transfer?collection=inventory");
    const form = page.getByRole("form", { name: "Import records" });
    await form.getByLabel("Collection").selectOption("inventory");
    const csv = "name,sku,price\nLamp,L-1,19.5\nChair,C-1,45\nStool,S-1,cheap\n";
    await form.getByLabel("File", { exact: true }).setInputFiles({ name: "inventory.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await form.getByRole("button", { name: "Import" }).click();
    const result = page.getByRole("region", { name: "Import result" });
    await result.getByText("Imported 2 of 3 rows (2 created, 0 updated), 1 failed.").waitFor();
    await result.getByRole("cell", { name: "'cheap' is not a number" }).waitFor();
    const records = await rest("GET", "/api/v1/collections/inventory/records?sort=sku");
    expect(records.body.items.map((r: { data: { sku: string } }) => r.data.sku)).toEqual(["C-1", "L-1"]);

    const exp = page.getByRole("form", { name: "Export records" });
    await exp.getByLabel("Collection").selectOption("inventory");
    await exp.getByLabel("File format").selectOption("json");
    await exp.getByLabel("Filter").fill("price >");
    await exp.getByRole("button", { name: "Export" }).click();
    await exp
      .getByText(/position 7|expected a value/)
      .first()
      .waitFor();
    expect(await exp.getByLabel("Filter").getAttribute("aria-invalid")).toBe("true");
    await exp.getByLabel("Filter").fill("price > 20");
    await exp.getByRole("button", { name: "Export" }).click();
    await exp.getByRole("status").filter({ hasText: /Done/ }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("transfer");
    const [download] = await Promise.all([page.waitForEvent("download"), exp.getByRole("button", { name: /^Download / }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const rows = JSON.parse(readFileSync(await download.path(), "utf8"));
    expect(rows.map((r: { sku: string }) => r.sku)).toEqual(["C-1"]);
  });

  it("imports a file of more than 1,000 rows as a job and shows its progress and result", async () => {
    const { page } = ui;
    const made = await rest("POST", "/api/v1/collections", {
      name: "bulk",
      schema: [
        { name: "name", type: "text" },
        { name: "sku", type: "text", unique: true },
        { name: "price", type: "number" },
      ],
    });
    expect(made.status).toBe(201);
    await ui.open("/transfer?collection=bulk");
    const form = page.getByRole("form", { name: "Import records" });
    const lines = ["name,sku,price", ...Array.from({ length: 1500 }, (_, i) => `Item ${i},B-${i},${i}`)];
    await form.getByLabel("File", { exact: true }).setInputFiles({ name: "bulk.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
    await form.getByRole("button", { name: "Import" }).click();
    await form.getByText("Importing").waitFor();
    await form
      .getByRole("status")
      .filter({ hasText: /Done · 100% \(1500 of 1500\)/ })
      .waitFor({ timeout: 25_000 });
    await form.getByText("Imported 1500 of 1500 rows (1500 created, 0 updated), 0 failed.").waitFor();
    expect((await rest("GET", "/api/v1/collections/bulk/records?per_page=1")).body.total).toBe(1500);
  }, 45_000);
});

describe("settings", () => {
  it("turns maintenance mode on and off, shows a wrong value's 422 text next to its input", async () => {
    const { page } = ui;
    await ui.open("/settings");
    const row = page.getByRole("form", { name: "Setting maintenance_mode" });
    const box = row.getByLabel("maintenance_mode", { exact: true });
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await row.getByRole("button", { name: "Save maintenance_mode" }).click();
    await row.getByRole("button", { name: "Reset maintenance_mode" }).waitFor();
    expect((await rest("GET", "/api/v1/settings/app")).body.maintenance_mode?.value).toBe(true);
    await box.uncheck();
    await row.getByRole("button", { name: "Save maintenance_mode" }).click();
    await page.getByText("Saved maintenance_mode").last().waitFor();
    await expect.poll(async () => (await rest("GET", "/api/v1/settings/app")).body.maintenance_mode?.value).toBe(false);

    const keep = page.getByRole("form", { name: "Setting backup_keep" });
    await keep.getByLabel("backup_keep", { exact: true }).fill("0");
    await keep.getByRole("button", { name: "Save backup_keep" }).click();
    const message = keep.locator(".field-error");
    await message.waitFor();
    expect(await message.textContent()).toContain("backup_keep must be an integer of at least 1");
    expect(await keep.getByLabel("backup_keep", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect((await rest("GET", "/api/v1/settings/backup")).body.backup_keep).toBeUndefined();
    await keep.getByLabel("backup_keep", { exact: true }).fill("14");
    await keep.getByRole("button", { name: "Save backup_keep" }).click();
    await keep.getByRole("button", { name: "Reset backup_keep" }).waitFor();
    expect((await rest("GET", "/api/v1/settings/backup")).body.backup_keep.value).toBe(14);

    const add = page.getByRole("form", { name: "Add a setting" });
    await add.getByLabel("Key").fill("site_name");
    await add.getByLabel("Value").fill("Cairn demo");
    await add.getByRole("button", { name: "Add setting" }).click();
    await page.getByRole("form", { name: "Setting site_name" }).waitFor();
    expect((await rest("GET", "/api/v1/settings/custom")).body.site_name.value).toBe("Cairn demo");
    expect(await ui.checkA11y()).toEqual([]);
    await page.evaluate(() => scrollTo(0, 0));
    await ui.shot("settings");

    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete site_name" }).click();
    await page.getByRole("form", { name: "Setting site_name" }).waitFor({ state: "detached" });
    expect((await rest("GET", "/api/v1/settings/custom")).body.site_name).toBeUndefined();
  });
});

describe("audit log", () => {
  it("shows the setting change entries, filters by event type and opens an entry's details", async () => {
    const { page } = ui;
    await ui.open("/audit");
    const table = page.getByRole("table", { name: "Audit log entries" });
    await table.getByRole("cell", { name: "Setting 'maintenance_mode' created (app)" }).waitFor();
    const filters = page.getByRole("form", { name: "Audit log filters" });
    await filters.getByLabel("Event type").selectOption("auth");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await page.getByRole("status").filter({ hasText: "matching the filters" }).waitFor();
    await table.getByRole("cell", { name: "Setting 'maintenance_mode' created (app)" }).waitFor({ state: "detached" });
    const events = await table.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.startsWith("auth / "))).toBe(true);
    const fromApi = await rest("GET", "/api/v1/audit?event_type=auth&limit=50");
    expect(events.length).toBe(fromApi.body.items.length);

    await filters.getByLabel("Event type").selectOption("admin");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await table.getByRole("cell", { name: "Setting 'backup_keep' created (backup)" }).waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("audit");
    await table
      .getByRole("row")
      .filter({ hasText: "Setting 'backup_keep' created (backup)" })
      .getByRole("button", { name: /^Details/ })
      .click();
    const dialog = page.getByRole("dialog", { name: "Audit entry" });
    await dialog.getByText('"category": "backup"').waitFor();
    expect(await dialog.textContent()).toContain("admin@example.com");
    expect(await ui.checkA11y()).toEqual([]);
    await dialog.getByRole("button", { name: "Close" }).click();
  });
});

describe("an account admin", () => {
  it("is told that backups, settings and the audit log need superadmin rights", async () => {
    const { page } = ui;
    // an admin of the default account: the sign-in form has no account field (yet)
    const user = await rest("POST", "/api/v1/users", { email: "account-admin@example.com", password: "Account-admin-pass-1", role_id: "admin" });
    expect(user.status).toBe(201);
    expect(user.body.superadmin).toBe(false);
    await ui.signIn("account-admin@example.com", "Account-admin-pass-1");
    for (const path of ["/backups", "/settings", "/audit"]) {
      await ui.open("/"); // each page freshly mounted
      await ui.open(path);
      const alert = page.getByRole("alert").filter({ hasText: "needs superadmin rights" });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/^403: /);
    }
    expect(await ui.checkA11y()).toEqual([]);
  });
});
