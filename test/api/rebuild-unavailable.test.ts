/**
 * While a schema change rebuilds a collection's table, requests touching that collection answer
 * 503 with `Retry-After: 5` on every dialect (FastCMS, Fullfinity, GraphQL); other collections
 * are served, and the collection is back once the change commits (issue 12 part 10). These
 * expected refusals are logged at debug level, not as warnings. Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BatchedStdout } from "../../src/lib/batched-stdout.ts";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
const admin = (method: string, path: string, body?: unknown) => t.api(method, path, { token: t.adminToken, body });
/** the server's log lines (JSON, debug level and up), kept here instead of written to stdout */
const logLines: { level: number; msg?: string }[] = [];

beforeAll(async () => {
  vi.spyOn(BatchedStdout.prototype, "write").mockImplementation((line: string) => {
    for (const l of line.split("\n")) if (l.trim()) logLines.push(JSON.parse(l));
    return true;
  });
  t = await startApp({}, { LOG_LEVEL: "debug" });
  for (const name of ["items", "others"]) {
    const res = await admin("POST", "/api/v1/collections", { name, schema: [{ name: "code", type: "text" }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});

afterAll(async () => {
  await t?.close();
  vi.restoreAllMocks();
});

describe("a collection being rebuilt", () => {
  it("answers 503 Retry-After 5 on every dialect while marked, and serves other collections", async () => {
    const release = t.app.services.collections.beginRebuild(["items"]);
    try {
      const fastcms = await admin("GET", "/api/v1/collections/items/records");
      expect(fastcms.status).toBe(503);
      expect(fastcms.headers.get("retry-after")).toBe("5");
      expect(fastcms.body).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      expect(fastcms.body.message).toMatch(/'items' is being rebuilt/);
      const ff = await admin("POST", "/api/query/items", {});
      expect(ff.status).toBe(503);
      expect(ff.headers.get("retry-after")).toBe("5");
      expect(ff.body).toEqual({ detail: expect.stringMatching(/being rebuilt/), error: "ServiceUnavailable" });
      const gql = await admin("POST", "/graphql", { query: "{ items { totalCount } }" });
      expect(gql.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
      const other = await admin("POST", "/api/query/others", {});
      expect(other.status).toBe(200);
    } finally {
      release();
    }
    expect((await admin("POST", "/api/query/items", {})).status).toBe(200);
    // each refusal was logged at debug (20), none as a warning (40)
    const refusals = logLines.filter((l) => /'items' is being rebuilt/.test(l.msg ?? ""));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals.every((l) => l.level === 20)).toBe(true);
  });

  it("never answers 500 while a real type change rebuilds the table, and serves the new type after", async () => {
    for (let batch = 0; batch < 10; batch++) {
      const records = Array.from({ length: 100 }, (_, i) => ({ code: String(batch * 100 + i) }));
      const res = await admin("POST", "/api/bulk-create/items", { records });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    let done = false;
    const change = admin("PATCH", "/api/v1/collections/items", { schema: [{ name: "code", type: "number" }] }).finally(() => (done = true));
    const statuses = new Set<number>();
    while (!done) {
      const res = await admin("POST", "/api/query/items", { limit: 1 });
      statuses.add(res.status);
      if (res.status === 503) expect(res.headers.get("retry-after")).toBe("5");
    }
    const changed = await change;
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect([...statuses].every((s) => s === 200 || s === 503)).toBe(true);
    const after = await admin("POST", "/api/query/items", { q_filter: "Q(code__gte=998)", fields: ["code"], order_by: ["code ASC"] });
    expect(after.status).toBe(200);
    expect(after.body.data.map((r: { code: number }) => r.code)).toEqual([998, 999]);
  });
});
