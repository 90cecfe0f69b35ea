/**
 * Record-level rules through GraphQL: two users and an admin on an owner-only collection.
 * Queries return only permitted rows (and count only those), mutations on another user's
 * record are refused, and subscription events reach only subscribers who may read the record
 * (matched in memory by the hub). Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client as WsClient } from "graphql-ws";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, subscribe, waitFor, wsClient, type Collector } from "./graphql-helpers.ts";

const OWNER = "owner_id = @request.auth.id";
let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
const clients: WsClient[] = [];
const open: Collector[] = [];

async function mutate(token: string, query: string, variables?: Record<string, unknown>) {
  return (await gql(t.url, query, variables, token)).body;
}

async function sub(token: string, query: string): Promise<Collector> {
  const ws = wsClient(t.url, token);
  clients.push(ws);
  const before = t.app.graphql.hub.size;
  const c = subscribe(ws, query);
  open.push(c);
  await waitFor(() => t.app.graphql.hub.size > before || c.error !== undefined, 5000, "subscription to start");
  return c;
}

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "diaries",
      list_rule: OWNER,
      view_rule: OWNER,
      create_rule: '@request.auth.id != ""',
      update_rule: OWNER,
      delete_rule: OWNER,
      schema: [{ name: "text", type: "text", validation: { required: true } }],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  alice = await registerUser(t.api);
  bob = await registerUser(t.api);
});
afterAll(async () => {
  for (const c of open) c.dispose();
  for (const c of clients) await c.dispose();
  await t?.close();
});

describe("owner-only rules over GraphQL", () => {
  let aliceId: string;
  let bobId: string;

  it("lists and counts only the caller's records", async () => {
    aliceId = (await mutate(alice.token, `mutation { createDiary(data: { text: "alice 1" }) { id } }`)).data.createDiary.id;
    bobId = (await mutate(bob.token, `mutation { createDiary(data: { text: "bob 1" }) { id } }`)).data.createDiary.id;
    const a = await gql(t.url, `{ diaries { totalCount nodes { id text } } }`, undefined, alice.token);
    expect(a.body).toEqual({ data: { diaries: { totalCount: 1, nodes: [{ id: aliceId, text: "alice 1" }] } } });
    const admin = await gql(t.url, `{ diaries { totalCount } }`, undefined, t.adminToken);
    expect(admin.body.data.diaries.totalCount).toBe(2);
    const single = await gql(t.url, `query($id: ID!) { diary(id: $id) { id } }`, { id: bobId }, alice.token);
    expect(single.body.data?.diary ?? null).toBeNull();
  });

  it("refuses changes to another user's record and leaves it intact", async () => {
    const upd = await mutate(alice.token, `mutation($id: ID!) { updateDiary(id: $id, data: { text: "hijacked" }) { id } }`, { id: bobId });
    expect(upd.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
    const del = await mutate(alice.token, `mutation($id: ID!) { deleteDiary(id: $id) { id } }`, { id: bobId });
    expect(del.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
    const bulk = await mutate(alice.token, `mutation($ids: [ID!]!) { deleteDiaries(ids: $ids) }`, { ids: [aliceId, bobId] });
    expect(bulk.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND|BAD_USER_INPUT/);
    const still = await gql(t.url, `{ diaries { nodes { id text } } }`, undefined, bob.token);
    expect(still.body.data.diaries.nodes).toEqual([{ id: bobId, text: "bob 1" }]);
    expect((await gql(t.url, `{ diaries { totalCount } }`, undefined, alice.token)).body.data.diaries.totalCount).toBe(1);
  });

  it("delivers subscription events only to subscribers who may read the record", async () => {
    const aliceEvents = await sub(alice.token, `subscription { diaryCreated { id text } }`);
    const aliceChanges = await sub(alice.token, `subscription { diaryChanged { action id record { text } } }`);
    // Bob writes first: Alice must not see it; then Alice writes and sees exactly her own.
    const bobNew = (await mutate(bob.token, `mutation { createDiary(data: { text: "bob secret" }) { id } }`)).data.createDiary.id;
    await mutate(bob.token, `mutation($id: ID!) { updateDiary(id: $id, data: { text: "bob secret 2" }) { id } }`, { id: bobNew });
    await mutate(bob.token, `mutation($id: ID!) { deleteDiary(id: $id) { id } }`, { id: bobNew });
    const mine = (await mutate(alice.token, `mutation { createDiary(data: { text: "alice 2" }) { id } }`)).data.createDiary.id;
    expect((await aliceEvents.next()).data.diaryCreated).toEqual({ id: mine, text: "alice 2" });
    expect((await aliceChanges.next()).data.diaryChanged).toEqual({ action: "CREATE", id: mine, record: { text: "alice 2" } });
    expect(aliceEvents.pending).toEqual([]);
    expect(aliceChanges.pending).toEqual([]);
    expect(JSON.stringify([aliceEvents.pending, aliceChanges.pending])).not.toContain("bob secret");
  });
});
