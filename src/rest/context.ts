/**
 * Builds the core Context for each HTTP request: authenticates the caller — an access JWT
 * (`Authorization: Bearer …` or the `access_token` cookie) or an API key (`X-API-Key`, or
 * `Authorization: Bearer cairn_…`) — and records the request facts rules may read.
 *
 * API keys: a rejected key (unknown, revoked, inactive, expired, owner deactivated) answers 401,
 * and a key's scopes are enforced by HTTP method (GET/HEAD/OPTIONS need `read`, anything else
 * `write`) through the core guard `requireScope`. Both happen in a `preParsing` hook, after all
 * `onRequest` hooks (rate limits see the caller as anonymous, by IP). /graphql is exempt from
 * the method rule: its operations are checked once the body is read (graphql-scopes.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DEFAULT_ACCOUNT_ID, type Context, type Principal, type Services } from "../core/context.ts";
import { UnauthenticatedError } from "../core/errors.ts";
import { audit } from "../core/audit/audit.ts";
import { requireScope, scopeForMethod } from "../core/auth/guards.ts";
import { authenticateApiKey, type ApiKeyRejection } from "../core/api-keys/authenticate.ts";
import { looksLikeApiKey } from "../core/api-keys/secret.ts";
import { checkGraphqlScopes } from "./graphql-scopes.ts";

declare module "fastify" {
  interface FastifyRequest {
    ctx: Context;
  }
}

/** The request headers authentication reads (HTTP requests, or a websocket's connection params). */
export interface AuthHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
  "x-api-key"?: string | string[] | undefined;
}

export interface Rejection {
  reason: ApiKeyRejection;
  keyId?: string;
  userId?: string;
}

export interface Caller {
  principal: Principal;
  /** set when an API key was presented and refused (the principal is then anonymous) */
  rejected?: Rejection;
}

export const INVALID_API_KEY = "Invalid or expired API key";

const anonymous = (): Principal => ({ kind: "anonymous", accountId: DEFAULT_ACCOUNT_ID });

function bearerToken(headers: AuthHeaders): string | undefined {
  const h = headers.authorization;
  if (!h) return undefined;
  return /^Bearer\s+(\S+)$/i.exec(h)?.[1];
}

function cookieToken(headers: AuthHeaders): string | undefined {
  const cookie = headers.cookie;
  return cookie ? /(?:^|;\s*)access_token=([^;]+)/.exec(cookie)?.[1] : undefined;
}

async function viaApiKey(services: Services, key: string, ip: string | undefined): Promise<Caller> {
  const r = await authenticateApiKey(services, key, ip);
  if ("principal" in r) return { principal: r.principal };
  const { rejected: reason, ...ids } = r;
  return { principal: anonymous(), rejected: { reason, ...ids } };
}

/**
 * Resolves the caller without throwing. Order (FastCMS): `Authorization: Bearer` (an API key
 * when it starts with `cairn_`, else an access JWT), then `X-API-Key`, then the `access_token`
 * cookie. An invalid or expired JWT means anonymous; a refused API key is reported in `rejected`.
 */
export async function resolveCaller(services: Services, headers: AuthHeaders, ip?: string): Promise<Caller> {
  const bearer = bearerToken(headers);
  if (bearer && looksLikeApiKey(bearer)) return viaApiKey(services, bearer, ip);
  if (bearer) {
    const claims = await services.tokens.verifyAccess(bearer);
    if (claims) return { principal: principalFromClaims(claims) };
  }
  const headerKey = headers["x-api-key"];
  const apiKey = Array.isArray(headerKey) ? headerKey[0] : headerKey;
  if (apiKey) return viaApiKey(services, apiKey.trim(), ip);
  const cookie = !bearer ? cookieToken(headers) : undefined;
  if (cookie) {
    const claims = await services.tokens.verifyAccess(cookie);
    if (claims) return { principal: principalFromClaims(claims) };
  }
  return { principal: anonymous() };
}

function principalFromClaims(claims: NonNullable<Awaited<ReturnType<Services["tokens"]["verifyAccess"]>>>): Principal {
  return {
    kind: "user",
    userId: claims.sub,
    accountId: claims.acc,
    email: claims.email,
    role: claims.role,
    superadmin: claims.sa,
    roleId: claims.rid ?? (claims.role === "admin" ? 1 : 2),
    ...(claims.sid ? { sessionId: claims.sid } : {}),
  };
}

/**
 * Resolves the caller from request headers (see resolveCaller); invalid or expired access tokens
 * mean anonymous. Throws UnauthenticatedError (401 `Invalid or expired API key`) when an API key
 * was presented and refused. Shared by REST, GraphQL over HTTP and GraphQL websockets
 * (`connectionParams.authorization` / `x-api-key`).
 */
export async function authenticate(services: Services, headers: AuthHeaders, ip?: string): Promise<Principal> {
  const caller = await resolveCaller(services, headers, ip);
  if (caller.rejected) throw new UnauthenticatedError(INVALID_API_KEY);
  return caller.principal;
}

const rejections = new WeakMap<FastifyRequest, Rejection>();

function isGraphqlPath(url: string): boolean {
  const path = url.split("?")[0]!;
  return path === "/graphql" || path.startsWith("/graphql/");
}

export function registerContext(app: FastifyInstance, services: Services): void {
  app.decorateRequest("ctx", null as unknown as Context);
  app.addHook("onRequest", async (req) => {
    const caller = await resolveCaller(services, req.headers, req.ip);
    if (caller.rejected) rejections.set(req, caller.rejected);
    req.ctx = {
      requestId: req.id,
      principal: caller.principal,
      services,
      log: req.log,
      request: { method: req.method, query: req.query as Record<string, unknown>, headers: req.headers, ip: req.ip },
    };
  });
  app.addHook("preParsing", async (req) => {
    const rejected = rejections.get(req);
    if (rejected) {
      audit(req.ctx, {
        eventType: "api_key",
        eventAction: "use_denied",
        severity: "warning",
        outcome: "failure",
        userId: rejected.userId ?? null,
        resourceType: "api_key",
        resourceId: rejected.keyId ?? null,
        description: `API key refused: ${rejected.reason.replace("_", " ")}`,
        details: { reason: rejected.reason, method: req.method, path: req.url.split("?")[0] },
      });
      throw new UnauthenticatedError(INVALID_API_KEY);
    }
    if (!isGraphqlPath(req.url)) requireScope(req.ctx, scopeForMethod(req.method));
  });
  // GraphQL over HTTP: the scope of each operation, once the body is read (graphql-scopes.ts).
  app.addHook("preHandler", async (req) => {
    if (isGraphqlPath(req.url)) checkGraphqlScopes(req);
  });
}
