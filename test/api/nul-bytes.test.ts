/**
 * A NUL character (U+0000) anywhere in a request gets the same clear 4xx on SQLite and
 * PostgreSQL (which cannot store it), never a 500: every REST route of the OpenAPI document,
 * with NUL in each path parameter, each query parameter and each body property, anonymously and
 * as a superadmin; and GraphQL variables and string literals over HTTP (fast lane and Yoga) and
 * graphql-ws.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, wsClient } from "./graphql-helpers.ts";

const NUL = "a\u0000b";
let t: TestApp;
let recordId: string;
let userId: string;
let doc: { paths: Record<string, Record<string, Operation>> };

interface Parameter {
  in: string;
  name: string;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
}

beforeAll(async () => {
  t = await startApp();
  const res = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "things",
      schema: [
        { name: "name", type: "text" },
        { name: "meta", type: "json" },
      ],
      list_rule: "",
      view_rule: "",
      create_rule: "",
      update_rule: "",
    },
  });
  expect(res.status).toBe(201);
  recordId = (await t.api("POST", "/api/v1/collections/things/records", { token: t.adminToken, body: { data: { name: "x" } } })).body.id;
  userId = (await registerUser(t.api)).id;
  doc = (await t.api("GET", "/openapi.json")).body;
});
afterAll(async () => t?.close());

/** A plausible value for a path parameter, so the request reaches the route with the others intact. */
function plausible(name: string, path: string): string {
  if (name === "collection" || name === "idOrName" || name === "name") return "things";
  if (name === "provider") return "google";
  if (name === "user_id") return userId;
  if (name === "id") return path.includes("/records/") ? recordId : path.startsWith("/api/v1/users") ? userId : "1";
  return "x";
}

/** A value of the property's type carrying NUL: a string, a list of one, or an object with a NUL key and value. */
function withNul(schema: JsonSchema | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (type === "array") return [NUL];
  if (type === "object") return { name: NUL, [NUL]: 1 };
  return NUL;
}

interface Probe {
  label: string;
  method: string;
  path: string;
  body?: unknown;
  expected: number;
}

function probes(): Probe[] {
  const out: Probe[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === "path");
      const build = (nulAt?: string) => template.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(n === nulAt ? NUL : plausible(n, template)));
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      const validBody = schema ? {} : undefined;
      const M = method.toUpperCase();
      for (const p of pathParams) out.push({ label: `${M} ${template} path ${p.name}`, method: M, path: build(p.name), body: validBody, expected: 400 });
      for (const p of params.filter((p) => p.in === "query")) {
        out.push({ label: `${M} ${template} query ${p.name}`, method: M, path: `${build()}?${encodeURIComponent(p.name)}=${encodeURIComponent(NUL)}`, body: validBody, expected: 400 });
      }
      for (const [prop, propSchema] of Object.entries(schema?.properties ?? {})) {
        out.push({ label: `${M} ${template} body ${prop}`, method: M, path: build(), body: { [prop]: withNul(propSchema) }, expected: 422 });
      }
    }
  }
  return out;
}

describe("NUL in REST requests", () => {
  it("walks a real OpenAPI document", () => {
    const all = probes();
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((p) => p.label === "POST /api/v1/auth/login body email")).toBe(true);
    expect(all.some((p) => p.label === "GET /api/v1/collections/{collection}/records/{id} path id")).toBe(true);
  });

  for (const actor of ["anonymous", "superadmin"] as const) {
    it(`answers 400 (path, query) or 422 (body) on every route, ${actor}`, async () => {
      const wrong: string[] = [];
      for (const p of probes()) {
        const res = await t.api(p.method, p.path, { token: actor === "superadmin" ? t.adminToken : undefined, body: p.body });
        // R3 CMS routes (spec 004) need a key (401 first) and answer {error:{code,message}}, invalid input as 422
        const r3 = /^\/api\/(content|webhooks)/.test(p.path);
        // Fullfinity routes (spec 002, no 422 there) answer every bad input 400 {detail, error}
        const fullfinity = !r3 && (/^\/auth\//.test(p.path) || /^\/api\/(?!v1\/)/.test(p.path));
        const ok = r3
          ? actor === "anonymous"
            ? res.status === 401
            : res.status === 422 && typeof res.body?.error?.message === "string" && /NUL/.test(res.body.error.message)
          : fullfinity
            ? res.status === 400 && typeof res.body?.detail === "string" && /NUL/.test(res.body.detail)
            : res.status === p.expected && typeof res.body?.message === "string" && /NUL/.test(res.body.message);
        if (!ok) wrong.push(`${p.label}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it("names the field and keeps the record unchanged", async () => {
    const res = await t.api("PATCH", `/api/v1/collections/things/records/${recordId}`, { token: t.adminToken, body: { data: { meta: { k: [1, NUL] } } } });
    expect(res.status).toBe(422);
    expect(res.body.details).toEqual({ "body.data.meta.k[1]": expect.stringContaining("NUL") });
    expect((await t.api("GET", `/api/v1/collections/things/records/${recordId}`)).body.data.meta ?? null).toBeNull();
  });
});

describe("NUL in GraphQL operations", () => {
  const create = "mutation ($data: ThingCreateInput!) { createThing(data: $data) { id } }";
  const expectRefused = (res: { status: number; body: any }) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ message: expect.stringContaining("NUL"), extensions: { code: "BAD_USER_INPUT" } });
    expect(res.body.data ?? null).toBeNull();
  };

  it("refuses NUL in variables (values and keys) and literals over HTTP", async () => {
    expectRefused(await gql(t.url, create, { data: { name: NUL } }, t.adminToken));
    expectRefused(await gql(t.url, create, { data: { meta: { [NUL]: 1 } } }, t.adminToken));
    expectRefused(await gql(t.url, 'mutation { createThing(data: { name: "a\\u0000b" }) { id } }', undefined, t.adminToken));
    expectRefused(await gql(t.url, "query ($id: ID!) { thing(id: $id) { id } }", { id: NUL }));
    expectRefused(await gql(t.url, 'query { things(where: { name: { eq: "\\u0000" } }) { totalCount } }'));
    // Through Yoga itself (a GET), not the JSON fast lane.
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent("query ($id: ID!) { thing(id: $id) { id } }")}&variables=${encodeURIComponent(JSON.stringify({ id: NUL }))}`, {
      headers: { accept: "application/graphql-response+json", "x-graphql-csrf": "1" },
    });
    expectRefused({ status: get.status, body: await get.json() });
    const count = await gql(t.url, "{ things { totalCount } }");
    expect(count.body.data.things.totalCount).toBe(1);
  });

  it("refuses NUL over graphql-ws", async () => {
    const client = wsClient(t.url, t.adminToken);
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let last: unknown;
        client.subscribe({ query: create, variables: { data: { name: NUL } } }, { next: (r) => (last = r), error: reject, complete: () => resolve(last) });
      });
      expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining("NUL"), extensions: { code: "BAD_USER_INPUT" } });
      expect(result.data ?? null).toBeNull();
    } finally {
      await client.dispose();
    }
    expect((await gql(t.url, "{ things { totalCount } }")).body.data.things.totalCount).toBe(1);
  });
});
