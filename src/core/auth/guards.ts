/**
 * Access checks shared by every transport. The rules engine plugs in behind `canAccessRecords`.
 */
import type { Context, Principal } from "../context.ts";
import { ForbiddenError, UnauthenticatedError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { scopeAllows, type ApiScope } from "../api-keys/scopes.ts";

export { scopeForMethod, type ApiScope } from "../api-keys/scopes.ts";

export type SignedIn = Extract<Principal, { kind: "user" }> | Extract<Principal, { kind: "system" }>;

/** Throws 401 unless a user (or the system) is calling. */
export function requireSignedIn(ctx: Context): SignedIn {
  if (ctx.principal.kind === "anonymous") throw new UnauthenticatedError();
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
 * elsewhere). REST calls it for every request by HTTP method (GET/HEAD = read, else write);
 * GraphQL calls it per operation (query = read, mutation = write, subscription = read).
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
