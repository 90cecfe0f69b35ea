/**
 * /api/v1/api-keys (compat/fastcms.md §10): create (the secret shown once), list, get, update,
 * delete, revoke-all. Managing keys needs a signed-in user, or an API key with the admin scope.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { createApiKey, type CreateApiKeyInput } from "../../core/api-keys/create.ts";
import { getApiKey, listApiKeys } from "../../core/api-keys/list.ts";
import { deleteApiKey, revokeAllApiKeys } from "../../core/api-keys/revoke.ts";
import type { ApiKeyView } from "../../core/api-keys/types.ts";
import { updateApiKey, type UpdateApiKeyInput } from "../../core/api-keys/update.ts";
import { errorResponses } from "../errors.ts";
import { READ, WRITE } from "../../core/policy/operation.ts";

const nullableDate = { type: ["string", "null"], format: "date-time" } as const;
const scopesInput = {
  description: 'list (`["read","write"]`), comma string (`"read,write"`) or `"*"`; scopes: read, write, admin, *',
  anyOf: [
    { type: "array", items: { type: "string", maxLength: 50 }, maxItems: 10 },
    { type: "string", maxLength: 200 },
  ],
} as const;

const keyProperties = {
  id: { type: "string" },
  name: { type: "string" },
  key_prefix: { type: "string" },
  scopes: { type: "array", items: { type: "string" } },
  active: { type: "boolean" },
  expires_at: nullableDate,
  last_used_at: nullableDate,
  last_used_ip: { type: ["string", "null"] },
  created: { type: "string", format: "date-time" },
} as const;
const keySchema = { type: "object", properties: keyProperties } as const;
const createdSchema = {
  type: "object",
  properties: { ...keyProperties, key: { type: "string", description: "the full key: shown only in this answer" }, message: { type: "string" } },
} as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 100 } } } as const;

function render(k: ApiKeyView) {
  return {
    id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    scopes: k.scopes,
    active: k.active,
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    last_used_ip: k.lastUsedIp,
    created: k.created.toISOString(),
  };
}

export function registerApiKeyRoutes(api: FastifyInstance, _services: Services): void {
  const tags = ["api-keys"];

  api.post<{ Body: CreateApiKeyInput }>(
    "/api-keys",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Create an API key (the key is shown only in this answer)",
        body: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string", maxLength: 1000 }, scopes: scopesInput, expires_at: { type: ["string", "null"], maxLength: 64 } },
        },
        response: { 201: createdSchema, ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (req, reply) => {
      const k = await createApiKey(req.ctx, req.body);
      return reply.status(201).send({ ...render(k), key: k.key, message: "Store this key now: it will not be shown again." });
    },
  );

  api.get(
    "/api-keys",
    { config: { operation: READ }, schema: { tags, summary: "Your API keys (never the key itself)", response: { 200: { type: "array", items: keySchema }, ...errorResponses(401, 403) } } },
    async (req) => (await listApiKeys(req.ctx)).map(render),
  );

  api.post(
    "/api-keys/revoke-all",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Deactivate all your API keys",
        response: { 200: { type: "object", properties: { revoked: { type: "integer" }, message: { type: "string" } } }, ...errorResponses(401, 403) },
      },
    },
    async (req) => {
      const revoked = await revokeAllApiKeys(req.ctx);
      return { revoked, message: `Revoked ${revoked} API key${revoked === 1 ? "" : "s"}` };
    },
  );

  api.get<{ Params: { id: string } }>(
    "/api-keys/:id",
    { config: { operation: READ }, schema: { tags, summary: "One API key", params: idParams, response: { 200: keySchema, ...errorResponses(401, 403, 404) } } },
    async (req) => render(await getApiKey(req.ctx, req.params.id)),
  );

  api.patch<{ Params: { id: string }; Body: UpdateApiKeyInput }>(
    "/api-keys/:id",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Rename, re-scope, (de)activate or re-date an API key",
        params: idParams,
        body: {
          type: "object",
          properties: { name: { type: "string", maxLength: 1000 }, scopes: scopesInput, active: { type: "boolean" }, expires_at: { type: ["string", "null"], maxLength: 64 } },
        },
        response: { 200: keySchema, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (req) => render(await updateApiKey(req.ctx, req.params.id, req.body ?? {})),
  );

  api.delete<{ Params: { id: string } }>(
    "/api-keys/:id",
    {
      config: { operation: WRITE },
      schema: { tags, summary: "Delete (revoke) an API key; it stops working at once", params: idParams, response: { 204: { type: "null" }, ...errorResponses(401, 403, 404) } },
    },
    async (req, reply) => {
      await deleteApiKey(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );
}
