/**
 * /api/v1/roles (compat/snackbase.md §5, superadmin): roles, their permissions, the bulk
 * permissions endpoint, and rule validation/testing. Parse → core operation → render.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { bulkUpdatePermissions, getRolePermissions, MAX_BULK_PERMISSION_UPDATES } from "../../core/rules/permissions.ts";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "../../core/rules/roles.ts";
import { testRule, validateRule } from "../../core/rules/test-rule.ts";
import { errorResponses } from "../errors.ts";
import { ADMIN, READ } from "../../core/policy/operation.ts";

const tags = ["roles"];
/** Route option: the core validates the body and names every failing path (422). */
const validatedByCore = { validatorCompiler: () => () => true };

const roleSchema = {
  type: "object",
  properties: { id: { type: "integer" }, name: { type: "string" }, description: { type: ["string", "null"] }, collections_count: { type: "integer" } },
} as const;
const roleInput = {
  type: "object",
  properties: { name: { type: "string", description: "1-100 characters, starting with a letter" }, description: { type: ["string", "null"], maxLength: 1000 } },
} as const;
const fieldList = {
  description: '"*" or a list of field names',
  anyOf: [
    { type: "string", enum: ["*"] },
    { type: "array", items: { type: "string" } },
  ],
} as const;
const opEntry = { type: ["object", "null"], properties: { rule: { type: "string" }, fields: fieldList } } as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 100, description: "role id or name" } } } as const;
const ruleBody = {
  type: "object",
  required: ["rule"],
  properties: { rule: { type: "string", maxLength: 4000 }, collection: { type: "string", description: "check the rule's fields against this collection" } },
} as const;

type IdParams = { id: string };

export function registerRoleRoutes(api: FastifyInstance, _services: Services): void {
  api.post<{ Body: unknown }>(
    "/roles",
    {
      config: { operation: ADMIN },
      ...validatedByCore,
      schema: { tags, summary: "Create a role (superadmin)", body: { ...roleInput, required: ["name"] }, response: { 201: roleSchema, ...errorResponses(401, 403, 409, 422) } },
    },
    async (req, reply) => reply.status(201).send(await createRole(req.ctx, req.body)),
  );

  api.get(
    "/roles",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List roles with the number of collections each has permissions for (superadmin)",
        response: { 200: { type: "object", properties: { items: { type: "array", items: roleSchema }, total: { type: "integer" } } }, ...errorResponses(401, 403) },
      },
    },
    async (req) => listRoles(req.ctx),
  );

  api.get<{ Params: IdParams }>(
    "/roles/:id",
    { config: { operation: READ }, schema: { tags, summary: "One role (superadmin)", params: idParams, response: { 200: roleSchema, ...errorResponses(401, 403, 404) } } },
    async (req) => getRole(req.ctx, req.params.id),
  );

  api.put<{ Params: IdParams; Body: unknown }>(
    "/roles/:id",
    {
      config: { operation: ADMIN },
      ...validatedByCore,
      schema: {
        tags,
        summary: "Rename or describe a role (superadmin); built-in roles keep their names",
        params: idParams,
        body: roleInput,
        response: { 200: roleSchema, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (req) => updateRole(req.ctx, req.params.id, req.body),
  );

  api.delete<{ Params: IdParams }>(
    "/roles/:id",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Delete a role and its permissions (superadmin); 422 for built-in roles and roles still assigned to users",
        params: idParams,
        response: { 204: { type: "null" }, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (req, reply) => {
      await deleteRole(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );

  api.get<{ Params: IdParams }>(
    "/roles/:id/permissions",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "A role's permissions by collection (superadmin)",
        params: idParams,
        response: {
          200: {
            type: "object",
            properties: {
              role_id: { type: "integer" },
              role_name: { type: "string" },
              permissions: {
                type: "array",
                items: {
                  type: "object",
                  properties: { collection: { type: "string" }, permission_id: { type: ["integer", "null"] }, create: opEntry, read: opEntry, update: opEntry, delete: opEntry },
                },
              },
            },
          },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (req) => getRolePermissions(req.ctx, req.params.id),
  );

  api.put<{ Params: IdParams; Body: unknown }>(
    "/roles/:id/permissions/bulk",
    {
      config: { operation: ADMIN },
      ...validatedByCore,
      schema: {
        tags,
        summary: "Set several (collection, operation) rules of a role at once (superadmin)",
        description:
          "Each update replaces the rule and allowed fields of one (collection or `*`, operation). A malformed entry rejects the request (422); an unknown collection, unknown field or a rule that does not parse only fails its entry and is listed in `errors`.",
        params: idParams,
        body: {
          type: "object",
          required: ["updates"],
          properties: {
            updates: {
              type: "array",
              maxItems: MAX_BULK_PERMISSION_UPDATES,
              items: {
                type: "object",
                required: ["collection", "operation", "rule"],
                properties: {
                  collection: { type: "string", description: "collection name or `*`" },
                  operation: { type: "string", enum: ["create", "read", "update", "delete"] },
                  rule: { type: "string", maxLength: 4000 },
                  fields: fieldList,
                },
              },
            },
          },
        },
        response: {
          200: { type: "object", properties: { success_count: { type: "integer" }, failure_count: { type: "integer" }, errors: { type: "array", items: { type: "string" } } } },
          ...errorResponses(401, 403, 404, 422),
        },
      },
    },
    async (req) => bulkUpdatePermissions(req.ctx, req.params.id, req.body),
  );

  api.post<{ Body: unknown }>(
    "/roles/validate-rule",
    {
      config: { operation: READ },
      ...validatedByCore,
      schema: {
        tags,
        summary: "Check a rule's syntax, and its fields when a collection is given (superadmin)",
        body: ruleBody,
        response: { 200: { type: "object", properties: { valid: { type: "boolean" }, error: { type: "string" }, position: { type: "integer" } } }, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (req) => validateRule(req.ctx, req.body),
  );

  api.post<{ Body: unknown }>(
    "/roles/test-rule",
    {
      config: { operation: READ },
      ...validatedByCore,
      schema: {
        tags,
        summary: "Evaluate a rule for a sample caller and record (superadmin)",
        description: "`context`: `{user: {id, email, role, account_id}, record: {…field values}, data: {…request body}}`; no user = anonymous.",
        body: { ...ruleBody, properties: { ...ruleBody.properties, context: { type: "object", additionalProperties: true } } },
        response: { 200: { type: "object", properties: { allowed: { type: "boolean" }, evaluation_details: { type: "string" }, error: { type: "string" } } }, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (req) => testRule(req.ctx, req.body),
  );
}
