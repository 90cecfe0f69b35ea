/**
 * The event path on one instance: outbox → dispatcher → consumers. A graphql-ws subscriber gets
 * what the dispatcher read back from the outbox (with the record before an update); a consumer
 * sees multi-row transactions in order; a failing consumer gets the same events again and never
 * a later one first; pruning removes delivered old events and keeps undelivered ones; after a
 * restart a consumer resumes right after the last event it handled. Runs on SQLite and
 * PostgreSQL. (Crash and cluster cases: events-crash.test.ts, graphql-cluster.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client as WsClient } from "graphql-ws";
import { createApp } from "../../src/app.ts";
import { EventDispatcher } from "../../src/core/events/dispatcher.ts";
import type { StoredEvent } from "../../src/core/events/outbox.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, freshDatabase, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";
import { gql, SIGNED_IN_RULES, subscribe, waitFor, wsClient, type Collector } from "./graphql-helpers.ts";

const NOTES = {
  ...SIGNED_IN_RULES,
  name: "notes",
  schema: [
    { name: "title", type: "text" },
    { name: "status", type: "text" },
  ],
};

describe("events through the dispatcher", () => {
  let t: TestApp;
  let token: string;
  let ws: WsClient;
  const open: Collector[] = [];
  /** everything a test consumer received, in order */
  const recorded: StoredEvent[] = [];

  async function mutate(query: string, variables?: Record<string, unknown>) {
    const res = await gql(t.url, query, variables, token);
    if (res.body?.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  }
  const create = async (title: string, status: string) => (await mutate(`mutation($d: NoteCreateInput!) { createNote(data: $d) { id } }`, { d: { title, status } })).createNote.id as string;
  const update = (id: string, d: Record<string, unknown>) => mutate(`mutation($id: ID!, $d: NoteUpdateInput!) { updateNote(id: $id, data: $d) { id } }`, { id, d });
  const cursorOf = async (consumer: string) => {
    const { db } = t.app.services;
    const [row] = await db.query<{ last_seq: unknown }>(db.qb.selectFrom("_event_cursors").select("last_seq").where("consumer", "=", consumer));
    return row ? Number(row.last_seq) : undefined;
  };
  const outboxSeqs = async () => {
    const { db } = t.app.services;
    return (await db.query<{ seq: unknown }>(db.qb.selectFrom("_events").select("seq").orderBy("seq"))).map((r) => Number(r.seq));
  };

  beforeAll(async () => {
    t = await startApp();
    t.app.dispatcher.register("test-recorder", (batch) => void recorded.push(...batch));
    expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: NOTES })).status).toBe(201);
    token = (await registerUser(t.api)).token;
    ws = wsClient(t.url, token);
  });
  afterAll(async () => {
    for (const c of open) c.dispose();
    await ws?.dispose();
    await t?.close();
  });

  it("a graphql-ws subscriber gets the dispatched events; an update carries the old record from the outbox", async () => {
    const before = t.app.graphql.hub.size;
    const changed = subscribe(ws, `subscription { noteChanged(where: { status: { eq: "open" } }) { action id record { title status } } }`);
    open.push(changed);
    await waitFor(() => t.app.graphql.hub.size > before, 5000, "the subscription");

    const a = await create("a", "open");
    expect((await changed.next()).data.noteChanged).toEqual({ action: "CREATE", id: a, record: { title: "a", status: "open" } });
    // Outside the set before and after: the stored old record says so, so nothing is sent. (Without
    // it the hub could not tell and would send a DELETE.)
    const b = await create("b", "closed");
    await update(b, { title: "b2" });
    // Leaves the set: a DELETE with the state the subscriber last saw — and it is the next message,
    // so nothing came for b.
    await update(a, { status: "closed" });
    expect((await changed.next()).data.noteChanged).toEqual({ action: "DELETE", id: a, record: { title: "a", status: "open" } });

    const ev = await eventually(async () => recorded.find((e) => e.type === "record.update" && e.recordId === a), 5000, "the update at the recorder");
    expect(ev.payload).toMatchObject({ id: a, title: "a", status: "closed" });
    expect(ev.previous).toMatchObject({ id: a, title: "a", status: "open" });
    expect(ev.previous!.version).toBe((ev.payload.version as number) - 1);
    // The outbox keeps only the changed fields' old values.
    const { db } = t.app.services;
    const [row] = await db.query<{ previous: string }>(db.qb.selectFrom("_events").select("previous").where("seq", "=", ev.seq));
    const delta = JSON.parse(row!.previous);
    expect(delta).toMatchObject({ status: "open" });
    expect(delta).not.toHaveProperty("title");
    expect(delta).not.toHaveProperty("id");
    const creates = recorded.filter((e) => e.type === "record.create");
    expect(creates.every((e) => e.previous === null)).toBe(true);

    // A delete: the subscriber sees nothing (b was never in its set); consumers get the old record.
    await mutate(`mutation($id: ID!) { deleteNote(id: $id) { id } }`, { id: b });
    const gone = await eventually(async () => recorded.find((e) => e.type === "record.delete" && e.recordId === b), 5000, "the delete at the recorder");
    expect(gone.previous).toMatchObject({ id: b, title: "b2", status: "closed" });
  });

  it("a redelivered event (same number again on the port) does not reach subscribers twice", async () => {
    const before = t.app.graphql.hub.size;
    const created = subscribe(ws, `subscription { noteCreated(where: { status: { eq: "redo" } }) { title } }`);
    open.push(created);
    await waitFor(() => t.app.graphql.hub.size > before, 5000, "the subscription");
    const id = await create("first", "redo");
    expect((await created.next()).data.noteCreated).toEqual({ title: "first" });
    const ev = await eventually(async () => recorded.find((e) => e.recordId === id), 5000, "the event at the recorder");
    // What a retried batch or a new lease holder does: the same event published again.
    await t.app.services.pubsub.publishConfirmed("events", { event: ev });
    await create("second", "redo");
    expect((await created.next()).data.noteCreated).toEqual({ title: "second" });
  });

  it("keeps the order of a multi-row transaction and numbers every event once", async () => {
    const titles = ["m1", "m2", "m3", "m4", "m5"];
    const made = await mutate(`mutation($d: [NoteCreateInput!]!) { createNotes(data: $d) { id } }`, { d: titles.map((title) => ({ title, status: "bulk" })) });
    const ids = made.createNotes.map((n: { id: string }) => n.id);
    const got = await eventually(async () => {
      const mine = recorded.filter((e) => ids.includes(e.recordId));
      return mine.length === ids.length && mine;
    });
    expect(got.map((e) => e.payload.title)).toEqual(titles);
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    const all = recorded.map((e) => e.seq);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort((x, y) => x - y)).toEqual(all);
  });

  it("concurrent writers: every committed event reaches a consumer once, in number order", async () => {
    const from = Math.max(0, ...(await outboxSeqs()));
    const ids = (await Promise.all(Array.from({ length: 40 }, (_, i) => create(`c${i}`, "concurrent")))).sort();
    const got = await eventually(async () => {
      const mine = recorded.filter((e) => e.seq > from);
      return mine.filter((e) => ids.includes(e.recordId!)).length === ids.length && mine;
    }, 10_000);
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(seqs).toEqual((await outboxSeqs()).filter((s) => s > from && s <= seqs[seqs.length - 1]!));
    expect(
      got
        .filter((e) => e.type === "record.create")
        .map((e) => e.recordId)
        .sort(),
    ).toEqual(ids);
  });

  it("a consumer whose handler fails gets the same events again, in order, before any later one", async () => {
    let calls = 0;
    const got: number[] = [];
    t.app.dispatcher.register("flaky", (batch) => {
      calls++;
      if (calls <= 2) throw new Error("consumer down");
      got.push(...batch.map((e) => e.seq));
    });
    await eventually(async () => (await cursorOf("flaky")) !== undefined, 5000, "the flaky consumer's cursor");
    const start = (await cursorOf("flaky"))!;
    const ids = [await create("f1", "x"), await create("f2", "x"), await create("f3", "x")];
    const mine = await eventually(async () => {
      const m = recorded.filter((e) => ids.includes(e.recordId!)).map((e) => e.seq);
      return m.length === ids.length && m;
    });
    await eventually(async () => (await cursorOf("flaky"))! >= Math.max(...mine), 10_000, "the flaky consumer to catch up");
    expect(calls).toBeGreaterThan(2);
    const upTo = (await cursorOf("flaky"))!;
    const expected = (await outboxSeqs()).filter((s) => s > start && s <= upTo);
    expect(got).toEqual(expected);
    for (const s of mine) expect(got).toContain(s);
  });

  it("prunes delivered events older than events_retention_hours and keeps undelivered ones", async () => {
    const bad = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "events_retention_hours", value: -1, category: "app" } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain("events_retention_hours");

    await t.app.dispatcher.idle();
    // Default retention (24 h): everything here is recent, nothing goes.
    const before = await outboxSeqs();
    expect(await t.app.dispatcher.prune()).toBe(0);
    expect(await outboxSeqs()).toEqual(before);

    let stuck = true;
    t.app.dispatcher.register("stuck", () => {
      if (stuck) throw new Error("not now");
    });
    await eventually(async () => (await cursorOf("stuck")) !== undefined, 5000, "the stuck consumer's cursor");
    const stuckAt = (await cursorOf("stuck"))!;
    await create("p1", "x");
    await create("p2", "x");
    const newest = Math.max(...(await outboxSeqs()));
    expect(newest).toBeGreaterThan(stuckAt);
    for (const c of ["live", "test-recorder", "flaky"]) await eventually(async () => (await cursorOf(c))! >= newest, 5000, `${c} to pass ${newest}`);

    const set = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "events_retention_hours", value: 0, category: "app" } });
    expect(set.status).toBe(200);
    expect(await t.app.dispatcher.prune()).toBe(before.filter((s) => s <= stuckAt).length);
    const left = await outboxSeqs();
    expect(left.every((s) => s > stuckAt)).toBe(true);
    expect(left).toContain(newest); // not delivered to every consumer: kept

    stuck = false;
    await eventually(async () => (await cursorOf("stuck"))! >= newest, 10_000, "the stuck consumer to catch up");
    await t.app.dispatcher.prune();
    expect((await outboxSeqs()).filter((s) => s <= newest)).toEqual([]);
    expect((await t.api("DELETE", "/api/v1/settings/events_retention_hours", { token: t.adminToken })).status).toBeLessThan(300);
  });

  it("commits of one event-loop turn share one dispatch round; stop() right after a commit resolves", async () => {
    const BATCH = 11;
    const dispatcher = new EventDispatcher(t.app.services, { pollMs: 3_600_000, batchSize: BATCH });
    dispatcher.register("turn-a", () => {});
    const { db, events } = t.app.services;
    await dispatcher.start();
    await dispatcher.idle();
    const rec = recordStatements(db);
    const commit = () => events.publish({ type: "record.create", accountId: "a", collection: "notes", recordId: "x", payload: {}, created: new Date().toISOString() });
    try {
      for (let i = 0; i < 5; i++) commit();
      await dispatcher.idle();
      expect(rec.statements.filter((s) => s.sql.includes('"_events"') && s.parameters[1] === BATCH)).toHaveLength(1);
      commit(); // a wake pending when stopping
    } finally {
      rec.restore();
      await dispatcher.stop();
      await db.execute(db.qb.deleteFrom("_event_cursors").where("consumer", "=", "turn-a"));
    }
  });

  it("consumers at the same position share one outbox read; each gets events of its own", async () => {
    // a dispatcher of its own, without polls and with a batch size of its own: its reads are told apart by that size
    const BATCH = 7;
    const dispatcher = new EventDispatcher(t.app.services, { pollMs: 3_600_000, batchSize: BATCH });
    const names = ["shared-a", "shared-b", "shared-c"];
    const got = new Map<string, StoredEvent[]>(names.map((n) => [n, []]));
    for (const n of names) dispatcher.register(n, (batch) => void got.get(n)!.push(...batch));
    const { db } = t.app.services;
    await dispatcher.start();
    await dispatcher.idle();
    const rec = recordStatements(db);
    try {
      const id = await create("shared read", "draft");
      await eventually(async () => names.every((n) => got.get(n)!.length === 1), 5000, "every consumer to get the create");
      await dispatcher.idle();
      const reads = rec.statements.filter((s) => s.sql.includes('"_events"') && s.parameters[1] === BATCH);
      expect(reads).toHaveLength(1);
      const [a, b, c] = names.map((n) => got.get(n)![0]!);
      expect([a!.recordId, b!.recordId, c!.recordId]).toEqual([id, id, id]);
      expect(new Set([a, b, c]).size).toBe(3); // decoded per consumer: one cannot change another's
    } finally {
      rec.restore();
      await dispatcher.stop();
      // stopped consumers would hold back pruning
      await db.execute(db.qb.deleteFrom("_event_cursors").where("consumer", "in", names));
    }
  });

  it("a backlog is dispatched in steps: the consumers advance together, one shared read per step", async () => {
    // Before, the first consumer worked through the whole backlog alone while every batch it read
    // was kept for the others: under a long bulk load, rows of the whole load held in memory and
    // the other consumers waiting for it to end.
    const BATCH = 3;
    const names = ["step-a", "step-b"];
    const { db } = t.app.services;
    const first = new EventDispatcher(t.app.services, { pollMs: 3_600_000, batchSize: BATCH });
    for (const n of names) first.register(n, () => {});
    await first.start();
    await first.idle();
    await first.stop(); // the cursors stay; the backlog below waits for the next dispatcher
    const from = (await cursorOf("step-a"))!;
    expect(await cursorOf("step-b")).toBe(from);
    for (let i = 0; i < 8; i++) await create(`backlog ${i}`, "x");
    const backlog = (await outboxSeqs()).filter((s) => s > from);
    expect(backlog.length).toBeGreaterThanOrEqual(8);

    const calls: { name: string; seqs: number[] }[] = [];
    const dispatcher = new EventDispatcher(t.app.services, { pollMs: 3_600_000, batchSize: BATCH });
    for (const n of names) dispatcher.register(n, (batch) => void calls.push({ name: n, seqs: batch.map((e) => e.seq) }));
    const rec = recordStatements(db);
    try {
      await dispatcher.start();
      await eventually(async () => names.every((n) => calls.filter((c) => c.name === n).flatMap((c) => c.seqs).length >= backlog.length), 10_000, "both consumers through the backlog");
      await dispatcher.idle();
      const steps = Math.ceil(backlog.length / BATCH);
      expect(calls.map((c) => c.name)).toEqual(Array.from({ length: steps }, () => names).flat());
      for (const n of names) expect(calls.filter((c) => c.name === n).flatMap((c) => c.seqs)).toEqual(backlog);
      // one read per step, shared (a final empty read when the backlog is a whole number of batches)
      const reads = rec.statements.filter((s) => s.sql.includes('"_events"') && s.parameters[1] === BATCH);
      expect(reads.length).toBe(backlog.length % BATCH === 0 ? steps + 1 : steps);
    } finally {
      rec.restore();
      await dispatcher.stop();
      await db.execute(db.qb.deleteFrom("_event_cursors").where("consumer", "in", names));
    }
  });
});

