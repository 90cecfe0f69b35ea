/**
 * Subscriptions over graphql-ws (and SSE): created/updated/deleted/changed with `where`
 * matched in memory, the "left the set" DELETE carrying the last state the subscriber saw, deletes reaching only
 * subscribers that could see the record, events only after commit (a rolled-back write never
 * arrives), subscriptions ending with an error when their collection is deleted, and the
 * schema swap leaving running subscriptions alone. Runs on SQLite and PostgreSQL.
 *
 * "Nothing arrived" is proven without sleeping: a later event that does match must be the
 * next one received.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, sse, subscribe, waitFor, wsClient, type Collector, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
let token: string;
let ws: WsClient;
const open: Collector[] = [];

async function mutate(query: string, variables?: Record<string, unknown>) {
  const res = await gql(t.url, query, variables, token);
  if (res.body?.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data;
}

/** Subscribes and waits until the hub has registered it. */
async function sub(query: string, variables?: Record<string, unknown>, client = ws): Promise<Collector> {
  const before = t.app.graphql.hub.size;
  const c = subscribe(client, query, variables);
  open.push(c);
  await waitFor(() => t.app.graphql.hub.size > before || c.pending.length > 0 || c.error !== undefined, 5000, "subscription to start");
  return c;
}

/** Ends a subscription and waits until the server has dropped it. */
async function stop(...cs: Collector[]): Promise<void> {
  for (const c of cs) {
    const n = t.app.graphql.hub.size;
    c.dispose();
    await waitFor(() => t.app.graphql.hub.size < n, 5000, "subscription to end");
  }
}

const create = async (title: string, extra: Record<string, unknown> = {}) =>
  (await mutate(`mutation($d: TaskCreateInput!) { createTask(data: $d) { id } }`, { d: { title, ...extra } })).createTask.id as string;

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      ...SIGNED_IN_RULES,
      name: "tasks",
      schema: [
        { name: "title", type: "text", validation: { required: true } },
        { name: "slug", type: "text", validation: { unique: true } },
        { name: "done", type: "bool" },
        { name: "priority", type: "number" },
      ],
    },
  });
  expect(res.status).toBe(201);
  token = (await registerUser(t.api)).token;
  ws = wsClient(t.url, token);
});
afterAll(async () => {
  for (const c of open) c.dispose();
  await ws?.dispose();
  await t?.close();
});

