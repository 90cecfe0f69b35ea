/**
 * Fullfinity auth (spec 002 "Authentication"): `POST /auth/authenticate` and `POST /auth/refresh`
 * → `{message, access_token, refresh_token, token_type, expires_at: "YYYY-MM-DD HH:MM:SS UTC"}`.
 * Parse → core auth (login / refresh, with their lockout and rate tier) → render.
 *
 * Spec 002 selects "the database" by host/subdomain or the database selector, never in the body.
 * Cairn keeps every tenant in one database as an account, so the selector is the account: the
 * query parameter `db` (slug, code or id), else the subdomain of the Host header when an account
 * has that slug (core/accounts/host-account.ts), else the default account (or a superadmin's).
 */
import type { FastifyInstance } from "fastify";
import { accountForHost } from "../../core/accounts/host-account.ts";
import { login } from "../../core/auth/login.ts";
import { refresh } from "../../core/auth/refresh.ts";
import type { TokenPair } from "../../core/auth/session.ts";
import { operation, SESSION } from "../../core/policy/operation.ts";

const tags = ["fullfinity"];

/** `2026-01-01 12:00:00 UTC`: when the access token expires. */
function expiresAt(now: Date, seconds: number): string {
  return `${new Date(now.getTime() + seconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function renderTokens(now: Date, t: TokenPair, message: string) {
  return { message, access_token: t.accessToken, refresh_token: t.refreshToken, token_type: "bearer", expires_at: expiresAt(now, t.expiresIn) };
}

const tokenResponse = {
  type: "object",
  properties: {
    message: { type: "string" },
    access_token: { type: "string" },
    refresh_token: { type: "string" },
    token_type: { type: "string", enum: ["bearer"] },
    expires_at: { type: "string", description: "YYYY-MM-DD HH:MM:SS UTC" },
  },
} as const;

export function registerFullfinityAuth(api: FastifyInstance): void {
  api.post<{ Body: { email: string; password: string }; Querystring: { db?: string } }>(
    "/auth/authenticate",
    {
      config: { operation: operation("session", "login") },
      schema: {
        tags,
        summary: "Sign in (Fullfinity): e-mail and password → tokens",
        description: "The account (Fullfinity's database) is the query parameter `db` (slug, code or id), else the Host's subdomain when an account has that slug, else the default account.",
        security: [],
        querystring: { type: "object", properties: { db: { type: "string", minLength: 1, maxLength: 100, description: "account slug, code or id (the database selector)" } } },
        body: { type: "object", required: ["email", "password"], properties: { email: { type: "string", maxLength: 254 }, password: { type: "string", maxLength: 1024 } } },
        response: { 200: tokenResponse },
      },
    },
    async (req) => {
      const account = req.query.db ?? (await accountForHost(req.ctx, req.headers.host));
      return renderTokens(req.ctx.services.now(), await login(req.ctx, { email: req.body.email, password: req.body.password, account }), "Authenticated");
    },
  );

  api.post<{ Body: { refresh_token: string } }>(
    "/auth/refresh",
    {
      config: { operation: SESSION },
      schema: {
        tags,
        summary: "Trade a refresh token for new tokens (Fullfinity)",
        security: [],
        body: { type: "object", required: ["refresh_token"], properties: { refresh_token: { type: "string", maxLength: 512 } } },
        response: { 200: tokenResponse },
      },
    },
    async (req) => renderTokens(req.ctx.services.now(), await refresh(req.ctx, { refreshToken: req.body.refresh_token }), "Token refreshed"),
  );
}
