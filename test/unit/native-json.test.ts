/**
 * Record lists serialized natively (rest/http/native-json.ts) answer the same bytes as the
 * route's schema serializer. Two Fastify routes share the FastCMS list schema: one serializes
 * through the schema (fast-json-stringify, as every route does), the other goes through
 * `nativeJsonWhenConforming`; every payload of the table must come back byte-for-byte equal, with
 * the same content type. The table holds pages the check accepts (texts that need escaping,
 * unicode, lone surrogates, JSON values, expansions) and pages it must refuse (a Date, a number
 * for a string, a fractional integer, a bigint, a null `data`, undeclared or reordered keys),
 * and the test asserts which path each took, so neither side of the check goes untested.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformsNatively, nativeJsonWhenConforming } from "../../src/rest/http/native-json.ts";
import { listSchema, recordSchema } from "../../src/rest/fastcms/records.ts";
import { listSchema as snackbaseListSchema } from "../../src/rest/snackbase/records.ts";

const record = (i: number, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: `0190c2a1-1111-7000-8000-${String(i).padStart(12, "0")}`,
  data,
  created: "2026-12-04T04:00:00.000Z",
  updated: "2026-12-04T04:00:01.000Z",
  version: i + 1,
  owner_id: i % 2 ? null : "u1",
  expand: null,
  ...extra,
});
const page = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  items,
  total: 31,
  page: 1,
  per_page: 30,
  total_pages: 2,
  next_cursor: "WyJhIl0",
  prev_cursor: null,
  has_more: true,
  ...extra,
});

const texts = {
  plain: "Post 1: lorem ipsum",
  quotes: 'say "hi" \\ back\\slash',
  control: "tab\there\nnewline \u0000 nul \u001f",
  long: "<p>lorem ipsum dolor</p>".repeat(400),
  longEscaped: `${'<p>a "quoted" word</p>'.repeat(300)}\n`,
  unicode: "Ünïcødé — ✓ 日本語 😀",
  loneSurrogate: "broken \ud800 pair \udc00",
  separators: "line\u2028para\u2029",
  empty: "",
};

const accepted: [string, unknown][] = [
  ["empty page", page([], { next_cursor: null, has_more: false })],
  [
    "texts of every kind",
    page(Object.entries(texts).map(([k, v], i) => record(i, { title: k, body: v, views: i * 1.5, published: i % 2 === 0, tags: ["a", v], meta: { nested: { v } }, nothing: null }))),
  ],
  ["a projection (fewer data keys) and no total", page([record(0, { title: "x" })], { total: -1, total_pages: -1 })],
  [
    "expansions (null-prototype object, nested records)",
    page([record(0, { author: "a1" }, { expand: Object.assign(Object.create(null), { author: record(5, { name: 'Ann "A"' }), comments: [record(6, { body: texts.control })], none: null }) })]),
  ],
  ["undefined values are skipped by both", page([record(0, { title: "x", gone: undefined }, { owner_id: undefined })])],
  ["numbers at the edges", page([record(0, { big: 1e21, small: 5e-324, neg: -0, nan: Number.NaN })], { total: 2 ** 53 - 1 })],
];

const refused: [string, unknown][] = [
  ["a Date where a string is declared", page([record(0, { title: "x" }, { created: new Date("2026-12-04T04:00:00Z") })])],
  ["a number where a string is declared", page([record(0, { title: "x" }, { id: 42 })])],
  ["null where only a string is declared", page([record(0, { title: "x" }, { updated: null })])],
  ["a fractional integer", page([record(0, { title: "x" }, { version: 1.5 })])],
  ["a bigint integer", page([record(0, { title: "x" })], { total: 31n })],
  ["a null free-form object", page([record(0, null as never)])],
  ["an undeclared key (stripped by the schema)", page([record(0, { title: "x" }, { secret: "s" })])],
  ["keys out of the schema's order", page([Object.assign({ data: {} }, record(0, { title: "x" }))])],
  ["a string for a boolean", page([], { has_more: "yes" })],
  ["an object with toJSON", page([record(0, { title: "x" })], { next_cursor: { toJSON: () => "c" } })],
];

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify();
  let next: unknown;
  app.get("/schema", { schema: { response: { 200: listSchema } } }, async () => next);
  app.get("/native", { schema: { response: { 200: listSchema } } }, async (_req, reply) => nativeJsonWhenConforming(reply, listSchema, next));
  app.get("/record/schema", { schema: { response: { 200: recordSchema } } }, async () => next);
  app.get("/record/native", { schema: { response: { 200: recordSchema } } }, async (_req, reply) => nativeJsonWhenConforming(reply, recordSchema, next));
  app.get("/snackbase/schema", { schema: { response: { 200: snackbaseListSchema } } }, async () => next);
  app.get("/snackbase/native", { schema: { response: { 200: snackbaseListSchema } } }, async (_req, reply) => nativeJsonWhenConforming(reply, snackbaseListSchema, next));
  app.decorate("setNext", (v: unknown) => (next = v));
  await app.ready();
});
afterAll(() => app.close());

async function both(payload: unknown, prefix = "") {
  (app as unknown as { setNext(v: unknown): void }).setNext(payload);
  const a = await app.inject({ method: "GET", url: `${prefix}/schema` });
  const b = await app.inject({ method: "GET", url: `${prefix}/native` });
  return { a, b };
}

describe("record lists serialized natively", () => {
  it.each(accepted)("%s: taken natively, same bytes as the schema serializer", async (_name, payload) => {
    expect(conformsNatively(payload, listSchema)).toBe(true);
    const { a, b } = await both(payload);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.headers["content-type"]).toBe(a.headers["content-type"]);
    expect(b.body).toBe(a.body);
    expect(b.body).toBe(JSON.stringify(payload));
  });

  it.each(refused)("%s: refused, the schema serializer answers", async (_name, payload) => {
    expect(conformsNatively(payload, listSchema)).toBe(false);
    const { a, b } = await both(payload);
    expect(b.statusCode).toBe(a.statusCode);
    expect(b.headers["content-type"]).toBe(a.headers["content-type"]);
    expect(b.body).toBe(a.body);
  });

  // one record (GET …/records/:id): each record of the pages above, alone
  const single = (cases: [string, unknown][]) => cases.flatMap(([name, p]) => ((p as { items?: unknown[] }).items ?? []).map((item, i): [string, unknown] => [`${name} #${i}`, item]));
  it.each(single(accepted))("one record, %s: taken natively, same bytes as the schema serializer", async (_name, rec) => {
    expect(conformsNatively(rec, recordSchema)).toBe(true);
    const { a, b } = await both(rec, "/record");
    expect(a.statusCode).toBe(200);
    expect(b.headers["content-type"]).toBe(a.headers["content-type"]);
    expect(b.body).toBe(a.body);
    expect(b.body).toBe(JSON.stringify(rec));
  });
  it.each(single(refused).filter(([name]) => !name.startsWith("a bigint") && !name.startsWith("an object with toJSON")))(
    "one record, %s: refused, the schema serializer answers",
    async (_name, rec) => {
      expect(conformsNatively(rec, recordSchema)).toBe(false);
      const { a, b } = await both(rec, "/record");
      expect(b.statusCode).toBe(a.statusCode);
      expect(b.headers["content-type"]).toBe(a.headers["content-type"]);
      expect(b.body).toBe(a.body);
    },
  );

  const flat = (i: number, extra: Record<string, unknown> = {}) => ({
    id: `r${i}`,
    title: texts.longEscaped,
    body: texts.control,
    views: i,
    tags: ["x"],
    created_at: "2026-12-04T04:00:00.000Z",
    ...extra,
  });
  it.each([
    ["SnackBase page", { items: [flat(0), flat(1, { account_id: null })], total: 2, skip: 0, limit: 30 }, true],
    ["SnackBase page with a Date inside a record (free-form: JSON.stringify either way)", { items: [flat(0, { at: new Date(0) })], total: 1, skip: 0, limit: 30 }, true],
    ["SnackBase page with a null record", { items: [null], total: 1, skip: 0, limit: 30 }, false],
    ["SnackBase page with an undeclared key", { items: [], total: 0, skip: 0, limit: 30, extra: 1 }, false],
  ])("%s: same bytes as the schema serializer", async (_name, payload, native) => {
    expect(conformsNatively(payload, snackbaseListSchema)).toBe(native);
    const { a, b } = await both(payload, "/snackbase");
    expect(b.statusCode).toBe(a.statusCode);
    expect(b.headers["content-type"]).toBe(a.headers["content-type"]);
    expect(b.body).toBe(a.body);
  });

  it("refuses schemas with keywords it does not know (format, enum, …)", () => {
    expect(conformsNatively("2026-12-04T04:00:00Z", { type: "string", format: "date-time" } as never)).toBe(false);
    expect(conformsNatively({ a: 1 }, { type: "object", properties: { a: { type: "integer" } }, required: ["a", "b"] })).toBe(false);
    expect(conformsNatively({ a: 1 }, { type: "object", properties: { a: { type: "integer" } }, required: ["a"] })).toBe(true);
  });
});