describe("graphql-ws subscriptions", () => {
  it("taskCreated and taskUpdated deliver matching records only", async () => {
    const created = await sub(`subscription { taskCreated(where: { priority: { gte: 5 } }) { id title priority } }`);
    const updated = await sub(`subscription { taskUpdated(where: { done: { eq: true } }) { title done version } }`);
    await create("low", { priority: 1 });
    const highId = await create("high", { priority: 9 });
    expect((await created.next()).data.taskCreated).toEqual({ id: highId, title: "high", priority: 9 });

    await mutate(`mutation($id: ID!) { updateTask(id: $id, data: { title: "renamed" }) { id } }`, { id: highId });
    await mutate(`mutation($id: ID!) { updateTask(id: $id, data: { done: true }) { id } }`, { id: highId });
    expect((await updated.next()).data.taskUpdated).toEqual({ title: "renamed", done: true, version: 3 });
    await stop(created, updated);
  });

  it("taskChanged: CREATE, UPDATE, a DELETE with the last seen state when a record leaves the where, and deletes of visible records only", async () => {
    const changed = await sub(`subscription { taskChanged(where: { priority: { gt: 3 } }) { action id record { title priority } } }`);
    const a = await create("a", { priority: 4 });
    expect((await changed.next()).data.taskChanged).toEqual({ action: "CREATE", id: a, record: { title: "a", priority: 4 } });
    await mutate(`mutation($id: ID!) { updateTask(id: $id, data: { priority: 8 }) { id } }`, { id: a });
    expect((await changed.next()).data.taskChanged).toEqual({ action: "UPDATE", id: a, record: { title: "a", priority: 8 } });
    await mutate(`mutation($id: ID!) { updateTask(id: $id, data: { priority: 1, title: "secret" }) { id } }`, { id: a });
    // Left the set: the state the subscriber last saw, never the new contents.
    expect((await changed.next()).data.taskChanged).toEqual({ action: "DELETE", id: a, record: { title: "a", priority: 8 } });
    // Changes and the delete of a record outside the set are not delivered.
    await mutate(`mutation($id: ID!) { updateTask(id: $id, data: { title: "still out" }) { id } }`, { id: a });
    await mutate(`mutation($id: ID!) { deleteTask(id: $id) { id } }`, { id: a });
    const b = await create("b", { priority: 5 });
    expect((await changed.next()).data.taskChanged).toMatchObject({ action: "CREATE", id: b });
    await mutate(`mutation($id: ID!) { deleteTask(id: $id) { id } }`, { id: b });
    expect((await changed.next()).data.taskChanged).toEqual({ action: "DELETE", id: b, record: { title: "b", priority: 5 } });
    await stop(changed);
  });

  it("taskDeleted delivers the deleted records (id and __typename for cache eviction), bulk operations one event per record", async () => {
    const deleted = await sub(`subscription { taskDeleted { __typename id title } }`);
    const ids = (await mutate(`mutation { createTasks(data: [{ title: "x1" }, { title: "x2" }]) { id } }`)).createTasks.map((r: { id: string }) => r.id);
    expect((await mutate(`mutation($ids: [ID!]!) { deleteTasks(ids: $ids) }`, { ids })).deleteTasks).toBe(2);
    const got = [(await deleted.next()).data.taskDeleted, (await deleted.next()).data.taskDeleted];
    expect(got.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      ids.map((id: string, i: number) => ({ __typename: "Task", id, title: `x${i + 1}` })).sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id)),
    );
    await stop(deleted);
  });

  it("publishes only after commit: a rolled-back write never reaches a subscriber", async () => {
    const created = await sub(`subscription { taskCreated { title } }`);
    await create("first", { slug: "dup" });
    expect((await created.next()).data.taskCreated.title).toBe("first");
    // The second insert violates the unique slug: the whole transaction (with the first row and its event) rolls back.
    const failed = await gql(t.url, `mutation { createTasks(data: [{ title: "rolled back", slug: "fresh" }, { title: "dup", slug: "dup" }]) { id } }`, undefined, token);
    expect(failed.body.errors[0].extensions.code).toBe("CONFLICT");
    await create("after");
    expect((await created.next()).data.taskCreated.title).toBe("after");
    await stop(created);
  });

  it("refuses anonymous subscribers and bad filters", async () => {
    const anon = wsClient(t.url);
    try {
      const c = subscribe(anon, `subscription { taskCreated { id } }`);
      const first = await c.next().catch(() => undefined);
      const errors = first?.errors ?? (c.error as any[]);
      expect(errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      const bad = subscribe(ws, `subscription { taskCreated(where: { nope: { eq: 1 } }) { id } }`);
      await expect(bad.next()).rejects.toThrow();
      expect(JSON.stringify(bad.error)).toMatch(/nope/);
    } finally {
      await anon.dispose();
    }
  });

  it("running subscriptions survive a schema swap; a deleted collection ends them with an error", async () => {
    const extra = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "text", type: "text" }] } });
    expect(extra.status).toBe(201);
    const notes = await sub(`subscription { noteCreated { text } }`);
    const tasks = await sub(`subscription { taskCreated { title } }`);
    // A collection change swaps the schema: both subscriptions keep running.
    const upd = await t.api("PATCH", "/api/v1/collections/notes", {
      token: t.adminToken,
      body: {
        schema: [
          { name: "text", type: "text" },
          { name: "pinned", type: "bool" },
        ],
      },
    });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    await mutate(`mutation { createNote(data: { text: "n1", pinned: true }) { id } }`);
    expect((await notes.next()).data.noteCreated).toEqual({ text: "n1" });

    const del = await t.api("DELETE", "/api/v1/collections/notes", { token: t.adminToken });
    expect([200, 204]).toContain(del.status);
    const last = await notes.next();
    expect(last.data).toBeNull();
    expect(last.errors[0]).toMatchObject({ message: expect.stringMatching(/collection 'notes' was deleted/), extensions: { code: "NOT_FOUND" } });
    await notes.completed();
    await create("unaffected");
    expect((await tasks.next()).data.taskCreated.title).toBe("unaffected");
    await stop(tasks);
    const gone = await gql(t.url, `subscription { noteCreated { text } }`, undefined, token);
    expect(gone.status).toBe(400);
  });
});

