/**
 * The core names inputs by their domain names (`passwordConfirm`, `accountSlug`, `recordIds`);
 * each dialect renders its own: FastCMS/SnackBase REST the snake_case body keys, GraphQL its
 * argument names. The same core check, reached from each transport, names what that client sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
const REDIRECT_URI = "http://127.0.0.1:5999/oauth-done";
beforeAll(async () => {
  // GitHub is configured so that /authorize works; it is never contacted in these cases.
  t = await startApp({}, { CAIRN_OAUTH_GITHUB_CLIENT_ID: "gh-client", CAIRN_OAUTH_GITHUB_CLIENT_SECRET: "gh-secret" });
  expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...SIGNED_IN_RULES, name: "notes", schema: [{ name: "title", type: "text" }] } })).status).toBe(201);
});
afterAll(async () => t?.close());

/** No domain (camelCase) input name leaks into what a REST client sees. */
function expectNoDomainNames(body: unknown): void {
  expect(JSON.stringify(body)).not.toMatch(/oldPassword|newPassword|passwordConfirm|refreshToken|redirectUri|roleId|isActive|accountId|authProvider/);
}

/** The reset token of the newest reset mail to `to` (mail outbox, superadmin route). */
async function resetToken(to: string): Promise<string> {
  expect((await t.api("POST", "/api/v1/auth/forgot-password", { body: { email: to } })).status).toBe(200);
  const mail = await t.api("GET", `/api/v1/mail?to=${encodeURIComponent(to)}&kind=reset_password&limit=1`, { token: t.adminToken });
  const m = /^Token: (\S+)$/m.exec(mail.body.items[0]?.text ?? "");
  expect(m).not.toBeNull();
  return m![1]!;
}

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

  it("password change: old_password, new_password and new_password_confirm over REST", async () => {
    const u = await registerUser(t.api);
    const change = (body: unknown) => t.api("POST", "/api/v1/auth/change-password", { token: u.token, body });
    const mismatch = await change({ old_password: "User-pass-123", new_password: "Newer-pass-1", new_password_confirm: "Newer-pass-2" });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.details).toEqual({ new_password_confirm: "does not match new_password" });
    expect(mismatch.body.message).toBe("Invalid new_password_confirm: does not match new_password");
    const weak = await change({ old_password: "User-pass-123", new_password: "short" });
    expect(weak.status).toBe(422);
    expect(Object.keys(weak.body.details)).toEqual(["new_password"]);
    expect(weak.body.message).toMatch(/^Invalid new_password: new_password must be at least/);
    const wrong = await change({ old_password: "Not-my-pass-1", new_password: "Newer-pass-1" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual({ old_password: "is incorrect" });
    for (const r of [mismatch, weak, wrong]) expectNoDomainNames(r.body);
    expect((await change({ old_password: "User-pass-123", new_password: "Newer-pass-1", new_password_confirm: "Newer-pass-1" })).status).toBe(204);
  });

  it("password reset: new_password and password_confirm over REST", async () => {
    const u = await registerUser(t.api);
    const token = await resetToken(u.email);
    const reset = (body: unknown) => t.api("POST", "/api/v1/auth/reset-password", { body: { token, ...(body as object) } });
    const missing = await reset({});
    expect(missing.status).toBe(422);
    expect(missing.body.details).toEqual({ new_password: "is required" });
    expect(missing.body.message).toBe("Invalid new_password: is required");
    const weak = await reset({ new_password: "weak" });
    expect(weak.status).toBe(422);
    expect(Object.keys(weak.body.details)).toEqual(["new_password"]);
    const mismatch = await reset({ password: "Reset-pass-98", password_confirm: "Reset-pass-97" });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.details).toEqual({ password_confirm: "does not match password" });
    const weakPassword = await reset({ password: "weak", password_confirm: "weak" });
    expect(Object.keys(weakPassword.body.details)).toEqual(["password"]);
    for (const r of [missing, weak, mismatch, weakPassword]) expectNoDomainNames(r.body);
    expect((await reset({ new_password: "Reset-pass-99" })).status).toBe(200);
  });

  it("SnackBase /users: new_password and role_id, each rule message naming new_password", async () => {
    const created = await t.api("POST", "/api/v1/users", { token: t.adminToken, body: { email: `n${Date.now()}@example.com`, password: "Str0ng-Pass-word!" } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const weak = await t.api("PUT", `/api/v1/users/${id}/password`, { token: t.adminToken, body: { new_password: "alllowercase!1" } });
    expect(weak.status).toBe(400);
    expect(weak.body.details).toEqual({ new_password: "must contain at least one uppercase letter", password_no_uppercase: "new_password must contain at least one uppercase letter" });
    expect(weak.body.message).toBe("Invalid new_password: new_password must contain at least one uppercase letter");
    const empty = await t.api("PUT", `/api/v1/users/${id}/password`, { token: t.adminToken, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.details).toEqual({ new_password: "is required" });
    const role = await t.api("PATCH", `/api/v1/users/${id}`, { token: t.adminToken, body: { role_id: "" } });
    expect(role.status).toBe(422);
    expect(role.body.details).toEqual({ role_id: "must be a role id or name" });
    expect(role.body.message).toBe("Invalid role_id: must be a role id or name");
    const createRole = await t.api("POST", "/api/v1/users", { token: t.adminToken, body: { email: `m${Date.now()}@example.com`, password: "Str0ng-Pass-word!", role_id: "" } });
    expect(createRole.status).toBe(422);
    expect(Object.keys(createRole.body.details)).toEqual(["role_id"]);
    for (const r of [weak, empty, role, createRole]) expectNoDomainNames(r.body);
    // the parsed names reach the core: role and active flag change
    const patched = await t.api("PATCH", `/api/v1/users/${id}`, { token: t.adminToken, body: { role_id: "admin", is_active: false } });
    expect(patched.body).toMatchObject({ role_id: 1, is_active: false });
    const listed = await t.api("GET", `/api/v1/users?role_id=admin&is_active=false&account_id=default`, { token: t.adminToken });
    expect(listed.body.items.map((x: { id: string }) => x.id)).toEqual([id]);
  });

  it("OAuth: redirect_uri over REST", async () => {
    const bad = await t.api("POST", "/api/v1/auth/oauth/github/authorize", { body: { redirect_uri: "not a url" } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.details)).toEqual(["redirect_uri"]);
    expect(bad.body.message).toMatch(/^Invalid OAuth request: redirect_uri must be/);
    const started = await t.api("POST", "/api/v1/auth/oauth/github/authorize", { body: { redirect_uri: REDIRECT_URI } });
    expect(started.status).toBe(200);
    const mismatch = await t.api("POST", "/api/v1/auth/oauth/github/callback", { body: { code: "c", state: started.body.state, redirect_uri: `${REDIRECT_URI}/elsewhere` } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details).toEqual({ redirect_uri: "does not match the authorize request" });
    expect(mismatch.body.message).toBe("redirect_uri does not match the one the sign-in started with");
    for (const r of [bad, mismatch]) expectNoDomainNames(r.body);
  });

  it("refresh and logout: refresh_token over REST, refreshToken over GraphQL", async () => {
    const u = await registerUser(t.api);
    const rest = await t.api("POST", "/api/v1/auth/refresh", { body: { refresh_token: u.refreshToken } });
    expect(rest.status).toBe(200);
    const g = await gql(t.url, `mutation($r: String!) { refreshToken(refreshToken: $r) { refreshToken } }`, { r: rest.body.refresh_token });
    expect(g.body.errors).toBeUndefined();
    const next = g.body.data.refreshToken.refreshToken;
    expect(next).toEqual(expect.any(String));
    // REST logout with refresh_token ends that session: the token is refused afterwards
    expect((await t.api("POST", "/api/v1/auth/logout", { body: { refresh_token: next } })).status).toBe(204);
    const after = await t.api("POST", "/api/v1/auth/refresh", { body: { refresh_token: next } });
    expect(after.status).toBe(401);
    expect(after.body.message).toBe("Invalid or expired refresh token");
  });
});
