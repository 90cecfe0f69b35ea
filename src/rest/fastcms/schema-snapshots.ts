/**
 * /api/v1/schema/snapshot and /api/v1/schema/apply (superadmins): the schema snapshot document
 * of core/snapshots, and applying one (`?dry_run=true` for the plan only, `?allow_drop=true` to
 * accept steps that drop something). The body of an apply is the snapshot document itself, as
 * `cairn schema snapshot` writes it.
 */
import type { FastifyInstance } from "fastify";
import { ADMIN, READ } from "../../core/policy/operation.ts";
import { applySnapshot } from "../../core/snapshots/apply.ts";
import { formatPlan } from "../../core/snapshots/plan.ts";
import { takeSnapshot } from "../../core/snapshots/take.ts";
import { errorResponses } from "../errors.ts";

const tags = ["schema"];
const anyObject = { type: "object", additionalProperties: true } as const;
const stepSchema = {
  type: "object",
  properties: {
    action: { type: "string", enum: ["create", "alter", "rename", "drop"] },
    kind: { type: "string", enum: ["collection", "field", "role", "permission", "webhook"] },
    target: { type: "string" },
    detail: { type: "string" },
    destructive: { type: "boolean" },
    warning: { type: "string" },
  },
} as const;
const applyResponse = {
  type: "object",
  properties: {
    applied: { type: "boolean", description: "false for a dry run, or when there was nothing to do" },
    dry_run: { type: "boolean" },
    steps: { type: "array", items: stepSchema },
    destructive: { type: "integer", description: "number of steps that drop something" },
    summary: { type: "string", description: "the plan as `cairn schema diff` prints it" },
  },
} as const;

export function registerSchemaSnapshotRoutes(api: FastifyInstance): void {
  api.get(
    "/schema/snapshot",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "The schema snapshot: collections, roles and permissions, webhooks without secrets (superadmin)",
        response: { 200: { ...anyObject, description: "a cairn-schema-snapshot document (see the README, Schema snapshots)" }, ...errorResponses(401, 403) },
      },
    },
    async (req) => takeSnapshot(req.ctx),
  );
  api.post<{ Body: unknown; Querystring: { dry_run?: boolean; allow_drop?: boolean } }>(
    "/schema/apply",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Apply a schema snapshot in one transaction (superadmin)",
        querystring: {
          type: "object",
          properties: {
            dry_run: { type: "boolean", default: false, description: "return the plan without changing anything" },
            allow_drop: { type: "boolean", default: false, description: "carry out steps that drop collections, fields, roles, permissions or webhooks" },
          },
        },
        body: { ...anyObject, description: "the snapshot document" },
        response: { 200: applyResponse, ...errorResponses(400, 401, 403, 409, 422) },
      },
    },
    async (req) => {
      const dryRun = req.query.dry_run === true;
      const { applied, plan } = await applySnapshot(req.ctx, req.body, { dryRun, allowDrop: req.query.allow_drop === true });
      return { applied, dry_run: dryRun, steps: plan.steps, destructive: plan.steps.filter((s) => s.destructive).length, summary: formatPlan(plan) };
    },
  );
}
