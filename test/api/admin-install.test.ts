// First run in the browser: `cairn serve` without CAIRN_ADMIN_EMAIL prints a one-time link; the
// admin UI opens it on the "create the first superadmin" form, which creates the superadmin and
// signs them in. Afterwards the same link shows why it no longer works.
import { once } from "node:events";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient, eventually, freshDatabase } from "../helpers/app.ts";
import { join } from "node:path";
import { SCREENSHOTS, seriousA11yViolations } from "../helpers/admin-ui.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { childServerEnv, serveChild, type ChildServer } from "../helpers/child-server.ts";
import { mkdirSync } from "node:fs";

const LINK = /Create the first superadmin: (http:\/\/127\.0\.0\.1:\d+\/_\/#\/install\/[\w.-]+)/;

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: ChildServer;
let browser: Browser;

beforeAll(async () => {
  db = await freshDatabase();
  const { CAIRN_ADMIN_EMAIL: _e, CAIRN_ADMIN_PASSWORD: _p, ...env } = childServerEnv(db);
  server = await serveChild(env);
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null) {
    server.child.kill("SIGTERM");
    await once(server.child, "exit");
  }
  await db?.drop();
});

it("creates the first superadmin from the printed link, then refuses the link", { timeout: 60_000 }, async () => {
  const link = (await eventually(async () => LINK.exec(server.output())?.[1], 10_000, "the install link")) as string;
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole("heading", { name: "Create the first superadmin" }).waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "install.png") });
  expect(await seriousA11yViolations(page)).toEqual([]);

  // A weak password: the server's words, next to the password input.
  await page.getByLabel("E-mail").fill("owner@example.com");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("short");
  await page.getByRole("button", { name: "Create superadmin and sign in" }).click();
  const passwordError = page.locator(".field-invalid").filter({ has: page.getByLabel("Password", { exact: true }) });
  await passwordError.locator(".field-error").waitFor();
  expect(await passwordError.locator(".field-error").textContent()).toMatch(/characters|password/i);

  await page.getByLabel("Password", { exact: true }).fill("First-admin-123");
  await page.getByLabel("Confirm password").fill("First-admin-123");
  await page.getByRole("button", { name: "Create superadmin and sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await page.getByText("Signed in as owner@example.com (superadmin)").waitFor();

  // Over the API: the superadmin exists and signs in.
  const login = await apiClient(server.url)("POST", "/api/v1/auth/login", { body: { email: "owner@example.com", password: "First-admin-123" } });
  expect(login.status).toBe(200);

  // The link again, in a fresh browser: refused, with the reason.
  const other = await (await browser.newContext()).newPage();
  await other.goto(link);
  await other.getByRole("heading", { name: "This link cannot be used" }).waitFor();
  expect(await other.getByRole("alert").textContent()).toContain("A superadmin already exists");
});
