/**
 * Shared set-up of the Fullfinity API tests: the signed-in rules, a collection maker and the
 * dialect's create route, each asserting its own success so a broken set-up fails where it happens.
 */
import { expect } from "vitest";
import type { TestApp } from "./app.ts";

export const SIGNED_IN = '@request.auth.id != ""';
/** Every rule open to signed-in callers. */
export const OPEN_RULES = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };

/**
 * Helpers bound to the test's app (read when called: the app starts in beforeAll). `createToken`
 * is the caller `create` uses when none is given (default: the superadmin).
 */
export function fullfinityClient(app: () => TestApp, createToken: () => string = () => app().adminToken) {
  const ff = (method: string, path: string, body?: unknown, token: string | undefined = app().adminToken) => app().api(method, path, { token, body });
  async function collection(body: Record<string, unknown>): Promise<void> {
    const res = await app().api("POST", "/api/v1/collections", { token: app().adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  async function create(model: string, data: Record<string, unknown>, token = createToken()): Promise<string> {
    const res = await ff("POST", `/api/create/${model}`, data, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.id;
  }
  return { ff, collection, create };
}