describe("restart", () => {
  it("a consumer resumes right after the last event it handled", async () => {
    const db = await freshDatabase();
    const config = loadConfig(
      { CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: "warn", CAIRN_RATE_LIMIT: "false" },
      { port: 0, host: "127.0.0.1", databaseUrl: db.url, dataDir: db.dataDir },
    );
    const first = await createApp(config);
    let second: Awaited<ReturnType<typeof createApp>> | undefined;
    try {
      const seen: number[] = [];
      let accept = true;
      first.dispatcher.register("resumer", (batch) => {
        if (!accept) throw new Error("consumer down");
        seen.push(...batch.map((e) => e.seq));
      });
      const url = await first.listen();
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      });
      const admin = ((await login.json()) as { access_token: string }).access_token;
      const mk = (name: string) =>
        fetch(`${url}/api/v1/collections`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${admin}` }, body: JSON.stringify({ ...NOTES, name }) }).then((r) =>
          expect(r.status).toBe(201),
        );
      await mk("handled_before");
      await eventually(async () => seen.length > 0, 5000, "the first event");
      accept = false;
      await mk("missed_one");
      await mk("missed_two");
      const handled = Math.max(...seen);
      await first.close();

      second = await createApp(config);
      const resumed: StoredEvent[] = [];
      second.dispatcher.register("resumer", (batch) => void resumed.push(...batch));
      await second.listen();
      await eventually(async () => resumed.length >= 2, 10_000, "the missed events");
      expect(resumed[0]!.seq).toBe(handled + 1);
      expect(resumed.map((e) => [e.type, e.collection])).toEqual([
        ["collection.create", "missed_one"],
        ["collection.create", "missed_two"],
      ]);
    } finally {
      await first.close();
      await second?.close();
      await db.drop();
    }
  });
});
