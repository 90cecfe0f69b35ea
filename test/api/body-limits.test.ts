/**
 * Bodies the API does not take get an answer the client can read: JSON sent as `text/plain`
 * (or any type other than JSON) is a 415, and a body over CAIRN_BODY_LIMIT is a 413 with the
 * error body — received by an ordinary client (Node's fetch, in its own process so it is still
 * sending while the server answers) instead of EPIPE or a reset connection.
 * Runs on SQLite and PostgreSQL.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";

const run = promisify(execFile);
let t: TestApp;
const R = "/api/v1/collections/things/records";

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "things", schema: [{ name: "name", type: "text" }] } });
  expect(res.status).toBe(201);
});
afterAll(async () => t?.close());

/**
 * Sends `count` POSTs of `mb` megabytes from a separate Node process (its own event loop, as a
 * real client has) and returns what its fetch saw for each: the status and body, or the error.
 */
async function postFromAnotherProcess(url: string, mb: number, count: number, opts: { token?: string; chunked?: boolean } = {}): Promise<({ status: number; body: any } | { error: string })[]> {
  const script = `
    const out = [];
    const headers = { "content-type": "application/json", ${opts.token ? `authorization: "Bearer ${opts.token}"` : ""} };
    for (let i = 0; i < ${count}; i++) {
      const text = JSON.stringify({ data: { name: "x".repeat(${mb} * 1024 * 1024) } });
      const body = ${opts.chunked ? "new Blob([text]).stream()" : "text"};
      try {
        const res = await fetch(${JSON.stringify(url)}, { method: "POST", headers, body, duplex: "half" });
        const raw = await res.text();
        let parsed = raw;
        try { parsed = JSON.parse(raw); } catch {}
        out.push({ status: res.status, body: parsed });
      } catch (e) {
        out.push({ error: String(e.cause?.code ?? e.message) });
      }
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("415 for bodies that are not JSON", () => {
  it.each([
    ["text/plain", '{"data":{"name":"a"}}'],
    ["text/plain;charset=UTF-8", '{"data":{"name":"a"}}'],
    ["application/x-www-form-urlencoded", "data=1"],
    ["application/xml", "<data/>"],
  ])("%s", async (type, raw) => {
    for (const path of [R, "/api/v1/auth/login", "/api/v1/settings"]) {
      const res = await t.api("POST", path, { token: t.adminToken, raw, headers: { "content-type": type } });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(415);
      expect(res.body).toEqual({
        error: "Unsupported media type",
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: `Unsupported content type '${type.split(";")[0]}': send JSON with content-type: application/json`,
        detail: expect.any(String),
        details: null,
      });
    }
  });

  it("the same body as application/json is taken", async () => {
    const res = await t.api("POST", R, { token: t.adminToken, raw: '{"data":{"name":"a"}}' });
    expect(res.status).toBe(201);
  });
});

describe("413 that a client can read", () => {
  const expected = {
    status: 413,
    body: { error: "Payload too large", code: "PAYLOAD_TOO_LARGE", message: "Request body is larger than the limit of 1024 KiB (CAIRN_BODY_LIMIT)", detail: expect.any(String), details: null },
  };

  it.each([2, 4, 16])("a %i MB body with a content-length, from another process", async (mb) => {
    const results = await postFromAnotherProcess(`${t.url}${R}`, mb, 5, { token: t.adminToken });
    expect(results).toEqual(Array(5).fill(expected));
  });

  it("a 4 MB streamed body (no content-length)", async () => {
    const results = await postFromAnotherProcess(`${t.url}${R}`, 4, 3, { token: t.adminToken, chunked: true });
    expect(results).toEqual(Array(3).fill(expected));
  });

  it("on /graphql and anonymous routes too", async () => {
    for (const path of ["/graphql", "/api/v1/auth/login"]) {
      const results = await postFromAnotherProcess(`${t.url}${path}`, 4, 2);
      expect(results, path).toEqual(Array(2).fill(expected));
    }
  });

  it("leaves the server serving", async () => {
    const res = await t.api("GET", R, { token: t.adminToken });
    expect(res.status).toBe(200);
  });
});
