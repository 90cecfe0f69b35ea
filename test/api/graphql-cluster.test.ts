/**
 * Two Cairn instances on one PostgreSQL database and the local Redis (unique channel prefix per
 * run): a subscriber on instance A sees mutations made on B, a collection created on B appears
 * in A's GraphQL schema, and deleting it on B ends A's subscriptions with an error. Only one
 * instance dispatches the outbox (it holds the lease); the other's commits still reach it, and
 * the other takes over when the holder stops.
 *
 * Only meaningful on PostgreSQL (instances share a database server), so the file runs in the
 * `postgres` project and is skipped in the `sqlite` one — SQLite is a single-process database.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client as WsClient } from "graphql-ws";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, registerUser, TEST_DB, type ApiClient } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES, subscribe, waitFor, wsClient, type Collector } from "./graphql-helpers.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe.skipIf(TEST_DB !== "postgres")("two instances, one PostgreSQL database, Redis", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const apps: App[] = [];
  const urls: string[] = [];
  let apiB: ApiClient;
  let admin: string;
  let token: string;
  let ws: WsClient;
  const subs: Collector[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    const prefix = `cairn-test-${randomBytes(6).toString("hex")}`;
    const env = { CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, CAIRN_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "warn", REDIS_URL, CAIRN_REDIS_PREFIX: prefix };
    // One after the other: the second start finds the migrations applied and the admin created.
    for (const name of ["a", "b"]) {
      const app = await createApp(loadConfig(env, { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: `${db.dataDir}/${name}` }));
      apps.push(app);
      urls.push(await app.listen());
    }
    expect(apps.map((a) => [a.services.pubsub.kind, a.services.pubsub.prefix])).toEqual([
      ["redis", prefix],
      ["redis", prefix],
    ]);
    apiB = apiClient(urls[1]!);
    const login = await apiB("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    admin = login.body.access_token;
    token = (await registerUser(apiB)).token;
    ws = wsClient(urls[0]!, token);
  });

  afterAll(async () => {
    for (const s of subs) s.dispose();
    await ws?.dispose();
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it("a collection created on B appears in A's schema; a subscriber on A sees B's mutations", async () => {
    const created = await apiB("POST", "/api/v1/collections", {
      token: admin,
      body: {
        ...SIGNED_IN_RULES,
        name: "messages",
        schema: [
          { name: "text", type: "text" },
          { name: "room", type: "text" },
        ],
      },
    });
    expect(created.status).toBe(201);
    await waitFor(async () => (await gql(urls[0]!, `{ messages { totalCount } }`, undefined, token)).status === 200, 10_000, "the collection in A's schema");
    expect(apps[0]!.graphql.manager.schema.getType("Message")).toBeDefined();

    const hubA = apps[0]!.graphql.hub;
    const before = hubA.size;
    const changed = subscribe(ws, `subscription { messageChanged(where: { room: { eq: "lobby" } }) { action id record { text room } } }`);
    subs.push(changed);
    await waitFor(() => hubA.size > before, 5000, "the subscription on A");

    const mk = await gql(urls[1]!, `mutation { createMessage(data: { text: "hi from B", room: "lobby" }) { id } }`, undefined, token);
    const id = mk.body.data.createMessage.id;
    expect((await changed.next(10_000)).data.messageChanged).toEqual({ action: "CREATE", id, record: { text: "hi from B", room: "lobby" } });

    await gql(urls[1]!, `mutation($id: ID!) { updateMessage(id: $id, data: { room: "private", text: "moved" }) { id } }`, { id }, token);
    // The state the subscriber last saw on A (the previous record, relayed through Redis), never the new one.
    expect((await changed.next(10_000)).data.messageChanged).toEqual({ action: "DELETE", id, record: { text: "hi from B", room: "lobby" } });

    // Mutations on A reach A's subscribers once, not again through Redis.
    const local = await gql(urls[0]!, `mutation { createMessage(data: { text: "local", room: "lobby" }) { id } }`, undefined, token);
    expect((await changed.next(10_000)).data.messageChanged.id).toBe(local.body.data.createMessage.id);
    const remote = await gql(urls[1]!, `mutation { createMessage(data: { text: "remote", room: "lobby" }) { id } }`, undefined, token);
    expect((await changed.next(10_000)).data.messageChanged.id).toBe(remote.body.data.createMessage.id);
  });

  it("only one instance dispatches; both see events committed on either; the other takes over", async () => {
    await Promise.all(apps.map((a) => a.dispatcher.idle()));
    const handled = () => apps.map((a) => a.dispatcher.stats().get("live")!.handled);
    const live = apps.map((a) => a.dispatcher.stats().get("live")!);
    expect(live.filter((s) => s.leased)).toHaveLength(1);
    const leader = live.findIndex((s) => s.leased);
    const other = 1 - leader;
    const { db } = apps[0]!.services;
    const [row] = await db.query<{ lease_owner: string }>(db.qb.selectFrom("_event_cursors").select("lease_owner").where("consumer", "=", "live"));
    expect(row!.lease_owner).toBe(apps[leader]!.services.pubsub.instanceId);

    // Mutations on both instances: only the lease holder dispatches them.
    const before = handled();
    for (const url of [urls[0]!, urls[1]!, urls[0]!, urls[1]!]) await gql(url, `mutation { createMessage(data: { text: "count me", room: "x" }) { id } }`, undefined, token);
    await waitFor(() => handled()[leader]! >= before[leader]! + 4, 10_000, "the holder to dispatch them");
    expect(handled()[other]).toBe(before[other]);

    // A commit on the instance without the lease reaches a subscriber on that same instance.
    const wsOther = wsClient(urls[other]!, token);
    try {
      const hub = apps[other]!.graphql.hub;
      const open = hub.size;
      const created = subscribe(wsOther, `subscription { messageCreated { text } }`);
      subs.push(created);
      await waitFor(() => hub.size > open, 5000, "the subscription");
      await gql(urls[other]!, `mutation { createMessage(data: { text: "from the follower", room: "x" }) { id } }`, undefined, token);
      expect((await created.next(10_000)).data.messageCreated).toEqual({ text: "from the follower" });
      expect(handled()[other]).toBe(before[other]);

      // The lease holder stops dispatching (as on shutdown, releasing the lease): the other takes over.
      await apps[leader]!.dispatcher.stop();
      await gql(urls[other]!, `mutation { createMessage(data: { text: "after the handover", room: "x" }) { id } }`, undefined, token);
      expect((await created.next(10_000)).data.messageCreated).toEqual({ text: "after the handover" });
      // (the count moves once Redis confirmed the publish, just after local delivery)
      await waitFor(() => handled()[other]! > before[other]!, 5000, "the new holder's count");
      expect(apps[other]!.dispatcher.stats().get("live")!.leased).toBe(true);
    } finally {
      await wsOther.dispose();
    }
  });

  it("a permission change on B reaches the role's schema on A at once (the roles channel, not the 10 s refresh)", async () => {
    const made = await apiB("POST", "/api/v1/collections", {
      token: admin,
      body: {
        name: "depots",
        schema: [
          { name: "label", type: "text" },
          { name: "code", type: "text" },
        ],
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const role = await apiB("POST", "/api/v1/roles", { token: admin, body: { name: "depot_viewer" } });
    const grant = (fields: string[]) =>
      apiB("PUT", `/api/v1/roles/${role.body.id}/permissions/bulk`, { token: admin, body: { updates: [{ collection: "depots", operation: "read", rule: "true", fields }] } });
    expect((await grant(["label"])).body).toMatchObject({ failure_count: 0 });
    const user = await apiB("POST", "/api/v1/users", { token: admin, body: { email: `depot-${randomBytes(3).toString("hex")}@example.com`, password: "Secure-Pass-123!", role_id: "depot_viewer" } });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const login = await apiClient(urls[0]!)("POST", "/api/v1/auth/login", { body: { email: user.body.email, password: "Secure-Pass-123!" } });
    const viewer = login.body.access_token as string;
    const fieldsOnA = async () => {
      const res = await gql(urls[0]!, `{ __type(name: "Depot") { fields { name } } }`, undefined, viewer);
      return new Set<string>((res.body.data?.__type?.fields ?? []).map((f: { name: string }) => f.name));
    };
    await eventually(async () => (await fieldsOnA()).has("label"), 5000, "the collection and the role on A");
    expect(await fieldsOnA()).not.toContain("code");
    expect((await grant(["label", "code"])).body).toMatchObject({ failure_count: 0 });
    await eventually(async () => (await fieldsOnA()).has("code"), 3000, "the new field in the role's schema on A");
  });

  it("deleting the collection on B ends A's subscriptions with an error and removes the type", async () => {
    const hubA = apps[0]!.graphql.hub;
    const before = hubA.size;
    const created = subscribe(ws, `subscription { messageCreated { id } }`);
    subs.push(created);
    await waitFor(() => hubA.size > before, 5000, "the subscription on A");
    const del = await apiB("DELETE", "/api/v1/collections/messages", { token: admin });
    expect([200, 204]).toContain(del.status);
    const last = await created.next(10_000);
    expect(last.errors[0].extensions.code).toBe("NOT_FOUND");
    await created.completed(10_000);
    await waitFor(() => !apps[0]!.graphql.manager.schema.getType("Message"), 10_000, "the type to leave A's schema");
    expect((await gql(urls[0]!, `{ messages { totalCount } }`, undefined, token)).status).toBe(400);
  });
});
