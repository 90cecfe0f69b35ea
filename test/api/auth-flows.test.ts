/**
 * Auth flows over real HTTP: sign-up in both flavours, login forms, deactivated and unverified
 * users, logout, profile and password changes, forgotten passwords and e-mail verification
 * through the mail outbox (single use, expiry), mail over SMTP, audit entries, and bad input.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, registerUser, startApp, type ApiClient, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startApp();
  api = t.api;
});
afterAll(async () => t?.close());

const tag = () => Math.random().toString(36).slice(2, 10);
const email = (prefix: string) => `${prefix}-${tag()}@example.com`;
const STRONG = "SecurePass123!";

function expectErrorBody(body: any, status: number) {
  expect(body, JSON.stringify(body)).toMatchObject({ error: expect.any(String), message: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  expect(body).toHaveProperty("details");
  if (status === 401) expect(body.code).toBe("UNAUTHORIZED");
}

/** The newest mail of `kind` to `to`, from the outbox (superadmin route). */
async function latestMail(to: string, kind: "verify_email" | "reset_password") {
  const res = await api("GET", `/api/v1/mail?to=${encodeURIComponent(to)}&kind=${kind}&limit=1`, { token: t.adminToken });
  expect(res.status).toBe(200);
  return res.body.items[0] as { to: string; text: string; status: string; subject: string } | undefined;
}

async function mailedToken(to: string, kind: "verify_email" | "reset_password"): Promise<string> {
  const mail = await latestMail(to, kind);
  expect(mail, `no ${kind} mail to ${to}`).toBeDefined();
  const m = /^Token: (\S+)$/m.exec(mail!.text);
  expect(m).not.toBeNull();
  return m![1]!;
}

const login = (body: Record<string, unknown>) => api("POST", "/api/v1/auth/login", { body });

