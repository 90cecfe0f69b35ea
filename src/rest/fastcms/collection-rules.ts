/**
 * `GET/PUT /api/v1/collections/{name}/rules` — SnackBase's later spelling of collection rules
 * (compat/snackbase.md §6): the five rules plus the field lists `list_fields` … `update_fields`.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { getCollectionRules, updateCollectionRules } from "../../core/rules/collection-rules.ts";
import { errorSchema } from "../errors.ts";
import { ADMIN, READ } from "../../core/policy/operation.ts";

const nullableString = { type: ["string", "null"] } as const;
const fieldList = {
  description: '"*" or a list of field names',
  anyOf: [
    { type: "string", enum: ["*"] },
    { type: "array", items: { type: "string" } },
  ],
} as const;
const rulesSchema = {
  type: "object",
  properties: {
    collection: { type: "string" },
    list_rule: nullableString,
    view_rule: nullableString,
    create_rule: nullableString,
    update_rule: nullableString,
    delete_rule: nullableString,
    list_fields: fieldList,
    view_fields: fieldList,
    create_fields: fieldList,
    update_fields: fieldList,
  },
} as const;
const params = { type: "object", required: ["idOrName"], properties: { idOrName: { type: "string", description: "collection id or name" } } } as const;
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema };

export function registerCollectionRuleRoutes(api: FastifyInstance, _services: Services): void {
  const tags = ["collections"];
  api.get<{ Params: { idOrName: string } }>(
    "/collections/:idOrName/rules",
    { config: { operation: READ }, schema: { tags, summary: "A collection's access rules and field lists (superadmin)", params, response: { 200: rulesSchema, ...errors } } },
    async (req) => getCollectionRules(req.ctx, req.params.idOrName),
  );
  api.put<{ Params: { idOrName: string }; Body: unknown }>(
    "/collections/:idOrName/rules",
    {
      config: { operation: ADMIN },
      validatorCompiler: () => () => true,
      schema: {
        tags,
        summary: "Update a collection's access rules and field lists (superadmin; absent keys keep their value)",
        description: 'Rules: null = superadmin only (then role permissions decide), "" = everyone, else an expression. Field lists: "*" or names.',
        params,
        body: rulesSchema,
        response: { 200: rulesSchema, ...errors },
      },
    },
    async (req) => updateCollectionRules(req.ctx, req.params.idOrName, req.body),
  );
}
