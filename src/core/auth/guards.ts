/**
 * Access checks shared by every transport. The rules engine plugs in behind `canAccessRecords`.
 */
import type { Context, Principal } from "../context.ts";
import { ForbiddenError, UnauthenticatedError } from "../errors.ts";

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
