/**
 * The audit log read side (compat/fastcms.md §13): filtered listing, security events, failed
 * logins, one user's trail and statistics. Superadmins only. Inputs arrive as raw strings from
 * any transport and are checked here: a bad date, enum or number is a 422 naming the parameter.
 * Newest first; `created` and `id` (UUIDs are random, so `id` only breaks ties stably).
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { parseIso } from "../../lib/iso-date.ts";
import type { AuditEventType, AuditOutcome, AuditSeverity } from "./audit.ts";

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = ["auth", "user", "api_key", "two_factor", "collection", "record", "file", "admin", "system", "security"];
export const AUDIT_SEVERITIES: readonly AuditSeverity[] = ["info", "warning", "critical"];
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ["success", "failure", "error"];

/** An entry as the API shows it. */
export interface AuditEntryView {
  id: string;
  event_type: string;
  event_action: string;
  severity: string;
  outcome: string;
  user_id: string | null;
  user_email: string | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  account_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  description: string | null;
  details: unknown;
  error_message: string | null;
  created: string;
}

type Raw = Record<string, unknown>;

interface Row {
  id: string;
  accountId: string | null;
  eventType: string;
  eventAction: string;
  severity: string;
  outcome: string;
  userId: string | null;
  userEmail: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  description: string | null;
  details: string | null;
  errorMessage: string | null;
  created: Date;
}

function toView(r: Row): AuditEntryView {
  let details: unknown = null;
  if (r.details) {
    try {
      details = JSON.parse(r.details);
    } catch {
      details = r.details;
    }
  }
  return {
    id: r.id,
    event_type: r.eventType,
    event_action: r.eventAction,
    severity: r.severity,
    outcome: r.outcome,
    user_id: r.userId,
    user_email: r.userEmail,
    ip_address: r.ipAddress,
    user_agent: r.userAgent,
    request_id: r.requestId,
    account_id: r.accountId,
    resource_type: r.resourceType,
    resource_id: r.resourceId,
    description: r.description,
    details,
    error_message: r.errorMessage,
    created: r.created.toISOString(),
  };
}

/** Collects per-parameter problems and throws them together. */
class Checker {
  readonly problems: Record<string, string> = {};
  constructor(private readonly raw: Raw) {}

  #string(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v !== "string") {
      this.problems[name] = "must be given once, as a string";
      return undefined;
    }
    return v;
  }

  text(name: string, max = 255): string | undefined {
    const v = this.#string(name);
    if (v !== undefined && v.length > max) {
      this.problems[name] = `must be at most ${max} characters`;
      return undefined;
    }
    return v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.#string(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      this.problems[name] = `must be an integer from ${min} to ${max}`;
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.#string(name);
    if (v !== undefined && !(values as readonly string[]).includes(v)) {
      this.problems[name] = `must be one of ${values.join(", ")}`;
      return undefined;
    }
    return v as T | undefined;
  }

  /** An ISO 8601 date or date-time; a bare date as an upper bound means the end of that day. */
  date(name: string, end: boolean): Date | undefined {
    const v = this.#string(name);
    if (v === undefined) return undefined;
    const parsed = parseIso(v.trim());
    if (!parsed) {
      this.problems[name] = "must be an ISO 8601 date or date-time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)";
      return undefined;
    }
    return end && !parsed.hasTime ? new Date(parsed.date.getTime() + 86_400_000 - 1) : parsed.date;
  }

  range(): { gte?: Date; lte?: Date } | undefined {
    const from = this.date("from_date", false);
    const to = this.date("to_date", true);
    if (from && to && from > to) this.problems.to_date = "must not be before from_date";
    return from || to ? { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } : undefined;
  }

  done(): void {
    const entries = Object.entries(this.problems);
    if (entries.length) throw new ValidationError(`Invalid query parameter ${entries.map(([k, m]) => `'${k}': ${m}`).join("; ")}`, this.problems);
  }
}

const ORDER = [{ created: "desc" as const }, { id: "desc" as const }];

