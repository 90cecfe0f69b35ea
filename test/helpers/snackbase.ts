/**
 * SnackBase fixtures through the public API: a tenant account signed up as a SnackBase client
 * does (register → the mailed verification token → login with the account), and users of an
 * account created by the superadmin (`POST /api/v1/users`, usable at once).
 */
import { randomBytes } from "node:crypto";
import type { TestApp } from "./app.ts";

export const STRONG_PASSWORD = "Secure-Pass-123!";

export interface Actor {
  token: string;
  id: string;
  email: string;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  admin: Actor;
}

const tag = () => randomBytes(3).toString("hex");

/** The token of the newest mail of `kind` to `to` (read through the superadmin's mail outbox). */
export async function mailedToken(t: TestApp, to: string, kind: "verify_email" | "reset_password"): Promise<string> {
  const res = await t.api("GET", `/api/v1/mail?to=${encodeURIComponent(to)}&kind=${kind}&limit=1`, { token: t.adminToken });
  const text = (res.body.items?.[0]?.text ?? "") as string;
  const m = /^Token: (\S+)$/m.exec(text);
  if (!m) throw new Error(`no ${kind} mail to ${to}: ${JSON.stringify(res.body)}`);
  return m[1]!;
}

/** Logs in with the SnackBase body; throws unless 200. */
export async function snackLogin(t: TestApp, account: string, email: string, password = STRONG_PASSWORD): Promise<Actor> {
  const res = await t.api("POST", "/api/v1/auth/login", { body: { account, email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, id: res.body.user.id, email };
}

/** Signs up a new account (its admin verified through the mailed token) and logs the admin in. */
export async function signUpTenant(t: TestApp, name: string): Promise<Tenant> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${tag()}`;
  const email = `admin-${tag()}@${slug}.example.com`;
  const reg = await t.api("POST", "/api/v1/auth/register", { body: { account_name: name, account_slug: slug, email, password: STRONG_PASSWORD } });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const token = await mailedToken(t, email, "verify_email");
  const verified = await t.api("POST", "/api/v1/auth/verify-email", { body: { token } });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  return { id: reg.body.account.id, slug, name, admin: await snackLogin(t, slug, email) };
}

/** A user of `tenant` with `role` (id or name), created by the superadmin and logged in. */
export async function tenantUser(t: TestApp, tenant: Tenant, role: string | number = 2): Promise<Actor> {
  const email = `user-${tag()}@${tenant.slug}.example.com`;
  const res = await t.api("POST", "/api/v1/users", { token: t.adminToken, body: { email, password: STRONG_PASSWORD, account_id: tenant.id, role_id: role } });
  if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return snackLogin(t, tenant.slug, email);
}
