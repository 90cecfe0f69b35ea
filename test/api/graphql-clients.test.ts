/**
 * Front-end clients with their default settings against a live server (issue 13 part 9):
 * Apollo Client 4 (HttpLink, InMemoryCache, GraphQLWsLink) and urql 6 (its document cache and
 * fetch exchange, which sends queries as GET; subscriptions over graphql-ws and over
 * graphql-sse). Each runs a query, a mutation and a subscription, and evicts a deleted record
 * from its cache by itself: Apollo from the `parcelDeleted` event's id and __typename, urql from
 * the delete mutation's typename. Runs on SQLite and PostgreSQL.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql as tag, split, type FetchResult } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type SubscriptionForwarder } from "@urql/core";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import type { Client as WsClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { wsClient } from "./graphql-helpers.ts";

let t: TestApp;
let user: { token: string; id: string };
const closers: (() => unknown)[] = [];

const SIGNED_IN = '@request.auth.id != ""';

beforeAll(async () => {
  t = await startApp();
  const made = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "parcels",
      list_rule: "",
      view_rule: "",
      create_rule: SIGNED_IN,
      update_rule: SIGNED_IN,
      delete_rule: SIGNED_IN,
      schema: [
        { name: "label", type: "text", validation: { required: true } },
        { name: "state", type: "select", validation: { values: ["in-transit", "delivered"] } },
      ],
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  user = await registerUser(t.api);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await t?.close();
});

/** Values of an observable-like subscription, taken one by one (no sleeps). */
function collect<T>(subscribe: (sink: { next: (v: T) => void; error: (e: unknown) => void }) => { unsubscribe(): void }) {
  const values: T[] = [];
  let failure: unknown;
  const sub = subscribe({ next: (v) => values.push(v), error: (e) => (failure = e) });
  closers.push(() => sub.unsubscribe());
  return {
    next: async (what: string) => {
      await eventually(async () => values.length > 0 || failure !== undefined, 5000, what);
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
      return values.shift()!;
    },
  };
}

/** Waits until the hub holds `n` more subscriptions than before. */
const subscribed = (before: number) => eventually(async () => t.app.graphql.hub.size > before, 5000, "subscription to start");

describe("Apollo Client (defaults: HttpLink, InMemoryCache; subscriptions over graphql-ws)", () => {
  it("queries, mutates, subscribes and evicts a deleted record from its cache", async () => {
    const ws: WsClient = wsClient(t.url, user.token);
    closers.push(() => ws.dispose());
    const http = new HttpLink({ uri: `${t.url}/graphql`, headers: { authorization: `Bearer ${user.token}` } });
    const link = split(
      ({ query }) => {
        const d = getMainDefinition(query);
        return d.kind === "OperationDefinition" && d.operation === "subscription";
      },
      new GraphQLWsLink(ws),
      http,
    );
    const client = new ApolloClient({ link, cache: new InMemoryCache() });
    closers.push(() => client.stop());

    const before = t.app.graphql.hub.size;
    const created = collect<FetchResult<any>>((sink) => client.subscribe({ query: tag`subscription { parcelCreated { id label state } }` }).subscribe(sink));
    const deleted = collect<FetchResult<any>>((sink) => client.subscribe({ query: tag`subscription { parcelDeleted { id } }` }).subscribe(sink));
    await subscribed(before + 1);

    const made = await client.mutate({ mutation: tag`mutation { createParcel(data: { label: "box", state: IN_TRANSIT }) { id label state } }` });
    const id = (made.data as any).createParcel.id as string;
    expect((await created.next("parcelCreated")).data.parcelCreated).toMatchObject({ id, label: "box", state: "IN_TRANSIT", __typename: "Parcel" });

    const list = await client.query({ query: tag`{ parcels { nodes { id label state } } }` });
    expect((list.data as any).parcels.nodes).toEqual([{ __typename: "Parcel", id, label: "box", state: "IN_TRANSIT" }]);
    const cacheId = client.cache.identify({ __typename: "Parcel", id })!;
    expect(client.cache.extract()).toHaveProperty(cacheId);

    // Deleted elsewhere: the event carries id and __typename, enough for the cache to evict it.
    const gone = await t.api("DELETE", `/api/v1/collections/parcels/records/${id}`, { token: user.token });
    expect(gone.status).toBe(204);
    const event = (await deleted.next("parcelDeleted")).data.parcelDeleted;
    expect(event).toEqual({ __typename: "Parcel", id });
    client.cache.evict({ id: client.cache.identify(event) });
    client.cache.gc();
    expect(client.cache.extract()).not.toHaveProperty(cacheId);
  });
});

describe("urql (defaults: document cache, queries as GET)", () => {
  const clientWith = (forward: SubscriptionForwarder, token?: string) =>
    new Client({
      url: `${t.url}/graphql`,
      exchanges: [cacheExchange, fetchExchange, subscriptionExchange({ forwardSubscription: forward })],
      fetchOptions: (): RequestInit => ({ headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>) }),
    });

  const overWs =
    (ws: WsClient): SubscriptionForwarder =>
    (request) => ({
      subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
    });
  const overSse =
    (sse: SseClient): SubscriptionForwarder =>
    (request) => ({
      subscribe: (sink) => ({ unsubscribe: sse.subscribe({ ...request, query: request.query ?? "" }, sink) }),
    });

  for (const transport of ["graphql-ws", "graphql-sse"] as const) {
    it(`queries anonymously, mutates, subscribes over ${transport}, and refetches after a delete`, async () => {
      let forward: SubscriptionForwarder;
      if (transport === "graphql-ws") {
        const ws = wsClient(t.url, user.token);
        closers.push(() => ws.dispose());
        forward = overWs(ws);
      } else {
        const sse = createSseClient({ url: `${t.url}/graphql`, headers: { authorization: `Bearer ${user.token}` }, retryAttempts: 0 });
        closers.push(() => sse.dispose());
        forward = overSse(sse);
      }
      // anonymous public read, as GET (urql's default): no CSRF header needed without a cookie
      const anon = clientWith(forward);
      const q = `{ parcels(where: { label: { startsWith: "${transport}" } }) { nodes { id label } } }`;
      const first = await anon.query(q, {}).toPromise();
      expect(first.error).toBeUndefined();
      expect(first.data.parcels.nodes).toEqual([]);

      const client = clientWith(forward, user.token);
      const before = t.app.graphql.hub.size;
      const events = collect<any>((sink) => client.subscription(`subscription { parcelCreated { id label } }`, {}).subscribe((r) => (r.error ? sink.error(r.error) : sink.next(r.data))));
      await subscribed(before);
      const made = await client.mutation(`mutation($l: String!) { createParcel(data: { label: $l, state: DELIVERED }) { id label state } }`, { l: `${transport} parcel` }).toPromise();
      expect(made.error).toBeUndefined();
      const id = made.data.createParcel.id;
      expect((await events.next("parcelCreated")).parcelCreated).toMatchObject({ id, label: `${transport} parcel` });

      const listed = await client.query(q, {}).toPromise();
      expect(listed.data.parcels.nodes).toEqual([{ __typename: "Parcel", id, label: `${transport} parcel` }]);
      // urql's document cache drops every cached result holding a Parcel once a mutation returns one
      const del = await client.mutation(`mutation($id: ID!) { deleteParcel(id: $id) { id } }`, { id }).toPromise();
      expect(del.data.deleteParcel).toEqual({ __typename: "Parcel", id });
      const after = await client.query(q, {}).toPromise();
      expect(after.data.parcels.nodes).toEqual([]);
    });
  }
});
