/**
 * Access checks shared by every transport. The rules engine plugs in behind `canAccessRecords`.
 */
import type { Context, Principal } from "../context.ts";
import { ForbiddenError, UnauthenticatedError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { scopeAllows, type ApiScope } from "../api-keys/scopes.ts";
import { SESSION_ENDED } from "./session-epochs.ts";

export type { ApiScope } from "../api-keys/scopes.ts";

export type SignedIn = Extract<Principal, { kind: "user" }> | Extract<Principal, { kind: "system" }>;

export const INVALID_TOKEN = "Invalid or expired token";

/**
 * The 401 for an operation that needs sign-in, called anonymously: `Session ended; sign in
 * again` or `Invalid or expired token` when the caller sent an access token that was refused,
 * else `Authentication required`.
 */
export function notSignedIn(ctx: Context): UnauthenticatedError {
  const p = ctx.principal;
  if (p.kind === "anonymous" && p.refusedToken) return new UnauthenticatedError(p.refusedToken === "ended" ? SESSION_ENDED : INVALID_TOKEN);
  return new UnauthenticatedError();
}

/** Throws 401 (see notSignedIn) unless a user (or the system) is calling. */
export function requireSignedIn(ctx: Context): SignedIn {
  if (ctx.principal.kind === "anonymous") throw notSignedIn(ctx);
  return ctx.principal;
}

/** Throws 401 when anonymous, 403 when signed in without superadmin rights. */
export function requireSuperadmin(ctx: Context): void {
  const p = requireSignedIn(ctx);
  if (p.kind === "user" && !p.superadmin) throw new ForbiddenError("Admin access required");
}

export type RecordAction = "list" | "view" | "create" | "update" | "delete";

/**
 * Throws ForbiddenError (403 `API key lacks the '<scope>' scope`) when the caller is an API key
 * whose scopes do not cover `scope`, and writes an audit entry (`api_key` / `use_denied`).
 * Users signed in with a token, anonymous callers and the system pass (their limits are
 * elsewhere). The policy check (core/policy) calls it for every operation with the scope of the
 * operation's declared kind.
 * @example requireScope(ctx, "write") // before a mutation
 */
export function requireScope(ctx: Context, scope: ApiScope): void {
  const p = ctx.principal;
  if (p.kind !== "user" || !p.apiKey || scopeAllows(p.apiKey.scopes, scope)) return;
  audit(ctx, {
    eventType: "api_key",
    eventAction: "use_denied",
    severity: "warning",
    outcome: "failure",
    resourceType: "api_key",
    resourceId: p.apiKey.id,
    description: `API key lacks the '${scope}' scope`,
    details: { scopes: p.apiKey.scopes, needed: scope, method: ctx.request?.method ?? null },
  });
  throw new ForbiddenError(`API key lacks the '${scope}' scope`);
}
