/**
 * GraphQL request limits on every transport: documents longer than the length limit are refused
 * before parsing and documents with too many tokens while parsing, so a megabyte of selections
 * neither costs the server more than a few milliseconds nor delays other requests; depth, alias
 * and cost limits and over-deep variables answer HTTP 400 whatever the `Accept` header, over
 * Yoga, the JSON fast lane and graphql-ws alike. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INPUT_LIMITS, nestedDeeperThan } from "../../src/graphql/use-input-limits.ts";
import { LIMITS } from "../../src/graphql/yoga.ts";
import { connected, subscribe, wsClient } from "./graphql-helpers.ts";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
const SIGNED_IN = '@request.auth.id != ""';

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      list_rule: SIGNED_IN,
      view_rule: SIGNED_IN,
      name: "folders",
      schema: [
        { name: "name", type: "text" },
        { name: "parent", type: "reference", relation: { collection: "folders" } },
      ],
    },
  });
  expect(res.status).toBe(201);
});
afterAll(async () => t?.close());

/** 95,000 `__typename` selections: just under a megabyte, just under the default body limit. */
const HUGE = `{ ${"__typename ".repeat(95_000)}}`;
/** Short enough, but more tokens than allowed. */
const MANY_TOKENS = `{ ${"a ".repeat(INPUT_LIMITS.maxTokens)}}`;
let deep = "id";
for (let i = 0; i < LIMITS.maxDepth; i++) deep = `parent { ${deep} }`;
const TOO_DEEP = `{ folders { nodes { ${deep} } } }`;
const TOO_MANY_ALIASES = `{ ${Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `a${i}: folders(first: 1) { totalCount }`).join(" ")} }`;
let subtree = "id name created updated version ownerId";
for (let i = 0; i < 9; i++) subtree = `id name created updated version ownerId parent { ${subtree} }`;
const TOO_COSTLY = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: folders { nodes { ${subtree} } }`).join(" ")} }`;

/** An inline `where` nested `depth` levels (four tokens a level: well within the token limit). */
function inlineWhere(depth: number): string {
  let w = '{ name: { eq: "a" } }';
  for (let i = 0; i < depth; i++) w = `{ AND: [${w}] }`;
  return `{ folders(where: ${w}) { totalCount } }`;
}

const cases: [name: string, query: string, message: RegExp, variables?: Record<string, unknown>][] = [
  ["a 1 MB document", HUGE, /at most 50000/],
  ["too many tokens", MANY_TOKENS, /more than 5000 tokens/],
  ["too deep", TOO_DEEP, /depth limit of 12/],
  ["braces nested too deep", inlineWhere(1_200), /nests more than 128 levels/],
  ["too many aliases", TOO_MANY_ALIASES, /aliases/i],
  ["too costly", TOO_COSTLY, /cost/i],
  [
    "variables too deep",
    "query($ids: [ID!]) { folders(where: { id: { in: $ids } }) { totalCount } }",
    /"\$ids" is nested more than 128 levels/,
    { ids: JSON.parse("[".repeat(200) + "]".repeat(200)) },
  ],
];

/** POST /graphql; with an Origin header the request goes through Yoga, without it through the fast lane. */
async function post(query: string, opts: { accept?: string; origin?: string; variables?: Record<string, unknown> } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${t.adminToken}` };
  if (opts.accept) headers.accept = opts.accept;
  if (opts.origin) headers.origin = opts.origin;
  const res = await fetch(`${t.url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables: opts.variables }) });
  return { status: res.status, body: (await res.json()) as any };
}

describe("refused with 400 BAD_USER_INPUT over HTTP", () => {
  for (const accept of ["application/json", "application/graphql-response+json", undefined]) {
    for (const origin of [undefined, "http://elsewhere.example"]) {
      it.each(cases)(`%s (accept ${accept}, ${origin ? "Yoga" : "fast lane"})`, async (_name, query, message, variables) => {
        const res = await post(query, { accept, origin, variables });
        expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
        expect(res.body.data ?? null).toBeNull();
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0].message).toMatch(message);
        expect(res.body.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT" });
      });
    }
  }

  it("still answers documents within the limits", async () => {
    const wide = await post(`{ ${"__typename ".repeat(100)}}`);
    expect(wide).toEqual({ status: 200, body: { data: { __typename: "Query" } } });
    const ok = await post(`{ folders { nodes { ${"parent { ".repeat(LIMITS.maxDepth - 3)}id${" }".repeat(LIMITS.maxDepth - 3)} } } }`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ data: { folders: { nodes: [] } } });
  });
});

describe("document nesting", () => {
  it("is measured outside strings and comments", () => {
    expect(nestedDeeperThan("{ a { b } }", 2)).toBe(false);
    expect(nestedDeeperThan("{ a { b { c } } }", 2)).toBe(true);
    expect(nestedDeeperThan(`{ a(s: "{{{{[[[(((") # {{{{{{\n b }`, 2)).toBe(false);
    expect(nestedDeeperThan(`{ a(s: """ {{{{ \\""" {{{{ """) { b } }`, 2)).toBe(false);
    expect(nestedDeeperThan(`{ a(s: "\\"{{{{") { b { c } } }`, 2)).toBe(true);
  });

  it("within the limit, a deep inline where still gets the where-depth error, not a 500", async () => {
    const res = await post(inlineWhere(60), { accept: "application/graphql-response+json" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/nested too deeply/);
  });
});

describe("refused over graphql-ws", () => {
  it.each(cases)("%s", async (_name, query, message, variables) => {
    const client = wsClient(t.url, t.adminToken);
    try {
      await connected(client);
      // The websocket carries at most the body limit per message: the 1 MB case sends a bit less.
      const sub = subscribe(client, query === HUGE ? `{ ${"__typename ".repeat(90_000)}}` : query, variables);
      await sub.completed().catch(() => {});
      const errors = (sub.error ?? sub.pending[0]?.errors) as { message: string; extensions?: Record<string, unknown> }[];
      expect(Array.isArray(errors), JSON.stringify(sub.error ?? sub.pending).slice(0, 300)).toBe(true);
      expect(errors[0]!.message).toMatch(message);
      expect(errors[0]!.extensions?.http).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });
});

describe("a huge document costs the server almost nothing", () => {
  it("is refused by the envelop pipeline in under 10 ms, before parsing", () => {
    const { parse } = t.app.graphql.yoga.getEnveloped({});
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      expect(() => parse(HUGE)).toThrow(/at most 50000/);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    expect(times[3]!).toBeLessThan(10);
  });

  it("answers in well under the time it used to hold the server, and /health stays prompt meanwhile", async () => {
    const inFlight = Array.from({ length: 8 }, () => post(HUGE));
    const start = performance.now();
    const health = await fetch(`${t.url}/health`);
    const healthMs = performance.now() - start;
    expect(health.status).toBe(200);
    const results = await Promise.all(inFlight);
    const allMs = performance.now() - start;
    for (const r of results) expect(r.status).toBe(400);
    // Before the limit, each of these held the event loop for seconds while it was parsed.
    expect(healthMs).toBeLessThan(500);
    expect(allMs).toBeLessThan(2_000);
  });
});
