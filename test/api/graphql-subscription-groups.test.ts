/**
 * Shared execution of identical graphql-ws subscriptions (src/graphql/subscription-groups.ts):
 * many sockets of several callers on a collection whose view rule depends on the caller. Each
 * subscriber receives exactly the events it may read — no more, no fewer, in order — while the
 * hub holds one subscription per group (caller × document × variables), not one per socket.
 * Members leave a group without disturbing the others; the last one takes the group's hub
 * subscription with it. A rule that reads a request header splits one caller's sockets by that
 * header. Runs on SQLite and PostgreSQL.
 *
 * "Nothing else arrived" is proven without sleeping: a marker every subscriber may read is
 * created last, and it must be the next value each one receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, subscribe, waitFor, wsClient, type Collector } from "./graphql-helpers.ts";

const VISIBLE = "owner_id = @request.auth.id || shared = true";
const CREATED = `subscription { noteCreated { id text shared } }`;
const CREATED_X = `subscription($w: NoteWhere) { noteCreated(where: $w) { text } }`;

let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
const clients: WsClient[] = [];

interface Sub {
  who: string;
  c: Collector;
}

function open(who: string, token: string, query: string, variables?: Record<string, unknown>): Sub {
  const ws = wsClient(t.url, token);
  clients.push(ws);
  return { who, c: subscribe(ws, query, variables) };
}

async function note(token: string, text: string, shared: boolean): Promise<string> {
  const res = await gql(t.url, `mutation($d: NoteCreateInput!) { createNote(data: $d) { id } }`, { d: { text, shared } }, token);
  if (res.body?.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.createNote.id;
}

/** Creates shared notes until every subscriber has received one (each subscription is live), then drops them. */
async function untilLive(subs: Sub[]): Promise<void> {
  for (let p = 0; ; p++) {
    await note(t.adminToken, `x-probe-${p}`, true);
    const all = await waitFor(() => subs.every((s) => s.c.pending.length > 0 || s.c.error !== undefined), 500, "probe")
      .then(() => true)
      .catch(() => false);
    if (all) break;
    if (p > 40) throw new Error(`subscriptions not live: ${subs.filter((s) => s.c.pending.length === 0).map((s) => s.who)}`);
  }
  for (const s of subs) {
    expect(s.c.error, s.who).toBeUndefined();
    s.c.pending.length = 0;
  }
}

/** The texts a subscriber receives up to and including `marker`. */
async function textsUntil(s: Sub, marker: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const v = await s.c.next();
    const text = v.data?.noteCreated?.text;
    if (typeof text !== "string") throw new Error(`${s.who}: unexpected value ${JSON.stringify(v)}`);
    got.push(text);
    if (text === marker) return got;
  }
}

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "notes",
      list_rule: VISIBLE,
      view_rule: VISIBLE,
      create_rule: '@request.auth.id != ""',
      schema: [
        { name: "text", type: "text", validation: { required: true } },
        { name: "shared", type: "bool" },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  alice = await registerUser(t.api);
  bob = await registerUser(t.api);
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await t?.close();
});

