/**
 * Request validators are compiled on a route's first request (src/lib/lazy-validators.ts, for
 * idle memory): a route validates through its schema once called (refusals, coercion and
 * defaults as before), each part's validator is compiled once, and every request schema of every
 * route still compiles (what Fastify used to prove at start-up).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { lazyValidatorsOf } from "../../src/lib/lazy-validators.ts";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});

afterAll(async () => {
  await t?.close();
});

it("compiles a route's validators on its first request, once, and validates through them", async () => {
  const validators = lazyValidatorsOf(t.app.server)!;
  expect(validators).toBeDefined();
  const before = validators.pending;
  expect(before).toBeGreaterThan(100);

  const refused = await t.api("POST", "/api/v1/auth/register", { body: { email: "someone@example.com" } });
  expect(refused.status).toBe(422);
  expect(JSON.stringify(refused.body)).toContain("password");
  const compiled = before - validators.pending;
  expect(compiled).toBeGreaterThan(0);

  const again = await t.api("POST", "/api/v1/auth/register", { body: { email: "someone@example.com" } });
  expect(again.status).toBe(422);
  expect(again.body).toEqual(refused.body);
  expect(before - validators.pending).toBe(compiled);
});

it("coerces query strings as before (`per_page` arrives as a number)", async () => {
  const list = await t.api("GET", "/api/v1/collections?per_page=1", { token: t.adminToken });
  expect(list.status).toBe(200);
  const bad = await t.api("GET", "/api/v1/collections?per_page=lots", { token: t.adminToken });
  expect(bad.status).toBe(422);
});

it("compiles every route's request schemas", () => {
  const validators = lazyValidatorsOf(t.app.server)!;
  expect(validators.compileAll()).toBeGreaterThan(100);
  expect(validators.pending).toBe(0);
});
