/**
 * GraphiQL (/graphql) and Swagger UI (/docs) go out compressed: over raw HTTP (no client-side
 * decoding, so byte counts are what travels) the page and its hashed assets answer in brotli or
 * gzip as asked, with `Vary: Accept-Encoding`, an ETag that answers 304, a year's immutable cache
 * on hashed names and `no-cache` on the page; and in a real browser (Debian's Chromium through
 * playwright-core) each page boots — GraphiQL runs `{ __typename }`, Swagger UI shows the API —
 * with what it fetched under 1.5 MB (GraphiQL: before its editor workers, which come on top).
 * Runs on SQLite and PostgreSQL.
 */
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { launchBrowser } from "../helpers/browser.ts";

const LIMIT = 1.5 * 1024 * 1024;
const HTML = "text/html,application/xhtml+xml";

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** the bytes as sent */
  body: Buffer;
}

/** A GET (or a POST of `body`) whose answer is not decoded: its length is what went over the wire. */
function rawGet(path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}${path}`, { headers, method: body === undefined ? "GET" : "POST" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function decode(res: Raw): string {
  const enc = res.headers["content-encoding"];
  return (enc === "br" ? brotliDecompressSync(res.body) : enc === "gzip" ? gunzipSync(res.body) : res.body).toString("utf8");
}

/** Asset URLs a GraphiQL page references (scripts, stylesheet, icon, workers). */
function graphiqlAssetUrls(html: string): string[] {
  return [...new Set([...html.matchAll(/\/graphql\/assets\/[0-9a-f]{16}\.[a-z0-9]+/g)].map((m) => m[0]))];
}

describe("GraphiQL over HTTP", () => {
  it("sends the page and its assets compressed in either encoding; page, stylesheet and script under 1.5 MB", async () => {
    for (const encoding of ["br", "gzip"]) {
      const page = await rawGet("/graphql", { accept: HTML, "accept-encoding": encoding });
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.headers["content-encoding"]).toBe(encoding);
      expect(page.headers["cache-control"]).toBe("no-cache");
      expect(page.headers["vary"]).toMatch(/accept-encoding/i);
      expect(page.headers["etag"]).toMatch(/^W\/"[0-9a-f]{16}"$/);
      const html = decode(page);
      expect(html).toContain("renderYogaGraphiQL");
      const urls = graphiqlAssetUrls(html);
      // the app, its stylesheet, three editor workers and the icon
      expect(urls.length).toBeGreaterThanOrEqual(6);
      // What the page needs before the editor starts (the page, its stylesheet and script) is
      // under 1.5 MB; the editor's three workers come on top (reported, not held to it).
      let total = page.body.length;
      let beforeEditor = page.body.length;
      for (const url of urls) {
        const res = await rawGet(url, { "accept-encoding": `${encoding}, deflate` });
        expect(res.status, url).toBe(200);
        expect(res.headers["cache-control"], url).toBe("public, max-age=31536000, immutable");
        expect(res.headers["etag"], url).toMatch(/^W\/"[0-9a-f]{16}"$/);
        if (/\.(js|css)$/.test(url)) {
          expect(res.headers["content-encoding"], url).toBe(encoding);
          expect(res.headers["vary"], url).toMatch(/accept-encoding/i);
          expect(decode(res).length, url).toBeGreaterThan(res.body.length);
        }
        total += res.body.length;
        if (/\.(js|css)$/.test(url) && (html.includes(`src="${url}"`) || html.includes(`href="${url}"`))) beforeEditor += res.body.length;
      }
      console.log(`GraphiQL, ${encoding}: ${beforeEditor} bytes before the editor starts, ${total} with the workers and icon`);
      expect(beforeEditor, `${encoding}: ${beforeEditor} bytes`).toBeLessThan(LIMIT);
      expect(total, `${encoding}: ${total} bytes`).toBeLessThan(2.5 * 1024 * 1024);
      // The stylesheet's fonts are assets of their own, fetched only when used.
      const cssUrl = urls.find((u) => u.endsWith(".css"))!;
      const css = decode(await rawGet(cssUrl, { "accept-encoding": encoding }));
      const fonts = graphiqlAssetUrls(css);
      expect(fonts.length).toBeGreaterThan(5);
      const font = await rawGet(
        fonts.find((u) => u.endsWith(".woff2"))!,
        { "accept-encoding": encoding },
      );
      expect(font.headers["content-type"]).toBe("font/woff2");
      expect(font.headers["content-encoding"]).toBeUndefined();
    }
  }, 60_000);

  it("answers 304 when the client's copy is current, and sends the plain body to clients that do not compress", async () => {
    const page = await rawGet("/graphql", { accept: HTML, "accept-encoding": "br" });
    const again = await rawGet("/graphql", { accept: HTML, "accept-encoding": "br", "if-none-match": page.headers["etag"] as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const url = graphiqlAssetUrls(decode(page)).find((u) => u.endsWith(".js"))!;
    const asset = await rawGet(url, { "accept-encoding": "gzip" });
    // The ETag names the content: the same for every encoding.
    const cached = await rawGet(url, { "accept-encoding": "br", "if-none-match": asset.headers["etag"] as string });
    expect(cached.status).toBe(304);
    expect(cached.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const plain = await rawGet(url, { "accept-encoding": "identity, br;q=0" });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.equals(Buffer.from(decode(asset)))).toBe(true);
  }, 60_000);

  it("answers an unknown asset with a 404 naming it", async () => {
    const res = await app.api("GET", "/graphql/assets/0000000000000000.js");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("0000000000000000.js") });
  });

  it("leaves GraphQL answers uncompressed", async () => {
    const res = await rawGet("/graphql", { accept: "application/json", "content-type": "application/json", "accept-encoding": "br, gzip" }, JSON.stringify({ query: "{ __typename }" }));
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(res.body.toString())).toEqual({ data: { __typename: "Query" } });
  });
});

describe("Swagger UI over HTTP", () => {
  it("sends its page and files compressed, under 1.5 MB in all, with ETags that answer 304", async () => {
    const index = await rawGet("/docs/", { "accept-encoding": "br" });
    expect(index.status).toBe(200);
    const html = decode(index);
    const files = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => new URL(m[1]!, `${app.url}/docs/`).pathname);
    expect(files.some((f) => f.endsWith("swagger-ui-bundle.js"))).toBe(true);
    let total = index.body.length;
    for (const file of files) {
      const res = await rawGet(file, { "accept-encoding": "gzip, br" });
      expect(res.status, file).toBe(200);
      if (/\.(js|css)$/.test(file)) {
        expect(res.headers["content-encoding"], file).toMatch(/^(br|gzip)$/);
        expect(res.headers["vary"], file).toMatch(/accept-encoding/i);
      }
      total += res.body.length;
    }
    console.log(`Swagger UI, br/gzip: ${total} bytes`);
    expect(total, `${total} bytes`).toBeLessThan(LIMIT);
    const bundle = await rawGet("/docs/static/swagger-ui-bundle.js", { "accept-encoding": "br" });
    expect(bundle.headers["etag"]).toBeTruthy();
    const again = await rawGet("/docs/static/swagger-ui-bundle.js", { "accept-encoding": "br", "if-none-match": bundle.headers["etag"] as string });
    expect(again.status).toBe(304);
  }, 60_000);
});

/**
 * Loads `path` in a fresh page, adding up the bytes of every response of the page (as transferred,
 * headers included; the browser does not report its workers' fetches here) and checking that each
 * script and stylesheet came compressed. `transferred(n)` counts the first `n` responses only
 * (`finished()` tells how many there are so far): what a page needed up to a point, without the
 * assets it goes on loading lazily, whose timing varies with the machine's load.
 */
async function openCounting(path: string): Promise<{ page: Page; finished: () => number; transferred: (n?: number) => Promise<number> }> {
  const page = await browser.newPage();
  const requests: import("playwright-core").Request[] = [];
  page.on("requestfinished", (r) => void requests.push(r));
  await page.goto(`${app.url}${path}`);
  return {
    page,
    finished: () => requests.length,
    transferred: async (n = requests.length) => {
      let total = 0;
      for (const r of requests.slice(0, n)) {
        const sizes = await r.sizes();
        const response = await r.response();
        if (/\.(js|css)$/.test(new URL(r.url()).pathname) && sizes.responseBodySize > 1024) expect(response?.headers()["content-encoding"], r.url()).toMatch(/^(br|gzip)$/);
        total += sizes.responseBodySize + sizes.responseHeadersSize;
      }
      return total;
    },
  };
}

describe("in a browser", () => {
  it("GraphiQL boots, renders the editor and runs { __typename }, under 1.5 MB transferred", async () => {
    const { page, finished, transferred } = await openCounting("/graphql?query=%7B%20__typename%20%7D");
    try {
      await page.locator(".graphiql-query-editor .monaco-editor").first().waitFor({ timeout: 30_000 });
      // the first load: what the page fetched until its editor showed (the editor's workers and
      // the icon follow lazily, finished or not by the time of the answer below)
      const firstLoad = finished();
      await page.locator(".graphiql-execute-button").click();
      await page.locator(".graphiql-response").getByText("Query").first().waitFor({ timeout: 30_000 });
      expect(await page.locator(".graphiql-response").innerText()).toMatch(/"__typename":\s*"Query"/);
      expect(firstLoad).toBeGreaterThan(0);
      const bytes = await transferred(firstLoad);
      expect(bytes, `${bytes} bytes`).toBeLessThan(LIMIT);
    } finally {
      await page.close();
    }
  }, 90_000);

  it("Swagger UI boots and shows the API, under 1.5 MB transferred", async () => {
    const { page, transferred } = await openCounting("/docs");
    try {
      await page.locator(".swagger-ui .info .title").getByText("Cairn API").waitFor({ timeout: 30_000 });
      expect(await page.locator(".swagger-ui .opblock").count()).toBeGreaterThan(5);
      const bytes = await transferred();
      expect(bytes, `${bytes} bytes`).toBeLessThan(LIMIT);
    } finally {
      await page.close();
    }
  }, 90_000);
});
