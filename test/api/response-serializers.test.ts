/**
 * Response serializers are compiled on a route's first reply (src/lib/lazy-serializers.ts, for
 * idle memory): a route replies through its schema's serializer once called, each status's
 * serializer is compiled once, and every response schema of every route still compiles (what
 * Fastify used to prove at start-up).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { lazySerializersOf } from "../../src/lib/lazy-serializers.ts";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});

afterAll(async () => {
  await t?.close();
});

it("compiles a route's serializer on its first reply, once, and serializes through it", async () => {
  const serializers = lazySerializersOf(t.app.server)!;
  expect(serializers).toBeDefined();
  const before = serializers.pending;
  // the start-up compiled next to none of them (the admin login compiled its own)
  expect(before).toBeGreaterThan(100);

  const first = await t.api("GET", "/health");
  expect(first.status).toBe(200);
  // the schema's serializer wrote it: the schema's properties, integer schema version
  expect(first.body).toEqual({
    status: "healthy",
    service: "cairn",
    version: "0.1.0",
    environment: expect.any(String),
    readonly: false,
    database: expect.any(String),
    schema_version: expect.any(Number),
  });
  // /health's 200 serializer, not its 503 one
  expect(serializers.pending).toBe(before - 1);

  const second = await t.api("GET", "/health");
  expect(second.body).toEqual(first.body);
  expect(serializers.pending).toBe(before - 1);
});

it("compiles every route's response schemas", () => {
  const serializers = lazySerializersOf(t.app.server)!;
  expect(serializers.compileAll()).toBeGreaterThan(100);
  expect(serializers.pending).toBe(0);
});