describe("grouped subscriptions", () => {
  it("every socket of every caller gets exactly what it may read; one hub subscription per group", async () => {
    const subs: Sub[] = [
      ...Array.from({ length: 6 }, (_, i) => open(`alice#${i}`, alice.token, CREATED)),
      ...Array.from({ length: 6 }, (_, i) => open(`bob#${i}`, bob.token, CREATED)),
      ...Array.from({ length: 3 }, (_, i) => open(`admin#${i}`, t.adminToken, CREATED)),
      ...Array.from({ length: 3 }, (_, i) => open(`alice-x#${i}`, alice.token, CREATED_X, { w: { text: { startsWith: "x" } } })),
      ...Array.from({ length: 3 }, (_, i) => open(`bob-x#${i}`, bob.token, CREATED_X, { w: { text: { startsWith: "x" } } })),
    ];
    await untilLive(subs);
    // Five groups (alice, bob, admin, alice with where, bob with where): one hub subscription each.
    expect(t.app.graphql.hub.size).toBe(5);

    await note(alice.token, "a private", false);
    await note(bob.token, "x bob private", false);
    await note(alice.token, "x alice shared", true);
    await note(bob.token, "b shared", true);
    await note(t.adminToken, "admin private", false);
    await note(t.adminToken, "x marker", true);

    const expected: Record<string, string[]> = {
      alice: ["a private", "x alice shared", "b shared", "x marker"],
      bob: ["x bob private", "x alice shared", "b shared", "x marker"],
      admin: ["a private", "x bob private", "x alice shared", "b shared", "admin private", "x marker"],
      "alice-x": ["x alice shared", "x marker"],
      "bob-x": ["x bob private", "x alice shared", "x marker"],
    };
    for (const s of subs) expect(await textsUntil(s, "x marker"), s.who).toEqual(expected[s.who.split("#")[0]!]);
    // Nothing after the marker either.
    for (const s of subs) expect(s.c.pending, s.who).toEqual([]);

    // Members leave without disturbing their group; the last one of a group takes its hub subscription along.
    const [a0, ...aliceRest] = subs.filter((s) => s.who.startsWith("alice#"));
    a0!.c.dispose();
    await note(alice.token, "after one left", false);
    for (const s of aliceRest) expect((await s.c.next()).data.noteCreated.text, s.who).toBe("after one left");
    expect(t.app.graphql.hub.size).toBe(5);
    for (const s of aliceRest) s.c.dispose();
    await waitFor(() => t.app.graphql.hub.size === 4, 5000, "the emptied group to drop its hub subscription");
    await note(alice.token, "x alice again", false);
    for (const s of subs.filter((x) => x.who.startsWith("alice-x"))) expect((await s.c.next()).data.noteCreated.text).toBe("x alice again");
  });

  it("anonymous subscribers form their own group and get shared notes only", async () => {
    const anonymous = Array.from({ length: 3 }, (_, i) => open(`anonymous#${i}`, "", CREATED));
    const signedIn = open("bob", bob.token, CREATED);
    await untilLive([...anonymous, signedIn]);
    await note(alice.token, "alice private", false);
    await note(alice.token, "alice shared", true);
    await note(t.adminToken, "x marker 2", true);
    for (const s of anonymous) expect(await textsUntil(s, "x marker 2"), s.who).toEqual(["alice shared", "x marker 2"]);
    expect(await textsUntil(signedIn, "x marker 2")).toEqual(["alice shared", "x marker 2"]);
  });

  it("a rule reading a request header groups one caller's sockets by that header", async () => {
    const res = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        name: "memos",
        list_rule: "team = @request.headers.x_team",
        view_rule: "team = @request.headers.x_team",
        create_rule: '@request.auth.id != ""',
        schema: [
          { name: "team", type: "text", validation: { required: true } },
          { name: "text", type: "text", validation: { required: true } },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const teamSocket = (team: string) =>
      class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { "x-team": team } });
        }
      };
    const open = (team: string, i: number): Sub => {
      const ws = createClient({
        url: `${t.url.replace(/^http/, "ws")}/graphql`,
        webSocketImpl: teamSocket(team),
        connectionParams: { authorization: `Bearer ${alice.token}` },
        lazy: false,
        retryAttempts: 0,
      });
      clients.push(ws);
      return { who: `${team}#${i}`, c: subscribe(ws, `subscription { memoCreated { team text } }`) };
    };
    const memo = async (team: string, text: string) => {
      const r = await gql(t.url, `mutation($d: MemoCreateInput!) { createMemo(data: $d) { id } }`, { d: { team, text } }, alice.token, { "x-team": team });
      if (r.body?.errors) throw new Error(JSON.stringify(r.body.errors));
    };
    const hubBefore = t.app.graphql.hub.size;
    const subs = [open("red", 0), open("red", 1), open("blue", 0), open("blue", 1)];
    for (let p = 0; !subs.every((s) => s.c.pending.length > 0 || s.c.error !== undefined); p++) {
      if (p > 40) throw new Error("memo subscriptions not live");
      await memo("red", `probe-${p}`);
      await memo("blue", `probe-${p}`);
      await waitFor(() => subs.every((s) => s.c.pending.length > 0), 500, "probe").catch(() => {});
    }
    for (const s of subs) {
      expect(s.c.error, s.who).toBeUndefined();
      s.c.pending.length = 0;
    }
    expect(t.app.graphql.hub.size - hubBefore).toBe(2);
    await memo("red", "r1");
    await memo("blue", "b1");
    await memo("red", "end");
    await memo("blue", "end");
    for (const s of subs) {
      const team = s.who.split("#")[0]!;
      const got: string[] = [];
      for (let v = await s.c.next(); ; v = await s.c.next()) {
        expect(v.data.memoCreated.team, s.who).toBe(team);
        got.push(v.data.memoCreated.text);
        if (v.data.memoCreated.text === "end") break;
      }
      expect(
        got.filter((x) => !x.startsWith("probe-")),
        s.who,
      ).toEqual([team === "red" ? "r1" : "b1", "end"]);
    }
  });
});
