/**
 * CORS on every REST route and on /graphql, checked from a page on another origin in a real
 * browser (Debian's Chromium through playwright-core): by default any origin may call with a
 * bearer token (the POST and the Authorization header make the browser send a preflight), without
 * credentials; CAIRN_CORS_ORIGINS restricts the origins and the browser then withholds answers
 * from the others. Runs on SQLite and PostgreSQL.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { startApp, type TestApp } from "../helpers/app.ts";
import { launchBrowser, pageServer } from "../helpers/browser.ts";

const SIGNED_IN = '@request.auth.id != ""';
const RULES = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };
const R = "/api/v1/collections/notes/records";

let open: TestApp;
let restricted: TestApp;
let browser: Browser;
let allowedPage: Awaited<ReturnType<typeof pageServer>>;
let otherPage: Awaited<ReturnType<typeof pageServer>>;

async function withNotes(t: TestApp): Promise<TestApp> {
  const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...RULES, name: "notes", schema: [{ name: "text", type: "text" }] } });
  expect(res.status).toBe(201);
  return t;
}

beforeAll(async () => {
  allowedPage = await pageServer();
  otherPage = await pageServer();
  open = await withNotes(await startApp());
  restricted = await withNotes(await startApp({}, { CAIRN_CORS_ORIGINS: `http://127.0.0.1:${allowedPage.port}` }));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await open?.close();
  await restricted?.close();
  await allowedPage?.close();
  await otherPage?.close();
});

type Outcome = { status: number; body: any } | { error: string };

/** Opens the blank page at `port` (its own origin) and runs the standard calls against `api` from it. */
async function callsFrom(port: number, api: string, token: string): Promise<Record<string, Outcome>> {
  const page: Page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    return await page.evaluate(
      async ({ api, token, R }) => {
        const call = async (path: string, init: RequestInit = {}) => {
          try {
            const res = await fetch(api + path, init);
            const text = await res.text();
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            return { status: res.status, body };
          } catch (e) {
            return { error: String(e) };
          }
        };
        const auth = { authorization: `Bearer ${token}` };
        const json = { ...auth, "content-type": "application/json" };
        return {
          health: await call("/health"),
          create: await call(R, { method: "POST", headers: json, body: JSON.stringify({ data: { text: "from the browser" } }) }),
          list: await call(R, { headers: auth }),
          missing: await call(`${R}/nope`, { headers: auth }),
          anonymous: await call(R),
          graphql: await call("/graphql", { method: "POST", headers: json, body: JSON.stringify({ query: "{ notes { totalCount } }" }) }),
          tooLarge: await call(R, { method: "POST", headers: json, body: JSON.stringify({ data: { text: "x".repeat(2 * 1024 * 1024) } }) }),
          withCookies: await call(R, { headers: auth, credentials: "include" }),
        };
      },
      { api, token, R },
    );
  } finally {
    await page.close();
  }
}

describe("any origin by default", () => {
  it("a page on another origin lists, creates, reads errors and uses GraphQL with a bearer token", async () => {
    // A body the page can read is the browser's verdict that CORS allowed it.
    const r = await callsFrom(otherPage.port, open.url, open.adminToken);
    expect(r.health).toMatchObject({ status: 200, body: { status: "healthy" } });
    expect(r.create).toMatchObject({ status: 201, body: { data: { text: "from the browser" } } });
    expect(r.list).toMatchObject({ status: 200, body: { items: [{ data: { text: "from the browser" } }] } });
    expect(r.missing).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    expect(r.anonymous).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
    expect(r.graphql).toMatchObject({ status: 200, body: { data: { notes: { totalCount: 1 } } } });
    expect(r.tooLarge).toMatchObject({ status: 413, body: { code: "PAYLOAD_TOO_LARGE" } });
    // Credentials are never allowed cross-origin: a credentialed request is refused by the browser.
    expect(r.withCookies).toEqual({ error: expect.stringMatching(/TypeError/) });
  });

  it("answers preflights on REST routes the way /graphql does", async () => {
    const origin = "https://app.example.com";
    for (const path of [R, `${R}/x`, "/api/v1/auth/login", "/api/v1/settings", "/graphql"]) {
      const res = await fetch(`${open.url}${path}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), path).toBe(origin);
      expect(res.headers.get("access-control-allow-methods"), path).toContain("POST");
      expect(res.headers.get("access-control-allow-headers"), path).toBe("authorization,content-type");
      expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
      expect(res.headers.get("vary"), path).toContain("Origin");
    }
  });

  it("allows every method the REST routes use in a preflight", async () => {
    const origin = "https://app.example.com";
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const res = await fetch(`${open.url}${R}/x`, { method: "OPTIONS", headers: { origin, "access-control-request-method": method } });
      expect(res.status, method).toBe(204);
      expect(res.headers.get("access-control-allow-methods")?.split(/,\s*/), method).toContain(method);
    }
  });
});

describe("CAIRN_CORS_ORIGINS", () => {
  it("lets the listed origin in", async () => {
    const r = await callsFrom(allowedPage.port, restricted.url, restricted.adminToken);
    expect(r.create).toMatchObject({ status: 201, body: { data: { text: "from the browser" } } });
    expect(r.list).toMatchObject({ status: 200, body: { items: [{ data: { text: "from the browser" } }] } });
    expect(r.graphql).toMatchObject({ status: 200, body: { data: { notes: { totalCount: 1 } } } });
  });

  it("keeps every other origin's page from reading answers, REST and GraphQL alike", async () => {
    const r = await callsFrom(otherPage.port, restricted.url, restricted.adminToken);
    for (const [name, outcome] of Object.entries(r)) expect(outcome, name).toEqual({ error: expect.stringMatching(/TypeError/) });
    const count = await restricted.api("GET", R, { token: restricted.adminToken });
    // The refused preflight kept the browser from sending the POST at all.
    expect(count.body.items).toHaveLength(1);
  });

  it("is parsed strictly", () => {
    expect(loadConfig({ CAIRN_CORS_ORIGINS: " https://a.example , http://b.example:8080 " }).corsOrigins).toEqual(["https://a.example", "http://b.example:8080"]);
    expect(loadConfig({}).corsOrigins).toEqual(["*"]);
    expect(loadConfig({ CAIRN_CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
    for (const bad of ["a.example", "ftp://a.example", "https://a.example/path", "https://a.example,nope"]) {
      expect(() => loadConfig({ CAIRN_CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ CAIRN_CORS_ORIGINS: bad }), bad).toThrow(/CAIRN_CORS_ORIGINS/);
    }
  });
});
