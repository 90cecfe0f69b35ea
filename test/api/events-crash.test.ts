/**
 * No event lost to a crash: a server in a child process (`cairn serve`) is killed with SIGKILL
 * while it dispatches a stream of events; a new server on the same database takes over the
 * dispatch lease once it runs out and publishes every event the first one had not confirmed.
 * Observed from outside through Redis (the live consumer publishes each event on the port's
 * `events` channel). The first server reaches Redis through a small TCP relay in the test that
 * stops passing its traffic after the first batch, so the kill always lands while publishes are
 * unconfirmed. Redelivery is allowed only for events after the durable position saved before
 * the kill. Runs on SQLite and PostgreSQL.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Server as NetServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import type { SqlDb } from "../../src/db/sql-db.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, registerUser } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";
import { childServerEnv, serveChild } from "../helpers/child-server.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A TCP relay to Redis that can stop passing what its clients send (`hold`). */
async function redisRelay(target: string): Promise<{ url: string; hold(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  let holding = false;
  const server: NetServer = createServer((client) => {
    const upstream = connect(Number(port || 6379), hostname);
    client.on("data", (d) => void (holding || upstream.write(d)));
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) s.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${address.port}`,
    hold: () => void (holding = true),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const serve = (env: Record<string, string>) => serveChild(env);

describe("kill -9 while dispatching", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string>;
  let sub: Redis;
  const servers: ChildProcess[] = [];
  let relayClose: (() => Promise<void>) | undefined;
  /** seq → times received, and the record ids received */
  const received = new Map<number, number>();
  const receivedIds = new Set<string>();

  beforeAll(async () => {
    db = await freshDatabase();
    const prefix = `cairn-crash-${randomBytes(6).toString("hex")}`;
    env = {
      ...childServerEnv(db),
      REDIS_URL,
      CAIRN_REDIS_PREFIX: prefix,
    };
    sub = new Redis(REDIS_URL);
    await sub.subscribe(`${prefix}:events`);
    sub.on("message", (_channel: string, raw: string) => {
      const event = (JSON.parse(raw) as { message?: { event?: { seq: number; recordId: string } } }).message?.event;
      if (!event) return;
      received.set(event.seq, (received.get(event.seq) ?? 0) + 1);
      receivedIds.add(event.recordId);
    });
  });

  afterAll(async () => {
    for (const c of servers) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await sub?.quit();
    await relayClose?.();
    await db?.drop();
  });

  it("a new server resumes from the durable position and no committed event is skipped", async () => {
    const relay = await redisRelay(REDIS_URL);
    relayClose = relay.close;
    const first = await serve({ ...env, REDIS_URL: relay.url });
    servers.push(first.child);
    const api = apiClient(first.url);
    const admin = (await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).body.access_token;
    expect((await api("POST", "/api/v1/collections", { token: admin, body: { ...SIGNED_IN_RULES, name: "items", schema: [{ name: "n", type: "number" }] } })).status).toBe(201);
    const token = (await registerUser(api)).token;

    // A first batch goes through; then the relay holds the first server's Redis traffic, so the
    // next batches commit but their publishes are never confirmed; then SIGKILL.
    const confirmed: string[] = [];
    const batch = async (i: number) => {
      const r = await gql(first.url, `mutation($d: [ItemCreateInput!]!) { createItems(data: $d) { id } }`, { d: Array.from({ length: 50 }, (_, j) => ({ n: i * 50 + j })) }, token);
      const ids = (r.body?.data?.createItems ?? []).map((x: { id: string }) => x.id) as string[];
      expect(ids).toHaveLength(50);
      confirmed.push(...ids);
      return ids;
    };
    const firstIds = await batch(0);
    await eventually(async () => firstIds.every((id) => receivedIds.has(id)), 20_000, "the first batch in Redis");
    relay.hold();
    for (let i = 1; i <= 3; i++) await batch(i);
    first.child.kill("SIGKILL");
    await once(first.child, "exit");

    // What was committed, and how far the dead server had confirmed.
    const config = loadConfig({}, { databaseUrl: db.url, dataDir: db.dataDir });
    const sql: SqlDb = await openDatabase(config, console);
    let committed: number[];
    let position: number;
    try {
      committed = (await sql.query<{ seq: unknown }>(sql.qb.selectFrom("_events").select("seq").where("type", "like", "record.%").orderBy("seq"))).map((r) => Number(r.seq));
      const [row] = await sql.query<{ last_seq: unknown }>(sql.qb.selectFrom("_event_cursors").select("last_seq").where("consumer", "=", "live"));
      position = Number(row!.last_seq);
    } finally {
      await sql.close();
    }
    expect(committed.length).toBe(confirmed.length);
    // Killed mid-stream: the held batches are committed, not confirmed, and not in Redis.
    expect(position).toBeLessThan(committed[committed.length - 1]!);
    expect(confirmed.filter((id) => receivedIds.has(id))).toEqual(firstIds);

    const second = await serve(env);
    servers.push(second.child);
    await eventually(async () => committed.every((s) => received.has(s)), 30_000, "every committed event from the new server", 50);
    for (const id of confirmed) expect(receivedIds.has(id)).toBe(true);
    // At least once: only events after the saved position may come twice.
    const twice = [...received].filter(([, n]) => n > 1).map(([s]) => s);
    expect(twice.every((s) => s > position)).toBe(true);

    second.child.kill("SIGTERM");
    await once(second.child, "exit");
  });
});
