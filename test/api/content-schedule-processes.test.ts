/**
 * Scheduled publishing with two server processes (`cairn serve`) on one database — on SQLite two
 * processes on the same file: every due document is published exactly once (one update, one
 * version), whichever instance applies it.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, type ApiClient } from "../helpers/app.ts";
import { childServerEnv, serveChild } from "../helpers/child-server.ts";

const DOCS = 24;

describe("scheduled publishing on two server processes", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const children: ChildProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase();
    env = {
      ...childServerEnv(db),
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await db?.drop();
  });

  it("publishes every due document exactly once", async () => {
    const a = await serveChild(env);
    children.push(a.child);
    const onA = apiClient(a.url);
    const token = (await onA("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token as string;
    const key = (await onA("POST", "/api/v1/api-keys", { token, body: { name: "admin", scopes: ["admin"] } })).body.key as string;
    const as = (body?: unknown) => ({ headers: { "x-api-key": key }, ...(body === undefined ? {} : { body }) });
    const type = await onA("POST", "/api/content-types", as({ name: "bulletin", slugField: "title", fields: [{ name: "title", type: "text", required: true }] }));
    expect(type.status, JSON.stringify(type.body)).toBe(201);
    // the second process starts knowing the content type
    const b = await serveChild(env);
    children.push(b.child);
    const onB = apiClient(b.url);
    const apis: ApiClient[] = [onA, onB];

    const ids: string[] = [];
    for (let i = 0; i < DOCS; i++) {
      const res = await apis[i % 2]!("POST", "/api/content", as({ type: "bulletin", data: { title: `Bulletin ${i}` } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.id);
    }
    const at = new Date(Date.now() + 6000).toISOString();
    for (const [i, id] of ids.entries()) expect((await apis[i % 2]!("POST", `/api/content/${id}/publish`, as({ publishAt: at }))).status).toBe(200);
    // every publication was scheduled, none applied at once
    expect(Date.now()).toBeLessThan(Date.parse(at));

    const published = async (api: ApiClient, id: string) => (await api("GET", `/api/content/${id}`, as())).status === 200;
    for (const [i, id] of ids.entries()) await eventually(() => published(apis[(i + 1) % 2]!, id), 20_000, `bulletin ${i} published`);
    // let both instances tick a few more times: nothing more may happen
    const settle = Date.now() + 2500;
    await eventually(async () => Date.now() > settle, 5000, "more ticks");
    for (const id of ids) {
      const versions = await onA("GET", `/api/content/${id}/versions`, as());
      // create, schedule, publish: one publication, not two
      expect(versions.body.docs.map((v: { status: string }) => v.status)).toEqual(["published", "draft", "draft"]);
      const rec = await onB("GET", `/api/v1/collections/bulletin/records/${id}`, { token });
      expect(rec.body.version).toBe(3);
    }
  }, 180_000);
});
