// The admin UI's shell: how it is served (redirect from /, compressed hashed assets, cache
// headers, the first load's size), signing in and out, the theme switch, and accessibility.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdminUi, type AdminUi } from "../helpers/admin-ui.ts";

let ui: AdminUi;
beforeAll(async () => {
  ui = await openAdminUi();
});
afterAll(async () => {
  await ui?.close();
});

describe("serving", () => {
  it("sends browsers from / to /_/ and API clients a JSON 404", async () => {
    const html = await fetch(`${ui.server.url}/`, { headers: { accept: "text/html,*/*" }, redirect: "manual" });
    expect(html.status).toBe(302);
    expect(html.headers.get("location")).toBe("/_/");
    const json = await fetch(`${ui.server.url}/`, { headers: { accept: "application/json" } });
    expect(json.status).toBe(404);
    expect((await json.json()).message).toContain("/_/");
    const bare = await fetch(`${ui.server.url}/_`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/_/");
  });

  it("serves the page revalidated and the hashed assets compressed and cached for a year", async () => {
    const page = await fetch(ui.adminUrl, { headers: { "accept-encoding": "br" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    const script = html.match(/src="(assets\/main-[A-Z0-9]+\.js)"/)?.[1];
    expect(script).toBeTruthy();
    for (const encoding of ["br", "gzip"]) {
      const asset = await fetch(`${ui.adminUrl}${script}`, { headers: { "accept-encoding": encoding } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-encoding")).toBe(encoding);
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(asset.headers.get("content-type")).toContain("javascript");
      expect((await asset.text()).length).toBeGreaterThan(1000);
    }
    expect((await fetch(`${ui.adminUrl}assets/missing-ABCDEFGH.js`)).status).toBe(404);
    expect((await fetch(`${ui.adminUrl}assets/..%2fmanifest.json`)).status).toBeGreaterThanOrEqual(400);
  });

  it("keeps the first load under 300 KB of compressed JavaScript", () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../dist/admin/manifest.json"), "utf8"));
    expect(manifest.initial.length).toBeGreaterThan(0);
    expect(manifest.initialJsBrotli).toBeGreaterThan(1000);
    expect(manifest.initialJsBrotli).toBeLessThan(300 * 1024);
  });
});

describe("in a browser", () => {
  it("says why a sign-in failed, next to the form", async () => {
    await ui.page.goto(ui.adminUrl);
    await ui.page.getByLabel("E-mail").fill("admin@example.com");
    await ui.page.getByLabel("Password").fill("wrong-password-1");
    await ui.page.getByRole("button", { name: "Sign in" }).click();
    await expectText(ui, "[role=alert]", /invalid|incorrect|credentials/i);
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("sign-in");
  });

  it("signs in, shows the overview, switches theme and signs out", async () => {
    await ui.signIn();
    await ui.page.getByRole("heading", { name: "Overview" }).waitFor();
    await ui.page.getByText("No collections yet").waitFor();
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("overview");
    const before = await ui.page.evaluate(() => document.documentElement.dataset.theme);
    await ui.page.getByRole("button", { name: /Switch to (dark|light) theme/ }).click();
    const after = await ui.page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).not.toBe(before);
    expect(await ui.checkA11y()).toEqual([]);
    await ui.shot("overview-dark");
    await ui.page.reload();
    expect(await ui.page.evaluate(() => document.documentElement.dataset.theme)).toBe(after);
    await ui.page.getByRole("button", { name: "Sign out" }).click();
    await ui.page.getByRole("button", { name: "Sign in" }).waitFor();
  });

  it("reaches every main link by keyboard, with a visible focus", async () => {
    await ui.signIn();
    await ui.page.keyboard.press("Tab");
    const first = await ui.page.evaluate(() => document.activeElement?.textContent);
    expect(first).toBe("Skip to content");
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await ui.page.keyboard.press("Tab");
      const focus = await ui.page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return { text: el.textContent ?? "", outline: getComputedStyle(el).outlineStyle };
      });
      seen.add(focus.text);
      expect(focus.outline).not.toBe("none");
    }
    expect(seen).toContain("Collections");
  });
});

async function expectText(ui: AdminUi, selector: string, pattern: RegExp): Promise<void> {
  const el = ui.page.locator(selector).filter({ hasText: pattern }).first();
  await el.waitFor();
  expect(await el.textContent()).toMatch(pattern);
}
