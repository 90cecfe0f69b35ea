/**
 * `/api/v1/audit…` (compat/fastcms.md §13), superadmins only. The query schemas document the
 * parameters; the core checks them (dates, enums, ranges → 422 naming the parameter).
 */
import type { FastifyInstance } from "fastify";
import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES, AUDIT_SEVERITIES, auditStatistics, failedLogins, listAudit, securityEvents, userAudit } from "../core/audit/query.ts";
import { errorResponses } from "./errors.ts";
import { READ } from "../core/policy/operation.ts";

const tags = ["audit"];
const nullableString = { type: ["string", "null"] } as const;
const date = { type: "string", description: "ISO 8601 date or date-time (a bare date as to_date means the end of that day)" } as const;
const limit = { type: "integer", minimum: 1, maximum: 1000, default: 100 } as const;

const entrySchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    event_type: { type: "string" },
    event_action: { type: "string" },
    severity: { type: "string" },
    outcome: { type: "string" },
    user_id: nullableString,
    user_email: nullableString,
    ip_address: nullableString,
    user_agent: nullableString,
    request_id: nullableString,
    account_id: nullableString,
    resource_type: nullableString,
    resource_id: nullableString,
    description: nullableString,
    details: {},
    error_message: nullableString,
    created: { type: "string", format: "date-time" },
  },
} as const;
const entries = { type: "array", items: entrySchema } as const;
const counts = { type: "object", additionalProperties: { type: "integer" } } as const;

type Query = { Querystring: Record<string, unknown> };

/** Registers the audit routes on the /api/v1 scope. */
export function registerAuditRoutes(api: FastifyInstance): void {
  api.get<Query>(
    "/audit",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Audit log entries, newest first, filtered",
        querystring: {
          type: "object",
          properties: {
            limit,
            offset: { type: "integer", minimum: 0, default: 0 },
            event_type: { type: "string", enum: [...AUDIT_EVENT_TYPES] },
            event_action: { type: "string", maxLength: 100, description: "e.g. login, login_failed, lockout, create, update, delete, rate_limit, permission_denied" },
            user_id: { type: "string" },
            severity: { type: "string", enum: [...AUDIT_SEVERITIES] },
            outcome: { type: "string", enum: [...AUDIT_OUTCOMES] },
            ip_address: { type: "string" },
            from_date: date,
            to_date: date,
          },
        },
        response: {
          200: { type: "object", properties: { items: entries, total: { type: "integer" }, limit: { type: "integer" }, offset: { type: "integer" } } },
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (req) => listAudit(req.ctx, req.query),
  );

  api.get<Query>(
    "/audit/security",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Security events: type security, or severity warning/critical",
        querystring: { type: "object", properties: { severity: { type: "string", enum: [...AUDIT_SEVERITIES] }, limit, from_date: date, to_date: date } },
        response: { 200: entries, ...errorResponses(401, 403, 422) },
      },
    },
    async (req) => securityEvents(req.ctx, req.query),
  );

  api.get<Query>(
    "/audit/failed-logins",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Failed logins and lockouts of the last hours",
        querystring: { type: "object", properties: { hours: { type: "integer", minimum: 1, maximum: 8760, default: 24 }, limit, email: { type: "string" } } },
        response: { 200: entries, ...errorResponses(401, 403, 422) },
      },
    },
    async (req) => failedLogins(req.ctx, req.query),
  );

  api.get<Query & { Params: { user_id: string } }>(
    "/audit/user/:user_id",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "One user's audit trail",
        params: { type: "object", properties: { user_id: { type: "string" } } },
        querystring: { type: "object", properties: { limit, from_date: date, to_date: date } },
        response: { 200: entries, ...errorResponses(401, 403, 422) },
      },
    },
    async (req) => userAudit(req.ctx, req.params.user_id, req.query),
  );

  api.get<Query>(
    "/audit/statistics",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Entry counts by type, severity and outcome",
        querystring: { type: "object", properties: { from_date: date, to_date: date } },
        response: { 200: { type: "object", properties: { by_event_type: counts, by_severity: counts, by_outcome: counts, total: { type: "integer" } } }, ...errorResponses(401, 403, 422) },
      },
    },
    async (req) => auditStatistics(req.ctx, req.query),
  );
}