describe("field permissions", () => {
  it("shows only the readable fields: a hidden field is absent from the subscriber's schema, events carry the rest", async () => {
    const res = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        ...SIGNED_IN_RULES,
        name: "memos",
        options: { list_fields: ["title"], view_fields: ["title"] },
        schema: [
          { name: "title", type: "text", validation: { required: true } },
          { name: "secret", type: "text" },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const memos = await sub(`subscription { memoChanged { action record { title } } }`);
    for (const doc of [`subscription { memoCreated(where: { secret: { eq: "x" } }) { id } }`, `subscription { memoCreated { secret } }`]) {
      const hidden = subscribe(ws, doc);
      open.push(hidden);
      await expect(hidden.next()).rejects.toThrow(/secret\W+is not defined by type\W+MemoWhere|Cannot query field\W+secret\W+on type\W+Memo/);
    }

    await gql(t.url, `mutation { createMemo(data: { title: "t1", secret: "s1" }) { id } }`, undefined, t.adminToken);
    expect((await memos.next()).data.memoChanged).toEqual({ action: "CREATE", record: { title: "t1" } });
    // The same through a query: the readable required field is non-null for this caller.
    const q = await gql(t.url, `{ memos { nodes { title } } }`, undefined, token);
    expect(q.body).toEqual({ data: { memos: { nodes: [{ title: "t1" }] } } });
    await stop(memos);
  });
});

describe("API keys over websockets", () => {
  it("authenticates with connectionParams, applies scopes per operation, refuses bad keys", async () => {
    const mk = async (scopes: string[]) => {
      const res = await t.api("POST", "/api/v1/api-keys", { token, body: { name: `ws-${scopes.join("-")}`, scopes } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.key as string;
    };
    const readKey = await mk(["read"]);
    const writeKey = await mk(["write"]);
    const reader = createClient({ url: `${t.url.replace(/^http/, "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { "x-api-key": readKey }, lazy: false, retryAttempts: 0 });
    const writer = wsClient(t.url, writeKey);
    try {
      const before = t.app.graphql.hub.size;
      const events = subscribe(reader, `subscription { taskCreated(where: { title: { eq: "by key" } }) { title } }`);
      open.push(events);
      await waitFor(() => t.app.graphql.hub.size > before, 5000, "the key's subscription");
      // A mutation over the reader's socket needs `write`.
      const denied = subscribe(reader, `mutation { createTask(data: { title: "nope" }) { id } }`);
      expect(JSON.stringify(denied.error ?? (await denied.next().catch(() => denied.error)))).toMatch(/lacks the 'write' scope/);
      // The writer key may mutate over its socket, but not subscribe (that needs `read`).
      const made = subscribe(writer, `mutation { createTask(data: { title: "by key" }) { title } }`);
      expect((await made.next()).data.createTask.title).toBe("by key");
      expect((await events.next()).data.taskCreated).toEqual({ title: "by key" });
      const noRead = subscribe(writer, `subscription { taskCreated { id } }`);
      expect(JSON.stringify(noRead.error ?? (await noRead.next().catch(() => noRead.error)))).toMatch(/lacks the 'read' scope/);

      const bad = wsClient(t.url, "cairn_not-a-real-key");
      const refused = subscribe(bad, `subscription { taskCreated { id } }`);
      await expect(refused.next()).rejects.toThrow();
      expect((refused.error as { code?: number })?.code).toBe(4403);
      await bad.dispose();
    } finally {
      const start = t.app.graphql.hub.size;
      await reader.dispose();
      await writer.dispose();
      await waitFor(() => t.app.graphql.hub.size < start, 5000, "the key's subscription to end");
    }
  });
});

describe("SSE subscriptions", () => {
  it("delivers events as server-sent events", async () => {
    const before = t.app.graphql.hub.size;
    const stream = sse(t.url, `subscription($w: TaskWhere) { taskCreated(where: $w) { title } }`, { w: { title: { startsWith: "sse" } } }, token);
    try {
      expect(await stream.status).toBe(200);
      await waitFor(() => t.app.graphql.hub.size > before, 5000, "SSE subscription");
      await create("not this one");
      await create("sse event");
      expect(await stream.next()).toEqual({ data: { taskCreated: { title: "sse event" } } });
    } finally {
      stream.close();
    }
    await waitFor(() => t.app.graphql.hub.size === before, 5000, "SSE subscription to close");
  });
});
