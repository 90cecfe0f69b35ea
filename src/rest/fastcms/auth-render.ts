/**
 * Shapes shared by the auth routes (compat/fastcms.md §8, compat/snackbase.md §9). The two
 * dialects share the paths; the request body decides the token shape (`authDialect`): FastCMS
 * clients read `token.access_token` (upstream nests the tokens) besides the flat documented keys,
 * SnackBase clients read `token` as a string. Users carry the union of both user shapes.
 */
import type { AuthAccount, AuthSession, AuthUser, TokenPair } from "../../core/auth/session.ts";
import { INVALID_CREDENTIALS } from "../../core/auth/login.ts";
import type { PasswordPolicyError } from "../../core/auth/passwords.ts";
import type { UnauthenticatedError } from "../../core/errors.ts";

export const nullableString = { type: ["string", "null"] } as const;
export const dateTime = { type: "string", format: "date-time" } as const;

/**
 * The e-mail and password of every body that sets or checks a password together (sign-up, login,
 * a superadmin creating a user): one set of bounds, so a password accepted when it is set always
 * fits the login body.
 */
export const credentialProperties = {
  email: { type: "string", format: "email", maxLength: 254 },
  password: { type: "string", maxLength: 1024 },
} as const;

export const userProperties = {
  id: { type: "string" },
  email: { type: "string", format: "email" },
  role: { type: "string", enum: ["admin", "user"] },
  verified: { type: "boolean" },
  name: nullableString,
  avatar: nullableString,
  two_factor_enabled: { type: "boolean" },
  created: dateTime,
  updated: dateTime,
  // SnackBase spellings of the same facts
  is_active: { type: "boolean" },
  email_verified: { type: "boolean" },
  created_at: dateTime,
} as const;

export const userSchema = { type: "object", properties: userProperties } as const;

export const accountSchema = {
  type: "object",
  properties: { id: { type: "string" }, slug: { type: "string" }, name: { type: "string" }, created_at: dateTime },
} as const;

const flatTokenProperties = {
  access_token: { type: "string", description: "access JWT (FastCMS)" },
  refresh_token: { type: "string", description: "opaque, single use: each refresh returns a new one" },
  token_type: { type: "string", enum: ["bearer"] },
  expires_in: { type: "integer", description: "access token lifetime in seconds" },
} as const;

export const tokenProperties = {
  ...flatTokenProperties,
  token: { type: "string", description: "the same access JWT (SnackBase)" },
} as const;

export const authResponseSchema = {
  type: "object",
  properties: {
    ...flatTokenProperties,
    token: {
      description: "SnackBase-shaped request (`account`, `account_name` or `account_slug` in the body): the access JWT; otherwise the tokens nested as FastCMS upstream answers",
      anyOf: [{ type: "string" }, { type: "object", properties: flatTokenProperties }],
    },
    user: userSchema,
    account: accountSchema,
    message: { type: "string" },
  },
} as const;

/** Which client an auth request comes from, by its body (DESIGN "decided by the request's shape"). */
export type AuthDialect = "fastcms" | "snackbase";

/** SnackBase bodies name an account (`account`, `account_name` or `account_slug`); anything else is FastCMS. */
export function authDialect(body: unknown): AuthDialect {
  if (typeof body !== "object" || body === null) return "fastcms";
  const b = body as Record<string, unknown>;
  return ["account", "account_name", "account_slug"].some((k) => Object.hasOwn(b, k) && b[k] !== null && b[k] !== undefined) ? "snackbase" : "fastcms";
}

export const meSchema = {
  type: "object",
  properties: { ...userProperties, user_id: { type: "string" }, account_id: { type: "string" } },
} as const;

export const messageSchema = { type: "object", properties: { message: { type: "string" } } } as const;

export function renderUser(u: AuthUser) {
  const created = u.created.toISOString();
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    verified: u.verified,
    name: u.name,
    avatar: u.avatar,
    two_factor_enabled: false,
    created,
    updated: u.updated.toISOString(),
    is_active: u.isActive,
    email_verified: u.verified,
    created_at: created,
  };
}

/** The `GET /auth/me` shape: the user plus SnackBase's `user_id` and `account_id`. */
export function renderMe(u: AuthUser) {
  return { ...renderUser(u), user_id: u.id, account_id: u.accountId };
}

export function renderAccount(a: AuthAccount) {
  return { id: a.id, slug: a.slug, name: a.name, created_at: a.created.toISOString() };
}

/** The refresh answer, the same in both dialects: flat tokens, `token` a string. */
export function renderTokens(t: TokenPair) {
  return { access_token: t.accessToken, token: t.accessToken, refresh_token: t.refreshToken, token_type: "bearer", expires_in: t.expiresIn };
}

/** Sign-up and login tokens in the dialect's shape (see the module comment). */
export function renderAuthTokens(t: TokenPair, dialect: AuthDialect) {
  const flat = { access_token: t.accessToken, refresh_token: t.refreshToken, token_type: "bearer", expires_in: t.expiresIn };
  return { ...flat, token: dialect === "snackbase" ? t.accessToken : flat };
}

export function renderSession(s: AuthSession, message: string, dialect: AuthDialect) {
  return { ...renderAuthTokens(s, dialect), user: renderUser(s.user), account: renderAccount(s.account), message };
}

/** Error body schema of the auth routes whose SnackBase answers carry a `details` list. */
export const listDetailsErrorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" }, detail: { type: "string" }, code: { type: "string" }, details: {} },
} as const;

/**
 * A SnackBase sign-up's weak password (spec 003's validation error): 400 `{"error":"Validation
 * error","details":[{field, message, code}]}`, one entry per broken rule.
 */
export function snackbasePasswordFailure(e: PasswordPolicyError) {
  const message = e.message;
  return { error: "Validation error", message, detail: message, code: "VALIDATION_ERROR", details: e.problems.map((p) => ({ field: "password", message: `password ${p.message}`, code: p.code })) };
}

/**
 * A SnackBase login's 401 (compat/snackbase.md §2): `{"error":"Authentication failed",
 * "message":"Invalid credentials"}` for unknown or wrong credentials; other refusals (disabled,
 * unverified) keep their message.
 */
export function snackbaseLoginFailure(e: UnauthenticatedError) {
  const message = e.message === INVALID_CREDENTIALS ? "Invalid credentials" : e.message;
  return { error: "Authentication failed", message, detail: message, code: "UNAUTHORIZED", details: null };
}
