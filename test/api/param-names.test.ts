/**
 * The core names inputs by their domain names (`passwordConfirm`, `accountSlug`, `recordIds`);
 * each dialect renders its own: FastCMS/SnackBase REST the snake_case body keys, GraphQL its
 * argument names. The same core check, reached from each transport, names what that client sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
  expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "title", type: "text" }] } })).status).toBe(201);
});
afterAll(async () => t?.close());

describe("input names per dialect", () => {
  it("a mismatched password confirmation: password_confirm over REST, passwordConfirm over GraphQL", async () => {
    const rest = await t.api("POST", "/api/v1/auth/register", { body: { email: "p1@example.com", password: "Good-pass-1", password_confirm: "Good-pass-2" } });
    expect(rest.status).toBe(422);
    expect(Object.keys(rest.body.details)).toEqual(["password_confirm"]);
    expect(rest.body.message).toContain("password_confirm");
    const g = await gql(t.url, `mutation { register(email: "p2@example.com", password: "Good-pass-1", passwordConfirm: "Good-pass-2") { accessToken } }`);
    expect(g.body.errors[0].extensions.fields).toEqual({ passwordConfirm: expect.any(String) });
    expect(g.body.errors[0].message).toContain("passwordConfirm");
  });

  it("a bad SnackBase account slug is named account_slug", async () => {
    const rest = await t.api("POST", "/api/v1/auth/register", { body: { email: "s1@example.com", password: "Str0ng-Pass-word!", account_name: "Acme", account_slug: "A!" } });
    expect(rest.status).toBe(422);
    expect(rest.body.details).toHaveProperty("account_slug");
    expect(rest.body.details).not.toHaveProperty("accountSlug");
  });

  it("an empty bulk id list is named ids over GraphQL", async () => {
    const { token } = await registerUser(t.api);
    const g = await gql(t.url, `mutation { deleteNotes(ids: []) }`, undefined, token);
    expect(g.body.errors[0].extensions.fields).toEqual({ ids: expect.any(String) });
    expect(g.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});
