/**
 * Auth routes shared by the FastCMS and SnackBase dialects under /api/v1 (compat/fastcms.md §8,
 * compat/snackbase.md §9): one answer satisfies both clients — flat FastCMS tokens plus
 * SnackBase's `token`, and the union of both user shapes. Handlers parse, call core, render.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { login, type LoginInput } from "../../core/auth/login.ts";
import { me } from "../../core/auth/me.ts";
import { refresh, type RefreshInput } from "../../core/auth/refresh.ts";
import { register, type RegisterInput } from "../../core/auth/register.ts";
import type { AuthAccount, AuthSession, AuthUser, TokenPair } from "../../core/auth/session.ts";
import { errorSchema } from "../errors.ts";

const nullableString = { type: ["string", "null"] } as const;
const dateTime = { type: "string", format: "date-time" } as const;

const userProperties = {
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

const userSchema = { type: "object", properties: userProperties } as const;

const accountSchema = {
  type: "object",
  properties: { id: { type: "string" }, slug: { type: "string" }, name: { type: "string" }, created_at: dateTime },
} as const;

const tokenProperties = {
  access_token: { type: "string", description: "access JWT (FastCMS)" },
  token: { type: "string", description: "the same access JWT (SnackBase)" },
  refresh_token: { type: "string", description: "opaque, single use: each refresh returns a new one" },
  token_type: { type: "string", enum: ["bearer"] },
  expires_in: { type: "integer", description: "access token lifetime in seconds" },
} as const;

const authResponseSchema = {
  type: "object",
  properties: { ...tokenProperties, user: userSchema, account: accountSchema, message: { type: "string" } },
} as const;

const meSchema = {
  type: "object",
  properties: { ...userProperties, user_id: { type: "string" }, account_id: { type: "string" } },
} as const;

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorSchema]));

function renderUser(u: AuthUser) {
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
    is_active: true,
    email_verified: u.verified,
    created_at: created,
  };
}

function renderAccount(a: AuthAccount) {
  return { id: a.id, slug: a.slug, name: a.name, created_at: a.created.toISOString() };
}

function renderTokens(t: TokenPair) {
  return { access_token: t.accessToken, token: t.accessToken, refresh_token: t.refreshToken, token_type: "bearer", expires_in: t.expiresIn };
}

function renderSession(s: AuthSession, message: string) {
  return { ...renderTokens(s), user: renderUser(s.user), account: renderAccount(s.account), message };
}

/** Registers POST /auth/register, /auth/login, /auth/refresh and GET /auth/me on the /api/v1 scope. */
export function registerAuthRoutes(api: FastifyInstance, _services: Services): void {
  api.post<{ Body: RegisterInput }>(
    "/auth/register",
    {
      schema: {
        tags: ["auth"],
        summary: "Register a user in the default account and sign in",
        security: [],
        body: {
          type: "object",
          required: ["email", "password"],
          properties: {
            email: { type: "string", format: "email", maxLength: 254 },
            password: { type: "string", description: "8–100 characters, at least one letter and one digit" },
            password_confirm: { ...nullableString, description: "optional; must equal password when sent" },
            name: { ...nullableString, maxLength: 255 },
          },
        },
        response: { 201: authResponseSchema, ...errors(400, 409, 422) },
      },
    },
    async (req, reply) => {
      const session = await register(req.ctx, req.body);
      return reply.status(201).send(renderSession(session, "Registration successful"));
    },
  );

  api.post<{ Body: LoginInput }>(
    "/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign in with e-mail and password",
        security: [],
        body: {
          type: "object",
          required: ["email", "password"],
          properties: {
            email: { type: "string", format: "email", maxLength: 254 },
            password: { type: "string", maxLength: 1024 },
            account: { ...nullableString, description: "account slug or id (SnackBase); default account when omitted" },
          },
        },
        response: { 200: authResponseSchema, ...errors(400, 401, 422) },
      },
    },
    async (req) => renderSession(await login(req.ctx, req.body), "Login successful"),
  );

  api.post<{ Body: RefreshInput }>(
    "/auth/refresh",
    {
      schema: {
        tags: ["auth"],
        summary: "Trade a refresh token for new tokens (the old refresh token is revoked)",
        security: [],
        body: {
          type: "object",
          required: ["refresh_token"],
          properties: { refresh_token: { type: "string", minLength: 1, maxLength: 512 } },
        },
        response: { 200: { type: "object", properties: tokenProperties }, ...errors(400, 401, 422) },
      },
    },
    async (req) => renderTokens(await refresh(req.ctx, req.body)),
  );

  api.get(
    "/auth/me",
    {
      schema: {
        tags: ["auth"],
        summary: "The signed-in user",
        response: { 200: meSchema, ...errors(401) },
      },
    },
    async (req) => {
      const { user } = await me(req.ctx);
      return { ...renderUser(user), user_id: user.id, account_id: user.accountId };
    },
  );
}
