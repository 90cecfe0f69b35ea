/**
 * Invitations (issue 10 part 3) over real HTTP and GraphQL: an account admin invites an
 * address with a role; the token arrives through the mail outbox; accepting it with a password
 * creates the user in that account and signs them in; the token works once; expired, revoked
 * and re-sent (old) tokens → 400; list, resend and revoke stay inside the account; plain users
 * and other tenants' admins are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type ApiClient, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let api: ApiClient;
const STRONG = "SecurePass123!";
const tag = () => Math.random().toString(36).slice(2, 8);
const addr = (p: string) => `${p}-${tag()}@example.com`;

interface Tenant {
  id: string;
  adminToken: string;
  userToken: string;
}

async function signedIn(account: string, role: 1 | 2): Promise<string> {
  const email = addr(role === 1 ? "admin" : "user");
  expect((await api("POST", "/api/v1/users", { token: t.adminToken, body: { email, password: STRONG, account_id: account, role_id: role } })).status).toBe(201);
  const login = await api("POST", "/api/v1/auth/login", { body: { account, email, password: STRONG } });
  expect(login.status).toBe(200);
  return login.body.token;
}

async function tenant(): Promise<Tenant> {
  const res = await api("POST", "/api/v1/accounts", { token: t.adminToken, body: { name: `Tenant ${tag()}` } });
  expect(res.status).toBe(201);
  return { id: res.body.id, adminToken: await signedIn(res.body.id, 1), userToken: await signedIn(res.body.id, 2) };
}

/** The token of the newest invitation mail to `to` (outbox, superadmin route). */
async function mailedToken(to: string): Promise<string> {
  const res = await api("GET", `/api/v1/mail?to=${encodeURIComponent(to)}&kind=invitation&limit=1`, { token: t.adminToken });
  expect(res.status).toBe(200);
  const mail = res.body.items[0];
  expect(mail, `no invitation mail to ${to}`).toBeDefined();
  const m = /^Token: (\S+)$/m.exec(mail.text);
  expect(m).not.toBeNull();
  return m![1]!;
}

let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  a = await tenant();
  b = await tenant();
});
afterAll(async () => t?.close());

describe("invite and accept", () => {
  it("the invitee accepts with the mailed token, lands in the account with the role, and is signed in", async () => {
    const email = addr("invitee");
    const sent = await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email, role_id: "user" } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ account_id: a.id, email, role_id: 2, role_name: "user", status: "pending", sent_count: 1, accepted_at: null });
    expect(sent.body).not.toHaveProperty("token");
    const token = await mailedToken(email);

    const weak = await api("POST", "/api/v1/invitations/accept", { body: { token, password: "weak" } });
    expect(weak.status).toBe(400);
    expect(weak.body.details).toHaveProperty("password_too_short");

    const accepted = await api("POST", "/api/v1/invitations/accept", { body: { token, password: STRONG, name: "New Person" } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ token: expect.any(String), refresh_token: expect.any(String), account: { id: a.id }, user: { email, role: "user", email_verified: true } });
    const me = await api("GET", "/api/v1/auth/me", { token: accepted.body.token });
    expect(me.body).toMatchObject({ account_id: a.id, email });
    expect((await api("POST", "/api/v1/auth/login", { body: { account: a.id, email, password: STRONG } })).status).toBe(200);

    const again = await api("POST", "/api/v1/invitations/accept", { body: { token, password: STRONG } });
    expect(again.status).toBe(400);
    expect(again.body.message).toBe("Invalid or expired invitation");
    const shown = await api("GET", `/api/v1/invitations/${sent.body.id}`, { token: a.adminToken });
    expect(shown.body).toMatchObject({ status: "accepted", accepted_by: accepted.body.user.id });
    // a member cannot be invited again
    expect((await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email } })).status).toBe(409);
  });

  it("the token in the path works too, and an admin role is granted as invited", async () => {
    const email = addr("second-admin");
    expect((await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email, role_id: 1 } })).status).toBe(201);
    const res = await api("POST", `/api/v1/invitations/${await mailedToken(email)}/accept`, { body: { password: STRONG } });
    expect(res.status).toBe(200);
    expect(res.body.user.role).toBe("admin");
  });

  it("expired, revoked and replaced tokens → 400; unknown tokens too", async () => {
    const expiring = addr("late");
    const sent = await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email: expiring } });
    const token = await mailedToken(expiring);
    await t.app.services.prisma.invitation.update({ where: { id: sent.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await api("POST", "/api/v1/invitations/accept", { body: { token, password: STRONG } })).status).toBe(400);
    expect((await api("GET", `/api/v1/invitations/${sent.body.id}`, { token: a.adminToken })).body.status).toBe("expired");
    expect((await api("GET", "/api/v1/invitations?status=expired", { token: a.adminToken })).body.items.map((i: any) => i.id)).toContain(sent.body.id);

    // re-sending renews it: a new token, the old one dead
    const resent = await api("POST", `/api/v1/invitations/${sent.body.id}/resend`, { token: a.adminToken });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ status: "pending", sent_count: 2 });
    const fresh = await mailedToken(expiring);
    expect(fresh).not.toBe(token);
    expect((await api("POST", "/api/v1/invitations/accept", { body: { token, password: STRONG } })).status).toBe(400);

    const revoked = await api("DELETE", `/api/v1/invitations/${sent.body.id}`, { token: a.adminToken });
    expect(revoked.status).toBe(204);
    expect((await api("POST", "/api/v1/invitations/accept", { body: { token: fresh, password: STRONG } })).status).toBe(400);
    expect((await api("DELETE", `/api/v1/invitations/${sent.body.id}`, { token: a.adminToken })).status).toBe(409);
    expect((await api("POST", `/api/v1/invitations/${sent.body.id}/resend`, { token: a.adminToken })).status).toBe(409);
    for (const bad of ["x", "a".repeat(43), ""]) expect((await api("POST", "/api/v1/invitations/accept", { body: { token: bad, password: STRONG } })).status, bad).toBe(400);
  });

  it("bad input: a malformed address, an unknown role, a duplicate pending invitation", async () => {
    expect((await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email: "not-an-address" } })).status).toBe(422);
    expect((await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email: addr("r"), role_id: 999 } })).status).toBe(404);
    const email = addr("twice");
    expect((await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email } })).status).toBe(201);
    const dup = await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email } });
    expect(dup.status).toBe(409);
    expect(dup.body.details).toHaveProperty("invitation_id");
    expect((await api("GET", "/api/v1/invitations?status=nonsense", { token: a.adminToken })).status).toBe(422);
    expect((await api("GET", "/api/v1/invitations?page_size=500", { token: a.adminToken })).status).toBe(422);
  });
});

