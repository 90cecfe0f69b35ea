/**
 * A table rebuild seen by every instance (issue 12 part 10): two Cairn instances on one
 * PostgreSQL database and the local Redis (unique channel prefix per run). While instance A
 * rebuilds a collection's table, instance B answers requests for it with 503 and `Retry-After: 5`
 * on every dialect, serves other collections, and after the change serves the new definition;
 * a mark left by an instance that died lapses by itself. PostgreSQL only (SQLite is one instance
 * by design).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { announceRebuild } from "../../src/core/collections/rebuild-notice.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, TEST_DB, type ApiClient } from "../helpers/app.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe.skipIf(TEST_DB !== "postgres")("a rebuild on one instance, seen by the other", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const apps: App[] = [];
  let onA: ApiClient;
  let onB: ApiClient;
  let token: string;
  const asAdmin = (api: ApiClient, method: string, path: string, body?: unknown) => api(method, path, { token, body });

  beforeAll(async () => {
    db = await freshDatabase();
    const env = {
      CAIRN_ADMIN_EMAIL: ADMIN_EMAIL,
      CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CAIRN_SECRET: randomBytes(32).toString("hex"),
      LOG_LEVEL: "warn",
      REDIS_URL,
      CAIRN_REDIS_PREFIX: `cairn-test-${randomBytes(6).toString("hex")}`,
    };
    const urls: string[] = [];
    // one after the other: the second start finds the migrations applied and the admin created
    for (const name of ["a", "b"]) {
      const app = await createApp(loadConfig(env, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: `${db.dataDir}/${name}` }));
      apps.push(app);
      urls.push(await app.listen());
    }
    expect(apps.map((a) => a.services.pubsub.kind)).toEqual(["redis", "redis"]);
    onA = apiClient(urls[0]!);
    onB = apiClient(urls[1]!);
    token = (await onA("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token;
    for (const name of ["items", "others"]) {
      const res = await asAdmin(onA, "POST", "/api/v1/collections", { name, schema: [{ name: "code", type: "text" }] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await eventually(async () => (await asAdmin(onB, "POST", "/api/query/others", {})).status === 200, 10_000, "B to know the collections");
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it("answers 503 Retry-After 5 on B while A holds a rebuild, on every dialect, and 200 once it ends", async () => {
    const release = await announceRebuild(apps[0]!.services, ["items"]);
    try {
      const refused = await eventually(
        async () => {
          const r = await asAdmin(onB, "POST", "/api/query/items", {});
          return r.status === 503 ? r : undefined;
        },
        5_000,
        "B to refuse the collection A rebuilds",
      );
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(refused.body).toEqual({ detail: expect.stringMatching(/'items' is being rebuilt/), error: "ServiceUnavailable" });
      const fastcms = await asAdmin(onB, "GET", "/api/v1/collections/items/records");
      expect(fastcms.status).toBe(503);
      expect(fastcms.headers.get("retry-after")).toBe("5");
      const gql = await asAdmin(onB, "POST", "/graphql", { query: "{ items { totalCount } }" });
      expect(gql.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
      expect((await asAdmin(onB, "POST", "/api/query/others", {})).status).toBe(200);
    } finally {
      release();
    }
    await eventually(async () => (await asAdmin(onB, "POST", "/api/query/items", {})).status === 200, 5_000, "B to serve the collection again");
  });

  it("a real type change on A: B is told, never answers 500, and serves the new type after", async () => {
    for (let batch = 0; batch < 5; batch++) {
      const records = Array.from({ length: 100 }, (_, i) => ({ code: String(batch * 100 + i) }));
      expect((await asAdmin(onA, "POST", "/api/bulk-create/items", { records })).status).toBe(200);
    }
    const heard: unknown[] = [];
    const off = apps[1]!.services.pubsub.subscribe("rebuild", (m, d) => void (d.local ? undefined : heard.push(m)));
    let done = false;
    const change = asAdmin(onA, "PATCH", "/api/v1/collections/items", { schema: [{ name: "code", type: "number" }] }).finally(() => (done = true));
    const statuses = new Set<number>();
    while (!done) statuses.add((await asAdmin(onB, "POST", "/api/query/items", { limit: 1 })).status);
    const changed = await change;
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(
      [...statuses].every((s) => s === 200 || s === 503),
      [...statuses].join(","),
    ).toBe(true);
    await eventually(async () => heard.some((m) => (m as { state: string }).state === "end"), 5_000, "B to hear the end of the rebuild");
    off();
    expect(heard[0]).toEqual({ state: "begin", names: ["items", "items"] });
    const after = await eventually(
      async () => {
        const r = await asAdmin(onB, "POST", "/api/query/items", { q_filter: "Q(code__gte=498)", fields: ["code"], order_by: ["code ASC"] });
        return r.status === 200 ? r : undefined;
      },
      5_000,
      "B to serve the changed collection",
    );
    expect(after.body.data.map((r: { code: number }) => r.code)).toEqual([498, 499]);
  });

  it("lets a mark lapse when the instance that set it stops renewing it", async () => {
    apps[1]!.services.collections.markRemoteRebuild("an-instance-that-died", ["others"], 300);
    expect((await asAdmin(onB, "POST", "/api/query/others", {})).status).toBe(503);
    await eventually(async () => (await asAdmin(onB, "POST", "/api/query/others", {})).status === 200, 5_000, "the mark to lapse");
  });
});
