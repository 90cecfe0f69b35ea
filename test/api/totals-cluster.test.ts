/**
 * Cached list totals and pages across two Cairn instances on one PostgreSQL database and the
 * local Redis (unique channel prefix per run): a total cached on A is counted again after a write
 * on B, and one cached on B after a write on A; a page cached on A shows an update made on B.
 * PostgreSQL only (SQLite is a single-process database).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, registerUser, TEST_DB, type ApiClient } from "../helpers/app.ts";
import { countStatements, SIGNED_IN_RULES } from "./graphql-helpers.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const base = "/api/v1/collections/notes/records";

describe.skipIf(TEST_DB !== "postgres")("cached totals on two instances", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const apps: App[] = [];
  const apis: ApiClient[] = [];
  let token: string;

  beforeAll(async () => {
    db = await freshDatabase();
    const prefix = `cairn-test-${randomBytes(6).toString("hex")}`;
    const env = { CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, CAIRN_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "warn", REDIS_URL, CAIRN_REDIS_PREFIX: prefix };
    for (const name of ["a", "b"]) {
      const app = await createApp(loadConfig(env, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: `${db.dataDir}/${name}` }));
      apps.push(app);
      apis.push(apiClient(await app.listen()));
    }
    const admin = (await apis[1]!("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token;
    token = (await registerUser(apis[1]!)).token;
    const created = await apis[1]!("POST", "/api/v1/collections", { token: admin, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "text", type: "text" }] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await eventually(async () => (await apis[0]!("GET", base, { token })).status === 200, 10_000, "the collection on A");
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  /** The total instance `i` reports, and how many COUNT statements it ran for it. */
  async function total(i: number): Promise<{ total: number; counted: number }> {
    const counter = countStatements(apps[i]!.services.db);
    try {
      const res = await apis[i]!("GET", base, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { total: res.body.total, counted: counter.statements.filter((s) => /count\(\*\)/i.test(s)).length };
    } finally {
      counter.restore();
    }
  }

  it("a write on one instance makes the other count again", async () => {
    for (const [reader, writer] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const start = (await total(reader)).total;
      expect(await total(reader)).toEqual({ total: start, counted: 0 });
      const res = await apis[writer]!("POST", base, { token, body: { data: { text: `from ${writer}` } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const after = await eventually(
        async () => {
          const r = await total(reader);
          return r.total === start + 1 && r;
        },
        5000,
        "the new total on the other instance",
      );
      expect(after.counted).toBe(1);
      expect(await total(reader)).toEqual({ total: start + 1, counted: 0 });
    }
  });

  it("an update on one instance shows in the other's cached page", async () => {
    const made = await apis[1]!("POST", base, { token, body: { data: { text: "before" } } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const texts = async () => {
      const res = await apis[0]!("GET", `${base}?sort=created&per_page=100`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.items as { id: string; data: { text: string } }[]).find((i) => i.id === made.body.id)?.data.text;
    };
    await eventually(async () => (await texts()) === "before", 5000, "the new record on A");
    // cached on A now: asked again, A reads nothing
    const counter = countStatements(apps[0]!.services.db);
    try {
      expect(await texts()).toBe("before");
      expect(counter.statements.filter((s) => /from "notes"/i.test(s))).toEqual([]);
    } finally {
      counter.restore();
    }
    const patched = await apis[1]!("PATCH", `${base}/${made.body.id}`, { token, body: { data: { text: "after" } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await eventually(async () => (await texts()) === "after", 5000, "the update on A");
  });
});