export interface AuditPage {
  items: AuditEntryView[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * `GET /audit`: filters `event_type`, `event_action`, `user_id`, `severity`, `outcome`,
 * `ip_address`, `from_date`, `to_date`; `limit` 1–1000 (100), `offset` ≥ 0.
 * @throws 401/403, ValidationError 422
 */
export async function listAudit(ctx: Context, raw: Raw): Promise<AuditPage> {
  requireSuperadmin(ctx);
  const c = new Checker(raw);
  const limit = c.int("limit", 100, 1, 1000);
  const offset = c.int("offset", 0, 0, 10_000_000);
  const where = {
    eventType: c.oneOf("event_type", AUDIT_EVENT_TYPES),
    eventAction: c.text("event_action", 100),
    userId: c.text("user_id"),
    severity: c.oneOf("severity", AUDIT_SEVERITIES),
    outcome: c.oneOf("outcome", AUDIT_OUTCOMES),
    ipAddress: c.text("ip_address", 100),
    created: c.range(),
  };
  c.done();
  const { auditLog } = ctx.services.prisma;
  const [rows, total] = await Promise.all([auditLog.findMany({ where, orderBy: ORDER, take: limit, skip: offset }), auditLog.count({ where })]);
  return { items: rows.map(toView), total, limit, offset };
}

/**
 * `GET /audit/security`: entries of type `security` plus every `warning`/`critical` entry;
 * `severity` narrows to one level, `limit` 1–1000 (100). @throws 401/403, 422
 */
export async function securityEvents(ctx: Context, raw: Raw): Promise<AuditEntryView[]> {
  requireSuperadmin(ctx);
  const c = new Checker(raw);
  const severity = c.oneOf("severity", AUDIT_SEVERITIES);
  const limit = c.int("limit", 100, 1, 1000);
  const created = c.range();
  c.done();
  const where = severity ? { severity, created } : { OR: [{ eventType: "security" }, { severity: { in: ["warning", "critical"] } }], created };
  const rows = await ctx.services.prisma.auditLog.findMany({ where, orderBy: ORDER, take: limit });
  return rows.map(toView);
}

/**
 * `GET /audit/failed-logins`: `auth` entries `login_failed` and `lockout` of the last `hours`
 * (1–8760, default 24); `limit` 1–1000 (100). @throws 401/403, 422
 */
export async function failedLogins(ctx: Context, raw: Raw): Promise<AuditEntryView[]> {
  requireSuperadmin(ctx);
  const c = new Checker(raw);
  const hours = c.int("hours", 24, 1, 8760);
  const limit = c.int("limit", 100, 1, 1000);
  const email = c.text("email", 254);
  c.done();
  const since = new Date(ctx.services.now().getTime() - hours * 3_600_000);
  const rows = await ctx.services.prisma.auditLog.findMany({
    where: { eventType: "auth", eventAction: { in: ["login_failed", "lockout"] }, created: { gte: since }, ...(email ? { userEmail: email.trim().toLowerCase() } : {}) },
    orderBy: ORDER,
    take: limit,
  });
  return rows.map(toView);
}

/** `GET /audit/user/{id}`: one user's entries, newest first; `limit` 1–1000 (100). @throws 401/403, 422 */
export async function userAudit(ctx: Context, userId: string, raw: Raw): Promise<AuditEntryView[]> {
  requireSuperadmin(ctx);
  const c = new Checker(raw);
  const limit = c.int("limit", 100, 1, 1000);
  const created = c.range();
  c.done();
  const rows = await ctx.services.prisma.auditLog.findMany({ where: { userId, created }, orderBy: ORDER, take: limit });
  return rows.map(toView);
}

export interface AuditStatistics {
  by_event_type: Record<string, number>;
  by_severity: Record<string, number>;
  by_outcome: Record<string, number>;
  total: number;
}

/** `GET /audit/statistics?from_date&to_date`: counts per type, severity and outcome. @throws 401/403, 422 */
export async function auditStatistics(ctx: Context, raw: Raw): Promise<AuditStatistics> {
  requireSuperadmin(ctx);
  const c = new Checker(raw);
  const created = c.range();
  c.done();
  const { auditLog } = ctx.services.prisma;
  const where = { created };
  const [types, severities, outcomes, total] = await Promise.all([
    auditLog.groupBy({ by: ["eventType"], where, _count: { _all: true } }),
    auditLog.groupBy({ by: ["severity"], where, _count: { _all: true } }),
    auditLog.groupBy({ by: ["outcome"], where, _count: { _all: true } }),
    auditLog.count({ where }),
  ]);
  return {
    by_event_type: Object.fromEntries(types.map((g) => [g.eventType, g._count._all])),
    by_severity: Object.fromEntries(severities.map((g) => [g.severity, g._count._all])),
    by_outcome: Object.fromEntries(outcomes.map((g) => [g.outcome, g._count._all])),
    total,
  };
}
