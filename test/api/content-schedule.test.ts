/**
 * Scheduled publishing and unpublishing (core/content/schedule.ts) over real HTTP: a document
 * scheduled through R3 is published at its time; with two instances on one database it is
 * published exactly once (one update, one version, one event); a schedule that falls due while
 * no instance runs is applied by the next start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { apiClient, eventually, startApp, TEST_DB, type ApiClient, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let key: string;
const extra: App[] = [];

const as = (body?: unknown) => ({ headers: { "x-api-key": key }, ...(body === undefined ? {} : { body }) });
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

async function draft(api: ApiClient, title: string): Promise<string> {
  const res = await api("POST", "/api/content", as({ type: "news", data: { title } }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const status = async (api: ApiClient, id: string) => (await api("GET", `/api/content/${id}?draft=true`, as())).body.status as string;

beforeAll(async () => {
  t = await startApp();
  const k = await t.api("POST", "/api/v1/api-keys", { token: t.adminToken, body: { name: "admin", scopes: ["admin"] } });
  key = k.body.key;
  const type = await t.api("POST", "/api/content-types", as({ name: "news", slugField: "title", fields: [{ name: "title", type: "text", required: true }] }));
  expect(type.status, JSON.stringify(type.body)).toBe(201);
});
afterAll(async () => {
  for (const app of extra) await app.close();
  await t?.close();
});

describe("scheduled publishing", () => {
  it("publishAt in the future publishes at that time; unpublishAt unpublishes", async () => {
    const id = await draft(t.api, "Later");
    const at = soon(1200);
    const scheduled = await t.api("POST", `/api/content/${id}/publish`, as({ publishAt: at }));
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    expect(scheduled.body.status).toBe("draft");
    const rec = await t.api("GET", `/api/v1/collections/news/records/${id}`, { token: t.adminToken });
    expect(rec.body.data).toMatchObject({ status: "draft", publish_at: at });
    await eventually(async () => (await status(t.api, id)) === "published", 8000, "the scheduled publication");
    const after = await t.api("GET", `/api/v1/collections/news/records/${id}`, { token: t.adminToken });
    expect(after.body.data.publish_at).toBeNull();
    expect(Date.parse(after.body.data.published_at)).toBeGreaterThanOrEqual(Date.parse(at));

    await t.api("POST", `/api/content/${id}/unpublish`, as({ unpublishAt: soon(800) }));
    expect(await status(t.api, id)).toBe("published");
    await eventually(async () => (await status(t.api, id)) === "draft", 8000, "the scheduled unpublication");
  });

  it("a past publishAt on create publishes at once", async () => {
    const res = await t.api("POST", "/api/content", as({ type: "news", data: { title: "Backdated" }, publishAt: "2020-01-01T00:00:00Z" }));
    expect(res.body.status).toBe("published");
  });

  // Two instances in one process share one event loop: on SQLite the second writer's busy wait
  // would stall the first; SQLite instances are processes (see events-crash.test.ts).
  it.skipIf(TEST_DB !== "postgres")("two instances on one database publish a due document exactly once", async () => {
    const second = await createApp(t.config);
    extra.push(second);
    const api2 = apiClient(await second.listen());
    const ids = [await draft(t.api, "Twice A"), await draft(api2, "Twice B"), await draft(t.api, "Twice C")];
    const at = soon(1500);
    for (const id of ids) expect((await t.api("POST", `/api/content/${id}/publish`, as({ publishAt: at }))).status).toBe(200);
    for (const id of ids) await eventually(async () => (await status(api2, id)) === "published", 8000, "publication");
    // let both instances tick again: nothing more may happen
    const settle = Date.now() + 2500;
    await eventually(async () => Date.now() > settle, 4000, "two more ticks");
    for (const id of ids) {
      const versions = await t.api("GET", `/api/content/${id}/versions`, as());
      // create, schedule, publish: one publication, not two
      expect(versions.body.docs.map((v: { status: string }) => v.status)).toEqual(["published", "draft", "draft"]);
    }
    const events = await t.api("GET", `/api/v1/collections/news/records/${ids[0]}`, { token: t.adminToken });
    expect(events.body.version).toBe(3);
  });

  it("a schedule that fell due while no instance ran is applied at the next start", async () => {
    for (const app of extra.splice(0)) await app.close();
    const id = await draft(t.api, "After restart");
    const at = soon(1500);
    expect((await t.api("POST", `/api/content/${id}/publish`, as({ publishAt: at }))).status).toBe(200);
    await t.app.close();
    await eventually(async () => Date.now() > Date.parse(at) + 200, 5000, "the publication time to pass");
    const restarted = await createApp(t.config);
    extra.push(restarted);
    const api = apiClient(await restarted.listen());
    await eventually(async () => (await status(api, id)) === "published", 8000, "the publication after the restart");
  });
});
