/**
 * Clients for the GraphQL API tests: urql over HTTP, graphql-ws over websockets, a raw
 * fetch for status codes and headers, a subscription collector that waits for events with a
 * timeout (no sleeps), and a statement counter on the core database.
 */
import { eventually } from "../helpers/app.ts";
import { Client, fetchExchange, type AnyVariables, type OperationResult } from "@urql/core";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { recordStatements } from "../helpers/statements.ts";
import type { SqlDb } from "../../src/db/sql-db.ts";

/** An urql client (queries may go out as GET, as urql prefers) with an optional bearer token. */
export function urql(base: string, token?: string): Client {
  return new Client({
    url: `${base}/graphql`,
    exchanges: [fetchExchange],
    requestPolicy: "network-only",
    fetchOptions: (): RequestInit => ({ headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>) }),
  });
}

export interface RawResult {
  status: number;
  body: any;
  headers: Headers;
}

/** POSTs one GraphQL request with fetch; returns the status and the parsed body. */
export async function gql(base: string, query: string, variables?: Record<string, unknown>, token?: string, headers: Record<string, string> = {}): Promise<RawResult> {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Data of a successful urql result; fails the test with the errors otherwise. */
export function dataOf<T = any>(r: OperationResult<T, AnyVariables>): T {
  if (r.error) throw new Error(`GraphQL error: ${r.error.message} ${JSON.stringify(r.error.graphQLErrors.map((e) => e.extensions))}`);
  return r.data as T;
}

/** A graphql-ws client authenticating with `connectionParams.authorization`. */
export function wsClient(base: string, token?: string): WsClient {
  return createClient({
    url: `${base.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
  });
}

/** Events of one subscription, awaited one by one with a timeout. */
export interface Collector<T = any> {
  /** resolves with the next value (in order), or rejects after `ms` */
  next(ms?: number): Promise<T>;
  /** resolves when the subscription completed (after the values taken so far) */
  completed(ms?: number): Promise<void>;
  /** values received and not yet taken */
  readonly pending: T[];
  /** the error the sink received, if any */
  error: unknown;
  dispose(): void;
}

/** Subscribes and collects every `next` payload (data and errors). */
export function subscribe<T = any>(client: WsClient, query: string, variables?: Record<string, unknown>): Collector<T> {
  const values: T[] = [];
  const waiters: (() => void)[] = [];
  let done = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const c: Collector<T> = {
    pending: values,
    error: undefined,
    dispose: () => {},
    async next(ms = 5000) {
      const deadline = Date.now() + ms;
      while (values.length === 0) {
        if (done) throw new Error(`subscription ended without another value (error: ${JSON.stringify(c.error)})`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription event within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return values.shift()!;
    },
    async completed(ms = 5000) {
      const deadline = Date.now() + ms;
      while (!done) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`subscription did not complete within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
  c.dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        values.push(v as T);
        wake();
      },
      error: (e) => {
        c.error = e;
        done = true;
        wake();
      },
      complete: () => {
        done = true;
        wake();
      },
    },
  );
  return c;
}

/** Waits until the graphql-ws client is connected and acknowledged. */
export function connected(client: WsClient, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("websocket not connected")), ms);
    client.on("connected", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Counts the SQL statements the core database runs (reads and writes) while enabled. */
export function countStatements(db: SqlDb): { readonly count: number; readonly statements: string[]; reset(): void; restore(): void } {
  const recorder = recordStatements(db, { writes: true });
  return {
    get count() {
      return recorder.count;
    },
    get statements() {
      return recorder.texts();
    },
    reset: () => recorder.reset(),
    restore: () => recorder.restore(),
  };
}

/** Polls `cond` (every 5 ms) until it holds; rejects after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000, what = "condition"): Promise<void> {
  await eventually(async () => await cond(), ms, what, 5);
}

/** A GraphQL subscription over server-sent events (Yoga's distinct-connection mode). */
export function sse(base: string, query: string, variables?: Record<string, unknown>, token?: string): { next(ms?: number): Promise<any>; events: string[]; close(): void; status: Promise<number> } {
  const controller = new AbortController();
  const values: any[] = [];
  const events: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let resolveStatus!: (n: number) => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  (async () => {
    const res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    resolveStatus(res.status);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = frame
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (event) events.push(event);
        if (event === "next" && data) values.push(JSON.parse(data));
        wake?.();
      }
    }
  })()
    .catch(() => {})
    .finally(() => {
      ended = true;
      wake?.();
    });
  return {
    events,
    status,
    close: () => controller.abort(),
    async next(ms = 5000) {
      const deadline = Date.now() + ms;
      while (values.length === 0) {
        if (ended) throw new Error("event stream ended");
        if (Date.now() > deadline) throw new Error(`no SSE event within ${ms} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return values.shift();
    },
  };
}

/** Collection rules letting every signed-in user use the records (anonymous callers get 401). */
export const SIGNED_IN = '@request.auth.id != ""';
export const SIGNED_IN_RULES = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN } as const;