/** Verifies `to` with the mailed token (tenant users must before their first login). */
async function verify(to: string): Promise<void> {
  const res = await api("POST", "/api/v1/auth/verify-email", { body: { token: await mailedToken(to, "verify_email") } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}
const refresh = (token: string) => api("POST", "/api/v1/auth/refresh", { body: { refresh_token: token } });

/** Waits (bounded) for an audit row matching `where` — audit writes run in the background. */
async function auditRow(where: Record<string, unknown>) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const row = await t.app.services.prisma.auditLog.findFirst({ where, orderBy: { created: "desc" } });
    if (row || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function withSetting<T>(key: string, value: unknown, fn: () => Promise<T>): Promise<T> {
  await t.app.services.settings.set(key, value, "auth");
  try {
    return await fn();
  } finally {
    await t.app.services.settings.delete(key);
  }
}

describe("sign-up, SnackBase flavour (account_name / account_slug)", () => {
  it("creates an account with a code and its admin; answers message, account and user, no tokens", async () => {
    const slug = `acme-${tag()}`;
    const addr = email("founder");
    const res = await api("POST", "/api/v1/auth/register", { body: { account_name: "Acme Corporation", account_slug: slug, email: addr, password: STRONG } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const b = res.body;
    expect(b.message).toEqual(expect.any(String));
    expect(b.account).toEqual({ id: expect.stringMatching(/^[A-Z]{2}\d{4}$/), slug, name: "Acme Corporation", created_at: expect.any(String) });
    expect(b.user).toMatchObject({ id: expect.any(String), email: addr, role: "admin", is_active: true, email_verified: false, verified: false, created_at: expect.any(String) });
    expect(b.message).toBe("Registration successful. Please check your email to verify your account.");
    for (const k of ["token", "access_token", "refresh_token", "token_type", "expires_in"]) expect(b).not.toHaveProperty(k);
    const stored = await t.app.services.prisma.account.findUnique({ where: { id: b.account.id } });
    expect(stored).toMatchObject({ code: b.account.id, slug });
    const user = await t.app.services.prisma.user.findUnique({ where: { id: b.user.id } });
    expect(user).toMatchObject({ roleId: 1, role: "admin", superadmin: false, accountId: b.account.id });
    // a verification mail went out; login waits for it (spec 003)
    expect(await latestMail(addr, "verify_email")).toMatchObject({ to: addr, status: "stored" });
    const early = await login({ account: slug, email: addr, password: STRONG });
    expect(early.status).toBe(401);
    expect(early.body.message).toBe("Email not verified");
    await verify(addr);
    const session = await login({ account: slug, email: addr, password: STRONG });
    expect(session.status).toBe(200);
    // the account admin is not a superadmin
    expect((await api("GET", "/api/v1/mail", { token: session.body.token })).status).toBe(403);
  });

  it("logs in by slug, code or id; without the account the tenant user is unknown", async () => {
    const slug = `login-${tag()}`;
    const addr = email("tenant");
    const reg = await api("POST", "/api/v1/auth/register", { body: { account_name: "Login Co", account_slug: slug, email: addr, password: STRONG } });
    expect(reg.status).toBe(201);
    await verify(addr);
    for (const account of [slug, reg.body.account.id, slug.toUpperCase() === slug ? slug : reg.body.account.id]) {
      const res = await login({ account, email: addr, password: STRONG });
      expect(res.status, account).toBe(200);
      expect(res.body).toMatchObject({ account: { id: reg.body.account.id, slug, name: "Login Co" }, user: { id: reg.body.user.id, role: "admin" }, token_type: "bearer" });
      expect(res.body.token).toBe(res.body.access_token);
    }
    const me = await api("GET", "/api/v1/auth/me", { token: (await login({ account: slug, email: addr, password: STRONG })).body.token });
    expect(me.body).toMatchObject({ user_id: reg.body.user.id, account_id: reg.body.account.id, email: addr, role: "admin" });
    const without = await login({ email: addr, password: STRONG });
    expect(without.status).toBe(401);
    expect(without.body.message).toBe("Invalid email or password");
  });

  it("derives the slug from the name as SnackBase does; the same name again → 409", async () => {
    const name = `Über Café_${tag()}`;
    const a = await api("POST", "/api/v1/auth/register", { body: { account_name: name, email: email("gen"), password: STRONG } });
    const b = await api("POST", "/api/v1/auth/register", { body: { account_name: name, email: email("gen"), password: STRONG } });
    expect(a.status).toBe(201);
    expect(a.body.account.slug).toMatch(/^uber-cafe-[a-z0-9]+$/);
    expect(b.status).toBe(409);
    expect(b.body.message).toBe("An account with this slug already exists");
  });

  it("a taken slug → 409; the same e-mail in another account is fine", async () => {
    const slug = `dup-${tag()}`;
    const addr = email("dup");
    expect((await api("POST", "/api/v1/auth/register", { body: { account_name: "One", account_slug: slug, email: addr, password: STRONG } })).status).toBe(201);
    const again = await api("POST", "/api/v1/auth/register", { body: { account_name: "Two", account_slug: slug, email: email("other"), password: STRONG } });
    expect(again.status).toBe(409);
    expectErrorBody(again.body, 409);
    expect(again.body.details).toHaveProperty("account_slug");
    expect((await api("POST", "/api/v1/auth/register", { body: { account_name: "Three", email: addr, password: STRONG } })).status).toBe(201);
  });

  it("a weak password → 400 listing each broken rule by its SnackBase code", async () => {
    const res = await api("POST", "/api/v1/auth/register", { body: { account_name: "Weak", email: email("weak"), password: "weakpass" } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 400);
    expect(res.body.error).toBe("Validation error");
    expect(res.body.code).toBe("VALIDATION_ERROR");
    expect(res.body.details.map((d: { code: string }) => d.code).sort()).toEqual(["password_no_digit", "password_no_special", "password_no_uppercase", "password_too_short"]);
    for (const d of res.body.details) expect(d).toEqual({ field: "password", message: expect.any(String), code: expect.any(String) });
    // the FastCMS flavour would have accepted a password the strong rule refuses
    expect((await api("POST", "/api/v1/auth/register", { body: { account_name: "Weak", email: email("weak"), password: "simple-pass-1" } })).status).toBe(400);
    expect((await api("POST", "/api/v1/auth/register", { body: { email: email("weak"), password: "simple-pass-1" } })).status).toBe(201);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["slug without a name", { account_slug: "no-name-here" }, "account_name"],
    ["empty name", { account_name: "  " }, "account_name"],
    ["slug too short", { account_name: "X", account_slug: "ab" }, "account_slug"],
    ["slug with bad characters", { account_name: "X", account_slug: "a_b c" }, "account_slug"],
    ["slug ending in a hyphen", { account_name: "X", account_slug: "abc-" }, "account_slug"],
  ])("%s → 422 naming the field", async (_n, extra, field) => {
    const res = await api("POST", "/api/v1/auth/register", { body: { email: email("bad"), password: STRONG, ...extra } });
    expect(res.status).toBe(422);
    expectErrorBody(res.body, 422);
    expect(res.body.details).toHaveProperty(field);
  });
});

describe("sign-up, FastCMS flavour, and login forms", () => {
  it("joins the default account as `user` with tokens", async () => {
    const addr = email("fast");
    const res = await api("POST", "/api/v1/auth/register", { body: { email: addr, password: "simple-pass-1", name: "Fast" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { email: addr, role: "user", name: "Fast", is_active: true }, account: { id: "default", slug: "default" }, token_type: "bearer" });
    expect(res.body.access_token).toEqual(expect.any(String));
    expect((await t.app.services.prisma.user.findUnique({ where: { id: res.body.user.id } }))!.roleId).toBe(2);
  });

  it("login works with and without `account` for the default account and records last_login", async () => {
    const u = await registerUser(api, email("forms"));
    for (const body of [
      { email: u.email, password: "User-pass-123" },
      { email: u.email, password: "User-pass-123", account: "default" },
    ]) {
      const res = await login(body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user: { id: u.id }, account: { id: "default" } });
    }
    const row = await t.app.services.prisma.user.findUnique({ where: { id: u.id } });
    expect(row!.lastLogin).toBeInstanceOf(Date);
  });

  it("failed and successful logins are audited", async () => {
    const u = await registerUser(api, email("aud"));
    expect((await login({ email: u.email, password: "Wrong-pass-1" })).status).toBe(401);
    const failed = await auditRow({ eventType: "auth", eventAction: "login_failed", userId: u.id });
    expect(failed).toMatchObject({ severity: "warning", outcome: "failure", userEmail: u.email });
    expect(JSON.parse(failed!.details!)).toMatchObject({ reason: "wrong_password" });
    expect((await login({ email: u.email, password: "User-pass-123" })).status).toBe(200);
    expect(await auditRow({ eventType: "auth", eventAction: "login", userId: u.id, outcome: "success" })).toBeTruthy();
  });
});

describe("inactive and unverified users", () => {
  it("a deactivated user → 401 `Account is disabled` (only with the right password), refresh 401", async () => {
    const u = await registerUser(api, email("inactive"));
    await t.app.services.prisma.user.update({ where: { id: u.id }, data: { isActive: false } });
    const res = await login({ email: u.email, password: "User-pass-123" });
    expect(res.status).toBe(401);
    expectErrorBody(res.body, 401);
    expect(res.body.message).toBe("Account is disabled");
    expect((await login({ email: u.email, password: "Wrong-pass-123" })).body.message).toBe("Invalid email or password");
    expect((await refresh(u.refreshToken)).status).toBe(401);
    expect((await api("GET", "/api/v1/auth/me", { token: u.token })).status).toBe(401);
    expect(await auditRow({ eventAction: "login_failed", userId: u.id, details: { contains: '"inactive"' } })).toMatchObject({ severity: "warning" });
  });

  it("with verification_required: sign-up gives no tokens, login 401 until the mailed token is redeemed", async () => {
    await withSetting("verification_required", true, async () => {
      const addr = email("verify");
      const reg = await api("POST", "/api/v1/auth/register", { body: { email: addr, password: "simple-pass-1" } });
      expect(reg.status).toBe(201);
      expect(reg.body).not.toHaveProperty("access_token");
      expect(reg.body).not.toHaveProperty("token");
      expect(reg.body.message).toMatch(/verify/i);
      expect(reg.body.user).toMatchObject({ email: addr, verified: false });
      const denied = await login({ email: addr, password: "simple-pass-1" });
      expect(denied.status).toBe(401);
      expect(denied.body.message).toBe("Email not verified");

      // ask again while signed out: a second token; the first still works until used
      const first = await mailedToken(addr, "verify_email");
      expect((await api("POST", "/api/v1/auth/send-verification", { body: { email: addr } })).status).toBe(200);
      const second = await mailedToken(addr, "verify_email");
      expect(second).not.toBe(first);

      const ok = await api("POST", "/api/v1/auth/verify-email", { body: { token: second } });
      expect(ok.status).toBe(200);
      expect(ok.body.message).toEqual(expect.any(String));
      const row = await t.app.services.prisma.user.findFirst({ where: { email: addr } });
      expect(row).toMatchObject({ verified: true });
      expect(row!.verifiedAt).toBeInstanceOf(Date);
      const again = await api("POST", "/api/v1/auth/verify-email", { body: { token: second } });
      expect(again.status).toBe(400);
      expectErrorBody(again.body, 400);
      const res = await login({ email: addr, password: "simple-pass-1" });
      expect(res.status).toBe(200);
      expect(res.body.user.verified).toBe(true);
    });
    // the setting is off again: unverified users log in
    const u = await registerUser(api, email("noverify"));
    expect((await login({ email: u.email, password: "User-pass-123" })).status).toBe(200);
  });

  it("send-verification: for the caller when signed in, 401 anonymous without e-mail, silent for unknown addresses", async () => {
    const u = await registerUser(api, email("sv"));
    const before = await mailedToken(u.email, "verify_email");
    expect((await api("POST", "/api/v1/auth/send-verification", { token: u.token })).status).toBe(200);
    expect(await mailedToken(u.email, "verify_email")).not.toBe(before);
    const anon = await api("POST", "/api/v1/auth/send-verification", {});
    expect(anon.status).toBe(401);
    expectErrorBody(anon.body, 401);
    const unknown = await api("POST", "/api/v1/auth/send-verification", { body: { email: email("nobody") } });
    expect(unknown.status).toBe(200);
  });
});

describe("logout", () => {
  it("with a refresh token: ends that session only", async () => {
    const u = await registerUser(api, email("lo"));
    const other = await login({ email: u.email, password: "User-pass-123" });
    const res = await api("POST", "/api/v1/auth/logout", { token: u.token, body: { refresh_token: u.refreshToken } });
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expect((await refresh(u.refreshToken)).status).toBe(401);
    expect((await refresh(other.body.refresh_token)).status).toBe(200);
    // logging out an already ended session is harmless; no alarm is raised for it
    expect((await api("POST", "/api/v1/auth/logout", { body: { refresh_token: u.refreshToken } })).status).toBe(204);
    expect(await t.app.services.prisma.auditLog.count({ where: { eventAction: "token_reuse", userId: u.id } })).toBe(0);
  });

  it("without a body: ends the session of the access token (also after it was refreshed)", async () => {
    const u = await registerUser(api, email("lo2"));
    const other = await login({ email: u.email, password: "User-pass-123" });
    const rotated = await refresh(u.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await api("POST", "/api/v1/auth/logout", { token: rotated.body.access_token })).status).toBe(204);
    expect((await refresh(rotated.body.refresh_token)).status).toBe(401);
    expect((await refresh(other.body.refresh_token)).status).toBe(200);
  });

  it("logout-all ends every session; anonymous logout without a token → 401", async () => {
    const u = await registerUser(api, email("loall"));
    const other = await login({ email: u.email, password: "User-pass-123" });
    expect((await api("POST", "/api/v1/auth/logout-all", { token: u.token })).status).toBe(204);
    expect((await refresh(u.refreshToken)).status).toBe(401);
    expect((await refresh(other.body.refresh_token)).status).toBe(401);
    for (const path of ["/api/v1/auth/logout", "/api/v1/auth/logout-all"]) {
      const res = await api("POST", path, {});
      expect(res.status, path).toBe(401);
      expectErrorBody(res.body, 401);
    }
  });

  it("someone else's refresh token is not ended by a signed-in caller", async () => {
    const a = await registerUser(api, email("loa"));
    const b = await registerUser(api, email("lob"));
    expect((await api("POST", "/api/v1/auth/logout", { token: a.token, body: { refresh_token: b.refreshToken } })).status).toBe(204);
    expect((await refresh(b.refreshToken)).status).toBe(200);
  });

  it("reuse of a rotated refresh token is audited as critical", async () => {
    const u = await registerUser(api, email("reuse"));
    expect((await refresh(u.refreshToken)).status).toBe(200);
    expect((await refresh(u.refreshToken)).status).toBe(401);
    expect(await auditRow({ eventAction: "token_reuse", userId: u.id })).toMatchObject({ severity: "critical", eventType: "security", outcome: "failure" });
    expect(await auditRow({ eventAction: "token_refresh", userId: u.id })).toMatchObject({ outcome: "success" });
  });
});

describe("PATCH /auth/me and change-password", () => {
  it("changes name and avatar; a new e-mail is unverified and gets a verification mail", async () => {
    const u = await registerUser(api, email("me"));
    await t.app.services.prisma.user.update({ where: { id: u.id }, data: { verified: true } });
    const res = await api("PATCH", "/api/v1/auth/me", { token: u.token, body: { name: "New Name", avatar: "https://img.example.com/a.png" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, user_id: u.id, name: "New Name", avatar: "https://img.example.com/a.png", verified: true });
    const newEmail = email("Moved").toUpperCase();
    const moved = await api("PATCH", "/api/v1/auth/me", { token: u.token, body: { email: newEmail } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ email: newEmail.toLowerCase(), verified: false, email_verified: false, name: "New Name" });
    expect(await latestMail(newEmail.toLowerCase(), "verify_email")).toBeDefined();
    expect((await login({ email: newEmail, password: "User-pass-123" })).status).toBe(200);
    const cleared = await api("PATCH", "/api/v1/auth/me", { token: u.token, body: { avatar: null } });
    expect(cleared.body.avatar).toBeNull();
  });

  it.each<[string, (other: string) => Record<string, unknown>, number]>([
    ["an e-mail taken in the account → 409", (other) => ({ email: other }), 409],
    ["a malformed e-mail → 422", () => ({ email: "not-an-email" }), 422],
    ["a name over 255 characters → 422", () => ({ name: "x".repeat(256) }), 422],
    ["a non-string name → 422", () => ({ name: { a: 1 } }), 422],
  ])("%s", async (_n, body, status) => {
    const u = await registerUser(api, email("mebad"));
    const other = await registerUser(api, email("taken"));
    const res = await api("PATCH", "/api/v1/auth/me", { token: u.token, body: body(other.email) });
    expect(res.status).toBe(status);
    expectErrorBody(res.body, status);
  });

  it("PATCH /auth/me anonymously → 401", async () => {
    expect((await api("PATCH", "/api/v1/auth/me", { body: { name: "x" } })).status).toBe(401);
  });

  it("change-password: 204, other sessions end, the current one survives; old password stops working", async () => {
    const u = await registerUser(api, email("cp"));
    const other = await login({ email: u.email, password: "User-pass-123" });
    const current = await login({ email: u.email, password: "User-pass-123" });
    const res = await api("POST", "/api/v1/auth/change-password", {
      token: current.body.access_token,
      body: { old_password: "User-pass-123", new_password: "Brand-new-pass-4", new_password_confirm: "Brand-new-pass-4" },
    });
    expect(res.status).toBe(204);
    expect((await login({ email: u.email, password: "User-pass-123" })).status).toBe(401);
    expect((await login({ email: u.email, password: "Brand-new-pass-4" })).status).toBe(200);
    expect((await refresh(other.body.refresh_token)).status).toBe(401);
    expect((await refresh(u.refreshToken)).status).toBe(401);
    expect((await refresh(current.body.refresh_token)).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ["wrong old password → 400", { old_password: "Nope-pass-123", new_password: "Brand-new-pass-4" }, 400, "old_password"],
    ["confirmation differs → 422", { old_password: "User-pass-123", new_password: "Brand-new-pass-4", new_password_confirm: "Other-pass-5" }, 422, "new_password_confirm"],
    ["weak new password → 422", { old_password: "User-pass-123", new_password: "short" }, 422, "new_password"],
    ["missing old password → 422", { new_password: "Brand-new-pass-4" }, 422, "body.old_password"],
  ])("change-password with %s", async (_n, body, status, field) => {
    const u = await registerUser(api, email("cpbad"));
    const res = await api("POST", "/api/v1/auth/change-password", { token: u.token, body });
    expect(res.status).toBe(status);
    expectErrorBody(res.body, status);
    expect(res.body.details).toHaveProperty([field]);
    expect((await login({ email: u.email, password: "User-pass-123" })).status).toBe(200);
  });

  it("a tenant user's new password follows the SnackBase rule", async () => {
    const addr = email("tcp");
    const reg = await api("POST", "/api/v1/auth/register", { body: { account_name: "Tenant CP", email: addr, password: STRONG } });
    await verify(addr);
    const session = await login({ account: reg.body.account.slug, email: addr, password: STRONG });
    const res = await api("POST", "/api/v1/auth/change-password", { token: session.body.token, body: { old_password: STRONG, new_password: "simplepass12" } });
    expect(res.status).toBe(422);
    expect(res.body.details).toMatchObject({ new_password: expect.any(String), password_no_uppercase: expect.any(String), password_no_special: expect.any(String) });
  });
});

describe("forgotten password", () => {
  it("forgot-password answers the same for known and unknown addresses; the mailed token resets once", async () => {
    const u = await registerUser(api, email("fp"));
    const other = await login({ email: u.email, password: "User-pass-123" });
    const known = await api("POST", "/api/v1/auth/forgot-password", { body: { email: u.email.toUpperCase() } });
    const unknown = await api("POST", "/api/v1/auth/forgot-password", { body: { email: email("ghost") } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(known.body);
    expect((await api("POST", "/api/v1/auth/request-password-reset", { body: { email: email("ghost") } })).status).toBe(204);

    const token = await mailedToken(u.email, "reset_password");
    const stored = await t.app.services.prisma.authToken.findMany({ where: { userId: u.id, kind: "reset_password" } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.tokenHash).not.toContain(token);

    const res = await api("POST", "/api/v1/auth/reset-password", { body: { token, new_password: "Reset-pass-99" } });
    expect(res.status).toBe(200);
    expect(res.body.message).toEqual(expect.any(String));
    expect((await login({ email: u.email, password: "Reset-pass-99" })).status).toBe(200);
    expect((await login({ email: u.email, password: "User-pass-123" })).status).toBe(401);
    // every session ended
    expect((await refresh(other.body.refresh_token)).status).toBe(401);
    // single use
    const again = await api("POST", "/api/v1/auth/reset-password", { body: { token, new_password: "Another-pass-1" } });
    expect(again.status).toBe(400);
    expectErrorBody(again.body, 400);
    expect(again.body.message).toBe("Invalid or expired token");
    expect(await auditRow({ eventAction: "password_reset", userId: u.id })).toBeTruthy();
  });

  it("FastCMS upstream form: request-password-reset (204) and password + password_confirm", async () => {
    const u = await registerUser(api, email("fp2"));
    expect((await api("POST", "/api/v1/auth/request-password-reset", { body: { email: u.email } })).status).toBe(204);
    const token = await mailedToken(u.email, "reset_password");
    const mismatch = await api("POST", "/api/v1/auth/reset-password", { body: { token, password: "Reset-pass-98", password_confirm: "Reset-pass-97" } });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.details).toHaveProperty("password_confirm");
    const weak = await api("POST", "/api/v1/auth/reset-password", { body: { token, password: "weak", password_confirm: "weak" } });
    expect(weak.status).toBe(422);
    expect(weak.body.details).toHaveProperty("password");
    // rejected passwords did not use the token up
    const ok = await api("POST", "/api/v1/auth/reset-password", { body: { token, password: "Reset-pass-98", password_confirm: "Reset-pass-98" } });
    expect(ok.status).toBe(200);
    expect((await login({ email: u.email, password: "Reset-pass-98" })).status).toBe(200);
  });

  it("a new token request voids nothing, but a reset voids the user's other reset tokens", async () => {
    const u = await registerUser(api, email("fp3"));
    await api("POST", "/api/v1/auth/forgot-password", { body: { email: u.email } });
    const first = await mailedToken(u.email, "reset_password");
    await api("POST", "/api/v1/auth/forgot-password", { body: { email: u.email } });
    const second = await mailedToken(u.email, "reset_password");
    expect(second).not.toBe(first);
    expect((await api("POST", "/api/v1/auth/reset-password", { body: { token: second, new_password: "Reset-pass-96" } })).status).toBe(200);
    expect((await api("POST", "/api/v1/auth/reset-password", { body: { token: first, new_password: "Reset-pass-95" } })).status).toBe(400);
  });

  it("tokens expire after `password_reset_token_ttl` seconds", async () => {
    const u = await registerUser(api, email("fpexp"));
    await withSetting("password_reset_token_ttl", 1, async () => {
      await api("POST", "/api/v1/auth/forgot-password", { body: { email: u.email } });
    });
    const token = await mailedToken(u.email, "reset_password");
    const row = await t.app.services.prisma.authToken.findFirstOrThrow({ where: { userId: u.id, kind: "reset_password" } });
    expect(row.expiresAt.getTime() - row.created.getTime()).toBe(1000);
    // wait for the clock to pass the stored expiry (bounded: one second)
    while (Date.now() <= row.expiresAt.getTime() + 5) await new Promise((r) => setTimeout(r, row.expiresAt.getTime() + 10 - Date.now()));
    const res = await api("POST", "/api/v1/auth/reset-password", { body: { token, new_password: "Reset-pass-94" } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Invalid or expired token");
    expect((await login({ email: u.email, password: "User-pass-123" })).status).toBe(200);
  });

  it("tenant users: forgot-password with `account`, reset follows the SnackBase rule", async () => {
    const addr = email("tfp");
    const slug = `tfp-${tag()}`;
    expect((await api("POST", "/api/v1/auth/register", { body: { account_name: "T", account_slug: slug, email: addr, password: STRONG } })).status).toBe(201);
    await api("POST", "/api/v1/auth/forgot-password", { body: { email: addr, account: slug } });
    const token = await mailedToken(addr, "reset_password");
    const weak = await api("POST", "/api/v1/auth/reset-password", { body: { token, new_password: "simple-pass-1" } });
    expect(weak.status).toBe(422);
    expect(weak.body.details).toHaveProperty("password_no_uppercase");
    expect((await api("POST", "/api/v1/auth/reset-password", { body: { token, new_password: "Another-Secure-1!" } })).status).toBe(200);
    await verify(addr);
    expect((await login({ account: slug, email: addr, password: "Another-Secure-1!" })).status).toBe(200);
  });

  it("deactivated users get no reset mail", async () => {
    const u = await registerUser(api, email("fpoff"));
    await t.app.services.prisma.user.update({ where: { id: u.id }, data: { isActive: false } });
    expect((await api("POST", "/api/v1/auth/forgot-password", { body: { email: u.email } })).status).toBe(200);
    expect(await latestMail(u.email, "reset_password")).toBeUndefined();
  });
});

describe("mail outbox and SMTP", () => {
  it("the outbox is for superadmins only", async () => {
    const u = await registerUser(api, email("ob"));
    expect((await api("GET", "/api/v1/mail", { token: u.token })).status).toBe(403);
    expect((await api("GET", "/api/v1/mail")).status).toBe(401);
    expect((await api("GET", "/api/v1/mail?limit=0", { token: t.adminToken })).status).toBe(422);
  });

  it("with SMTP_URL the mail is sent through SMTP; a refused connection is recorded as failed", async () => {
    // a port that refuses connections: bind, note the port, close
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const smtp = await startApp({}, { SMTP_URL: `smtp://127.0.0.1:${port}`, CAIRN_MAIL_FROM: "Cairn Test <test@example.com>", CAIRN_PUBLIC_URL: "https://cms.example.com" });
    try {
      const u = await registerUser(smtp.api, email("smtp"));
      const deadline = Date.now() + 10_000;
      let row;
      do {
        row = await smtp.app.services.prisma.mail.findFirst({ where: { to: u.email } });
        if (row?.status === "failed") break;
        await new Promise((r) => setTimeout(r, 50));
      } while (Date.now() < deadline);
      expect(row).toMatchObject({ status: "failed", kind: "verify_email" });
      expect(row!.error).toMatch(/ECONNREFUSED|connect/i);
      expect(row!.text).toContain("https://cms.example.com/verify-email?token=");
    } finally {
      await smtp.close();
    }
  });
});

describe("bad input never reaches a 500", () => {
  it.each<[string, string, string, { body?: unknown; raw?: string; auth?: boolean }, number]>([
    ["reset with a made-up token → 400", "POST", "/api/v1/auth/reset-password", { body: { token: "x".repeat(43), new_password: "Reset-pass-1" } }, 400],
    ["reset with a short token → 400", "POST", "/api/v1/auth/reset-password", { body: { token: "abc", new_password: "Reset-pass-1" } }, 400],
    ["reset without a password → 400", "POST", "/api/v1/auth/reset-password", { body: { token: "x".repeat(43) } }, 400],
    ["reset without a token → 422", "POST", "/api/v1/auth/reset-password", { body: { new_password: "Reset-pass-1" } }, 422],
    ["verify with a made-up token → 400", "POST", "/api/v1/auth/verify-email", { body: { token: "y".repeat(43) } }, 400],
    ["verify without a token → 422", "POST", "/api/v1/auth/verify-email", { body: {} }, 422],
    ["forgot without an e-mail → 422", "POST", "/api/v1/auth/forgot-password", { body: {} }, 422],
    ["forgot with malformed JSON → 400", "POST", "/api/v1/auth/forgot-password", { raw: "{nope" }, 400],
    ["logout with a number token → 204", "POST", "/api/v1/auth/logout", { body: { refresh_token: 5 }, auth: true }, 204],
    ["logout with an array body → 422", "POST", "/api/v1/auth/logout", { body: [1], auth: true }, 422],
    ["register with an object account_name → 422", "POST", "/api/v1/auth/register", { body: { email: "a@example.com", password: STRONG, account_name: { a: 1 } } }, 422],
    ["login with an object account → 422", "POST", "/api/v1/auth/login", { body: { email: "a@example.com", password: STRONG, account: ["x"] } }, 422],
    ["send-verification with an object e-mail → 422", "POST", "/api/v1/auth/send-verification", { body: { email: { a: 1 } } }, 422],
  ])("%s", async (_n, method, path, opts, status) => {
    const res = await api(method, path, {
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.raw !== undefined ? { raw: opts.raw } : {}),
      ...(opts.auth ? { token: t.adminToken } : {}),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status !== 204) expectErrorBody(res.body, status);
  });

  it("the superadmin can still log in (sanity after the flows above)", async () => {
    expect((await login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).status).toBe(200);
  });
});
