/**
 * The audit log writer. `audit(ctx, entry)` records who did what, from where (request id, IP,
 * user agent) without delaying or failing the request: the write runs in the background and a
 * failure is logged, never thrown.
 */
import { randomUUID } from "node:crypto";
import type { Context } from "../context.ts";

export type AuditEventType = "auth" | "user" | "api_key" | "two_factor" | "collection" | "record" | "file" | "admin" | "system" | "security";
export type AuditSeverity = "info" | "warning" | "critical";
export type AuditOutcome = "success" | "failure" | "error";

export interface AuditEntry {
  eventType: AuditEventType;
  /** e.g. login, login_failed, logout, token_refresh, token_reuse, lockout, create, update, delete, permission_denied, rate_limit */
  eventAction: string;
  severity?: AuditSeverity;
  outcome?: AuditOutcome;
  /** defaults to the caller */
  userId?: string | null;
  userEmail?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  description?: string | null;
  details?: Record<string, unknown> | null;
  errorMessage?: string | null;
}

/** Writes an audit entry in the background (see module doc). Returns the write, for tests that need to await it. */
export function audit(ctx: Context, entry: AuditEntry): Promise<void> {
  const p = ctx.principal;
  const headers = ctx.request?.headers ?? {};
  const ua = headers["user-agent"];
  const write = ctx.services.prisma.auditLog
    .create({
      data: {
        id: randomUUID(),
        accountId: p.accountId,
        eventType: entry.eventType,
        eventAction: entry.eventAction,
        severity: entry.severity ?? "info",
        outcome: entry.outcome ?? "success",
        userId: entry.userId !== undefined ? entry.userId : p.kind === "user" ? p.userId : null,
        userEmail: entry.userEmail !== undefined ? entry.userEmail : p.kind === "user" ? p.email : null,
        ipAddress: ctx.request?.ip ?? null,
        userAgent: typeof ua === "string" ? ua.slice(0, 500) : null,
        requestId: ctx.requestId,
        resourceType: entry.resourceType ?? null,
        resourceId: entry.resourceId ?? null,
        description: entry.description ?? null,
        details: entry.details ? JSON.stringify(entry.details) : null,
        errorMessage: entry.errorMessage ?? null,
      },
    })
    .then(
      () => undefined,
      (err: unknown) => ctx.log.error({ err, entry }, "audit write failed"),
    );
  return write;
}
