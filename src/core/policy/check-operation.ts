/**
 * The one decision every transport asks before running an operation: maintenance mode, then
 * the API key's scopes. (Rate limits are counted separately, see rate-limit.ts: they must also
 * count requests whose operation is not known yet.)
 */
import { requireScope, type ApiScope } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { UnauthenticatedError } from "../errors.ts";
import { checkMaintenance } from "./maintenance.ts";
import type { Operation, OperationKind } from "./operation.ts";

/** The API-key scope each kind needs: signing in, refreshing or out changes state, so `write`. */
const SCOPE: Readonly<Record<OperationKind, ApiScope>> = Object.freeze({ read: "read", write: "write", session: "write", admin: "admin" });

/** The scope an API key needs for an operation of `kind`. */
export function scopeFor(kind: OperationKind): ApiScope {
  return SCOPE[kind];
}

/**
 * Throws ServiceUnavailableError (503, Retry-After) while a restore runs (service-gate.ts),
 * UnauthenticatedError (401) for an anonymous caller of an operation that requires one,
 * MaintenanceError (503 `MAINTENANCE_MODE`) when maintenance mode refuses `op` for the
 * caller, ForbiddenError (403 `API key lacks the '<scope>' scope`, audited) when the caller's API
 * key does not cover it. Users signed in with a token, anonymous callers and the system pass the
 * scope check (their limits are the rules').
 * @example checkOperation(ctx, WRITE) // before creating a record
 */
export function checkOperation(ctx: Context, op: Operation): void {
  ctx.services.gate.check(ctx);
  if (op.callerRequired !== undefined && ctx.principal.kind === "anonymous") throw new UnauthenticatedError(op.callerRequired);
  checkMaintenance(ctx, op);
  requireScope(ctx, SCOPE[op.kind]);
}
