/**
 * Who is calling, from transport-neutral inputs (request headers, or a websocket's connection
 * params mapped to the same names, and the client IP): an access JWT (`Authorization: Bearer …`
 * or the `access_token` cookie) or an API key (`X-API-Key`, or `Authorization: Bearer cairn_…`).
 * REST and GraphQL (HTTP and websockets) both resolve callers here.
 *
 * An access token that is invalid or expired, or whose session has ended (session-epochs.ts),
 * leaves the caller anonymous with `refusedToken` set: routes that allow anonymous callers treat
 * it as anonymous, routes that need sign-in answer 401 naming why (guards.ts `notSignedIn`).
 */
import { authenticateApiKey, type ApiKeyRejection } from "../api-keys/authenticate.ts";
import { looksLikeApiKey } from "../api-keys/secret.ts";
import { DEFAULT_ACCOUNT_ID, type Principal, type Services } from "../context.ts";
import { UnauthenticatedError } from "../errors.ts";
import type { AccessClaims } from "./tokens.ts";

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
  /** how the caller authenticated, when not anonymous */
  via?: "bearer" | "cookie" | "api_key";
}

export const INVALID_API_KEY = "Invalid or expired API key";

const anonymous = (refusedToken?: "invalid" | "ended"): Principal => ({ kind: "anonymous", accountId: DEFAULT_ACCOUNT_ID, ...(refusedToken ? { refusedToken } : {}) });

const BEARER = /^Bearer\s+(\S+)$/i;
/** Any whitespace `\s` matches: a token after `Bearer ` without one is the whole rest. */
const WHITESPACE = /\s/;

function bearerToken(headers: AuthHeaders): string | undefined {
  const h = headers.authorization;
  if (!h) return undefined;
  // `Bearer <token>` as clients send it, without a regex match (and its array) per request;
  // any other shape takes the regex, which decides.
  if (h.length > 7 && h.charCodeAt(6) === 32 && h.startsWith("Bearer")) {
    const token = h.slice(7);
    if (!WHITESPACE.test(token)) return token;
  }
  return BEARER.exec(h)?.[1];
}

/** The `access_token` cookie of a Cookie header, if any. */
export function cookieToken(headers: Pick<AuthHeaders, "cookie">): string | undefined {
  const cookie = headers.cookie;
  return cookie ? /(?:^|;\s*)access_token=([^;]+)/.exec(cookie)?.[1] : undefined;
}

async function viaApiKey(services: Services, key: string, ip: string | undefined): Promise<Caller> {
  const r = await authenticateApiKey(services, key, ip);
  if ("principal" in r) return { principal: r.principal, via: "api_key" };
  const { rejected: reason, ...ids } = r;
  return { principal: anonymous(), rejected: { reason, ...ids } };
}

/** The principal of a valid access token, or why it is refused. */
async function viaToken(services: Services, token: string): Promise<Principal | "invalid" | "ended"> {
  const claims = await services.tokens.verifyAccess(token);
  if (!claims) return "invalid";
  if (!(await services.sessions.valid(claims.sub, claims.issuedMs ?? 0, claims.sid))) return "ended";
  return principalFromClaims(claims);
}

/**
 * Resolves the caller without throwing. Order (FastCMS): `Authorization: Bearer` (an API key
 * when it starts with `cairn_`, else an access JWT), then `X-API-Key`, then the `access_token`
 * cookie. A refused JWT means anonymous with `refusedToken`; a refused API key is reported in
 * `rejected`.
 */
export async function resolveCaller(services: Services, headers: AuthHeaders, ip?: string): Promise<Caller> {
  const bearer = bearerToken(headers);
  if (bearer && looksLikeApiKey(bearer)) return viaApiKey(services, bearer, ip);
  let refused: "invalid" | "ended" | undefined;
  if (bearer) {
    const p = await viaToken(services, bearer);
    if (typeof p !== "string") return { principal: p, via: "bearer" };
    refused = p;
  }
  const headerKey = headers["x-api-key"];
  const apiKey = Array.isArray(headerKey) ? headerKey[0] : headerKey;
  if (apiKey) return viaApiKey(services, apiKey.trim(), ip);
  const cookie = !bearer ? cookieToken(headers) : undefined;
  if (cookie) {
    const p = await viaToken(services, cookie);
    if (typeof p !== "string") return { principal: p, via: "cookie" };
    refused = p;
  }
  return { principal: anonymous(refused) };
}

/**
 * `resolveCaller` without waiting, for the request hooks: the caller when no credentials were
 * sent, or when the bearer access token was verified before and its user's session epoch is
 * cached (every request after a client's first). Undefined whenever resolveCaller would have to
 * wait (an API key, a cookie, a token or user seen for the first time, a refused token): the
 * caller then takes the full path, which gives the same answer.
 */
export function resolveCallerNow(services: Services, headers: AuthHeaders): Caller | undefined {
  const bearer = bearerToken(headers);
  if (bearer) {
    if (looksLikeApiKey(bearer)) return undefined;
    const claims = services.tokens.cachedAccess(bearer);
    if (!claims || services.sessions.validCached(claims.sub, claims.issuedMs ?? 0, claims.sid) !== true) return undefined;
    return bearerCaller(claims);
  }
  if (headers["x-api-key"] || headers.cookie) return undefined;
  return { principal: anonymous() };
}

/**
 * The caller of a verified bearer token, made once per verified token (the claims object lives
 * as long as the token's cache entry, tokens.ts) and frozen: every request with that token shares
 * it. The session check above still runs on every request.
 */
const bearerCallers = new WeakMap<AccessClaims, Caller>();

function bearerCaller(claims: AccessClaims): Caller {
  let caller = bearerCallers.get(claims);
  if (!caller) {
    caller = Object.freeze({ principal: Object.freeze(principalFromClaims(claims)), via: "bearer" as const });
    bearerCallers.set(claims, caller);
  }
  return caller;
}

function principalFromClaims(claims: AccessClaims): Principal {
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
 * Resolves the caller (see resolveCaller); refused access tokens mean anonymous. Throws
 * UnauthenticatedError (401 `Invalid or expired API key`) when an API key was presented and
 * refused.
 */
export async function authenticate(services: Services, headers: AuthHeaders, ip?: string): Promise<Principal> {
  const caller = await resolveCaller(services, headers, ip);
  if (caller.rejected) throw new UnauthenticatedError(INVALID_API_KEY);
  return caller.principal;
}
