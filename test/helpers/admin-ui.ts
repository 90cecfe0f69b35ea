/**
 * The admin UI in a real browser: a Cairn server (test/helpers/app.ts) and Debian's Chromium
 * driven by playwright-core. `signIn()` goes through the real sign-in form. `checkA11y()` runs
 * axe-core in the page and fails on serious or critical violations. `shot(name)` writes a
 * screenshot to test/.screenshots/<database>/ (ignored by git) for people to look at.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startApp, TEST_DB, type TestApp } from "./app.ts";
import { launchBrowser } from "./browser.ts";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
export const SCREENSHOTS = join(import.meta.dirname, "..", ".screenshots", TEST_DB);

export interface AdminUi {
  server: TestApp;
  browser: Browser;
  /** CSP is bypassed only so checkA11y can inject axe-core; the header itself is tested. */
  context: BrowserContext;
  page: Page;
  /** the admin's address, e.g. http://127.0.0.1:41234/_/ */
  adminUrl: string;
  /** Opens the admin and signs in with the form (the superadmin unless told otherwise). */
  signIn(email?: string, password?: string, account?: string): Promise<void>;
  /** Opens a view (`/collections/posts`) and waits for its heading. */
  open(path: string): Promise<void>;
  /** axe-core's serious and critical violations on the page as it is now (empty = none). */
  checkA11y(): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]>;
  /** Writes test/.screenshots/<db>/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** axe-core's serious and critical violations on a page (its context must bypass CSP to inject axe). */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n: any) => n.target.join(" ")) }));
  });
  return result.filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical");
}

export async function openAdminUi(opts: { startApp?: Parameters<typeof startApp> } = {}): Promise<AdminUi> {
  const server = await startApp(...(opts.startApp ?? []));
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: "light", bypassCSP: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const adminUrl = `${server.url}/_/`;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const ui: AdminUi = {
    server,
    browser,
    context,
    page,
    adminUrl,
    async signIn(email = ADMIN_EMAIL, password = ADMIN_PASSWORD, account?: string) {
      await page.goto(adminUrl);
      await page.evaluate(() => localStorage.removeItem("cairn.admin.session"));
      await page.reload();
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill(password);
      if (account) await page.getByLabel("Account (optional)").fill(account);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("navigation", { name: "Main" }).waitFor();
    },
    async open(path) {
      // From another admin view, a goto that changes only the hash resolves before the app has
      // reacted to it (its hashchange comes later and may reset what the test types next): load
      // the page afresh instead.
      if (page.url().startsWith(adminUrl)) await page.goto("about:blank");
      await page.goto(`${adminUrl}#${path}`);
      await page.locator("main h1").first().waitFor();
    },
    checkA11y: () => seriousA11yViolations(page),
    async shot(name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      if (errors.length) throw new Error(`errors in the page: ${errors.join("; ")}`);
    },
  };
  return ui;
}
