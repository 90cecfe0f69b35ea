/**
 * Maintenance mode (setting `maintenance_mode` = true): `write` and `admin` operations by anyone
 * but a superadmin are refused with 503 `MAINTENANCE_MODE` and `Retry-After: 60`; reads and
 * `session` operations (sign in, refresh, sign out — so admins can still get in to switch the
 * mode off) still work. Costs one cached settings lookup while the mode is off.
 */
import type { Context } from "../context.ts";
import { AppError } from "../errors.ts";
import { inMaintenance } from "../settings/features.ts";
import type { Operation } from "./operation.ts";

export const MAINTENANCE_MESSAGE = "The service is in maintenance mode; writes are disabled for now. Reads still work.";

/** 503 for an operation refused by maintenance mode; transports send `Retry-After`. */
export class MaintenanceError extends AppError {
  readonly retryAfterSeconds = 60;
  constructor() {
    super("MAINTENANCE_MODE", 503, MAINTENANCE_MESSAGE);
  }
}

/** Throws MaintenanceError (503) when maintenance mode refuses `op` for the caller. */
export function checkMaintenance(ctx: Context, op: Operation): void {
  if (op.kind === "read" || op.kind === "session" || !inMaintenance(ctx.services)) return;
  const p = ctx.principal;
  if (p.kind === "system" || (p.kind === "user" && p.superadmin)) return;
  throw new MaintenanceError();
}
