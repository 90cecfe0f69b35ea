/**
 * /api/v1/users (compat/snackbase.md §7, superadmin): create, list, get, update, set password,
 * verify, deactivate. Password validation answers 400 here (SnackBase), with the shared error
 * body naming each broken rule in `details`.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { createUser } from "../../core/users/create.ts";
import { getUser, listUsers } from "../../core/users/list.ts";
import { deactivateUser, setUserPassword, updateUser, verifyUser } from "../../core/users/update.ts";
import type { UserView } from "../../core/users/view.ts";
import { credentialProperties, nullableString } from "../fastcms/auth-render.ts";
import { USER_PARAM_NAMES, withParamNames } from "../fastcms/param-names.ts";
import { errorResponses } from "../errors.ts";
import { ADMIN, READ } from "../../core/policy/operation.ts";

const nullableDate = { type: ["string", "null"], format: "date-time" } as const;
const roleIdInput = { description: "role id (number or numeric string) or role name", anyOf: [{ type: "integer" }, { type: "string", maxLength: 100 }] } as const;

const userSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    email: { type: "string" },
    name: nullableString,
    account_id: { type: "string" },
    account_code: nullableString,
    account_name: { type: "string" },
    role_id: { type: "integer" },
    role_name: { type: "string" },
    superadmin: { type: "boolean" },
    is_active: { type: "boolean" },
    auth_provider: { type: "string" },
    auth_provider_name: nullableString,
    external_id: nullableString,
    external_email: nullableString,
    profile_data: { type: ["object", "null"], additionalProperties: true },
    email_verified: { type: "boolean" },
    email_verified_at: nullableDate,
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
    last_login: nullableDate,
  },
} as const;

const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 100 } } } as const;

export function renderUser(u: UserView) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    account_id: u.accountId,
    account_code: u.accountCode,
    account_name: u.accountName,
    role_id: u.roleId,
    role_name: u.roleName,
    superadmin: u.superadmin,
    is_active: u.isActive,
    auth_provider: u.authProvider,
    auth_provider_name: u.authProviderName,
    external_id: u.externalId,
    external_email: u.externalEmail,
    profile_data: u.profileData && typeof u.profileData === "object" ? u.profileData : null,
    email_verified: u.emailVerified,
    email_verified_at: u.emailVerifiedAt?.toISOString() ?? null,
    created_at: u.created.toISOString(),
    updated_at: u.updated.toISOString(),
    last_login: u.lastLogin?.toISOString() ?? null,
  };
}

/** The /users bodies and query as SnackBase clients send them. */
type CreateUserBody = { email: string; password: string; account_id?: string | null; role_id?: unknown; is_active?: boolean; auth_provider?: string; name?: string | null };
type ListUsersQuerystring = { skip?: number; limit?: number; account_id?: string; role_id?: string; is_active?: boolean; search?: string; sort?: string };
type UpdateUserBody = { email?: string; role_id?: unknown; is_active?: boolean; name?: string | null };

export function registerUserRoutes(api: FastifyInstance, _services: Services): void {
  const tags = ["users"];

  api.post<{ Body: CreateUserBody }>(
    "/users",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Create a user in any account (superadmin); usable at once (verified)",
        description: "Password: ≥ 12 characters with upper- and lower-case letters, a digit and a special character (400; `details` names each broken rule).",
        body: {
          type: "object",
          required: ["email", "password"],
          properties: {
            ...credentialProperties,
            account_id: { ...nullableString, maxLength: 255, description: "account id, code or slug; default account when absent" },
            role_id: roleIdInput,
            is_active: { type: "boolean", default: true },
            auth_provider: { type: "string", maxLength: 50 },
            name: { ...nullableString, maxLength: 255 },
          },
        },
        response: { 201: userSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const input = { email: b.email, password: b.password, accountId: b.account_id, roleId: b.role_id, isActive: b.is_active, authProvider: b.auth_provider, name: b.name };
      return reply.status(201).send(renderUser(await withParamNames(USER_PARAM_NAMES, () => createUser(req.ctx, input))));
    },
  );

  api.get<{ Querystring: ListUsersQuerystring }>(
    "/users",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List users (superadmin)",
        querystring: {
          type: "object",
          properties: {
            skip: { type: "integer", minimum: 0, default: 0 },
            limit: { type: "integer", minimum: 1, maximum: 100, default: 25 },
            account_id: { type: "string", maxLength: 255 },
            role_id: { type: "string", maxLength: 100 },
            is_active: { type: "boolean" },
            search: { type: "string", maxLength: 254, description: "part of the e-mail address" },
            sort: { type: "string", maxLength: 50, description: "created_at, email, last_login, updated_at, is_active or role_id; '-' prefix for descending (default -created_at)" },
          },
        },
        response: { 200: { type: "object", properties: { total: { type: "integer" }, items: { type: "array", items: userSchema } } }, ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (req) => {
      const q = req.query;
      const query = { skip: q.skip, limit: q.limit, accountId: q.account_id, roleId: q.role_id, isActive: q.is_active, search: q.search, sort: q.sort };
      const { total, items } = await withParamNames(USER_PARAM_NAMES, () => listUsers(req.ctx, query));
      return { total, items: items.map(renderUser) };
    },
  );

  api.get<{ Params: { id: string } }>(
    "/users/:id",
    { config: { operation: READ }, schema: { tags, summary: "One user (superadmin)", params: idParams, response: { 200: userSchema, ...errorResponses(401, 403, 404) } } },
    async (req) => renderUser(await getUser(req.ctx, req.params.id)),
  );

  api.patch<{ Params: { id: string }; Body: UpdateUserBody | undefined }>(
    "/users/:id",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Change a user's e-mail, role or active flag (superadmin)",
        params: idParams,
        body: {
          type: "object",
          properties: { email: { type: "string", format: "email", maxLength: 254 }, role_id: roleIdInput, is_active: { type: "boolean" }, name: { ...nullableString, maxLength: 255 } },
        },
        response: { 200: userSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const input = { email: b.email, roleId: b.role_id, isActive: b.is_active, name: b.name };
      return renderUser(await withParamNames(USER_PARAM_NAMES, () => updateUser(req.ctx, req.params.id, input)));
    },
  );

  api.put<{ Params: { id: string }; Body: { new_password?: string; password?: string } }>(
    "/users/:id/password",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Set a user's password (superadmin); the user's sessions end",
        params: idParams,
        body: { type: "object", properties: { new_password: { type: "string", maxLength: 1024 }, password: { type: "string", maxLength: 1024 } } },
        response: { 200: { type: "object", properties: { message: { type: "string" } } }, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (req) => {
      await withParamNames(USER_PARAM_NAMES, () => setUserPassword(req.ctx, req.params.id, req.body?.new_password ?? req.body?.password ?? ""));
      return { message: "Password updated" };
    },
  );

  api.post<{ Params: { id: string } }>(
    "/users/:id/verify",
    { config: { operation: ADMIN }, schema: { tags, summary: "Mark a user's e-mail verified (superadmin)", params: idParams, response: { 200: userSchema, ...errorResponses(401, 403, 404) } } },
    async (req) => renderUser(await verifyUser(req.ctx, req.params.id)),
  );

  api.delete<{ Params: { id: string } }>(
    "/users/:id",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Deactivate a user (superadmin): login then fails, sessions and API keys stop",
        params: idParams,
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deactivateUser(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );
}