describe("tenancy and roles", () => {
  it("lists only the caller's account; other tenants' invitations are not found", async () => {
    const email = addr("b-only");
    const sent = await api("POST", "/api/v1/invitations", { token: b.adminToken, body: { email } });
    expect(sent.status).toBe(201);
    const listA = await api("GET", "/api/v1/invitations", { token: a.adminToken });
    expect(listA.status).toBe(200);
    expect(listA.body.items.every((i: any) => i.account_id === a.id)).toBe(true);
    expect(listA.body.items.map((i: any) => i.email)).not.toContain(email);
    for (const [method, path] of [
      ["GET", `/api/v1/invitations/${sent.body.id}`],
      ["POST", `/api/v1/invitations/${sent.body.id}/resend`],
      ["DELETE", `/api/v1/invitations/${sent.body.id}`],
    ] as const) {
      expect((await api(method, path, { token: a.adminToken })).status, `${method} ${path}`).toBe(404);
    }
    // an admin of A cannot invite into B
    expect((await api("POST", "/api/v1/invitations", { token: a.adminToken, body: { email: addr("x"), account_id: b.id } })).status).toBe(404);
    expect((await api("GET", `/api/v1/invitations?account_id=${b.id}`, { token: a.adminToken })).status).toBe(404);
    // the superadmin sees both, and can invite into any account
    const all = await api("GET", "/api/v1/invitations?page_size=100", { token: t.adminToken });
    expect(new Set(all.body.items.map((i: any) => i.account_id))).toEqual(new Set([a.id, b.id]));
    const bySuper = await api("POST", "/api/v1/invitations", { token: t.adminToken, body: { email: addr("super"), account_id: b.id } });
    expect(bySuper.status).toBe(201);
    expect(bySuper.body.account_id).toBe(b.id);
    expect((await api("GET", `/api/v1/invitations/${sent.body.id}`, { token: b.adminToken })).body.status).toBe("pending");
  });

  it("plain users 403, anonymous 401", async () => {
    expect((await api("POST", "/api/v1/invitations", { token: a.userToken, body: { email: addr("no") } })).status).toBe(403);
    expect((await api("GET", "/api/v1/invitations", { token: a.userToken })).status).toBe(403);
    expect((await api("POST", "/api/v1/invitations", { body: { email: addr("no") } })).status).toBe(401);
    expect((await api("GET", "/api/v1/invitations")).status).toBe(401);
  });
});

describe("invitations over GraphQL", () => {
  it("create, list, revoke and accept through the same operations", async () => {
    const email = addr("graph");
    const made = await gql(t.url, 'mutation($email: String!) { createInvitation(email: $email, roleId: "2") { id email status roleName accountId } }', { email }, a.adminToken);
    expect(made.body.errors).toBeUndefined();
    expect(made.body.data.createInvitation).toMatchObject({ email, status: "pending", roleName: "user", accountId: a.id });
    const list = await gql(t.url, '{ invitations(status: "pending", pageSize: 100) { total items { id accountId } } }', {}, a.adminToken);
    expect(list.body.data.invitations.items.map((i: any) => i.id)).toContain(made.body.data.createInvitation.id);
    expect(list.body.data.invitations.items.every((i: any) => i.accountId === a.id)).toBe(true);
    const other = await gql(t.url, "query($id: ID!) { invitation(id: $id) { id } }", { id: made.body.data.createInvitation.id }, b.adminToken);
    expect(other.body.data.invitation).toBeNull();
    expect((await gql(t.url, 'mutation { createInvitation(email: "x@example.com") { id } }', {}, a.userToken)).body.errors[0].extensions.code).toBe("FORBIDDEN");

    const accept = "mutation($token: String!, $password: String!) { acceptInvitation(token: $token, password: $password) { accessToken user { email } account { id } } }";
    const token = await mailedToken(email);
    const ok = await gql(t.url, accept, { token, password: STRONG });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.acceptInvitation).toMatchObject({ user: { email }, account: { id: a.id } });
    const reused = await gql(t.url, accept, { token, password: STRONG });
    expect(reused.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(reused.body.errors[0].message).toBe("Invalid or expired invitation");

    const second = await gql(t.url, "mutation($email: String!) { createInvitation(email: $email) { id } }", { email: addr("graph2") }, a.adminToken);
    const revoked = await gql(t.url, "mutation($id: ID!) { revokeInvitation(id: $id) { status } }", { id: second.body.data.createInvitation.id }, a.adminToken);
    expect(revoked.body.data.revokeInvitation.status).toBe("revoked");
  });
});
