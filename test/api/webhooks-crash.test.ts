/**
 * No webhook delivery lost to `kill -9`: a Cairn child process (`cairn serve`) is killed while its
 * attempts are in flight (the receiver holds every request unanswered) and more deliveries wait
 * in the queue; a new server on the same database sends every one of them once the dead server's
 * leases run out (time limit + 5 s), and the log ends with one delivered row per event. Runs on
 * SQLite and PostgreSQL.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase } from "../helpers/app.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";
import { childServerEnv, serveChild } from "../helpers/child-server.ts";

const serve = (env: Record<string, string>) => serveChild(env);

describe("kill -9 during webhook delivery", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string>;
  let receiver: Receiver;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    receiver = await startReceiver();
    env = {
      ...childServerEnv(db),
      CAIRN_WEBHOOK_ALLOW_PRIVATE: "true",
      CAIRN_WEBHOOK_TIMEOUT_MS: "2000",
      CAIRN_WEBHOOK_BACKOFF_MS: "200",
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await receiver?.stop();
    await db?.drop();
  });

  it("a new server sends every queued and interrupted delivery", async () => {
    const first = await serve(env);
    children.push(first.child);
    const api = apiClient(first.url);
    const admin = (await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token;
    expect((await api("POST", "/api/v1/collections", { token: admin, body: { name: "items", schema: [{ name: "n", type: "number" }] } })).status).toBe(201);
    const hook = await api("POST", "/api/v1/webhooks", { token: admin, body: { url: `${receiver.url}/in`, collection_name: "items", events: ["create"], retry_count: 10 } });
    expect(hook.status).toBe(201);

    receiver.hang = true;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await api("POST", "/api/v1/collections/items/records", { token: admin, body: { data: { n: i } } });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // attempts are in flight (held by the receiver) when the server dies
    await receiver.waitFor(8, 15_000);
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    const killedAt = Date.now();
    receiver.hang = false;

    const second = await serve(env);
    children.push(second.child);
    // every record's event reaches the receiver after the kill (at least once)
    await eventually(
      async () => {
        const after = new Set(receiver.received.filter((r) => r.at >= killedAt).map((r) => r.json?.record_id));
        return ids.every((id) => after.has(id));
      },
      40_000,
      "every event after the restart",
      100,
    );

    // the log: one row per event, all delivered
    const config = loadConfig({}, { databaseUrl: db.url, dataDir: db.dataDir });
    const sql = await openDatabase(config, console);
    try {
      const rows = await eventually(
        async () => {
          const r = await sql.query<{ record_id: string; status: string }>(sql.qb.selectFrom("_webhook_deliveries").select(["record_id", "status"]));
          return r.length === ids.length && r.every((x) => x.status === "delivered") && r;
        },
        10_000,
        "a delivered log",
      );
      expect(new Set(rows.map((r) => r.record_id))).toEqual(new Set(ids));
    } finally {
      await sql.close();
    }
    second.child.kill("SIGTERM");
    await once(second.child, "exit");
  }, 240_000);
});
