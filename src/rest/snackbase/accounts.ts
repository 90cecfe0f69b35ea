/**
 * /api/v1/accounts (compat/snackbase.md, issue 10 part 3): superadmins list, read, create,
 * update and delete (with its data) every account; an account admin sees and manages only
 * their own (another account is 404). `/accounts/{id}/users` lists an account's users;
 * `/accounts/{id}/saml[/{provider}]` holds its SAML identity providers. Parse, call core, render.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { createAccount } from "../../core/accounts/create-account.ts";
import { deleteAccount } from "../../core/accounts/delete-account.ts";
import { getAccount, listAccounts, listAccountUsers, type PageOf } from "../../core/accounts/list-accounts.ts";
import { updateAccount } from "../../core/accounts/update-account.ts";
import type { AccountView } from "../../core/accounts/view.ts";
import { deleteSamlProvider, listSamlProviders, setSamlProvider, type SamlProviderView } from "../../core/saml/settings.ts";
import { spUrls } from "../../core/saml/service-provider.ts";
import { ADMIN, READ, WRITE } from "../../core/policy/operation.ts";
import { errorResponses } from "../errors.ts";
import { withParamNames, type ParamNames } from "../fastcms/param-names.ts";
import { baseUrlOf } from "./saml.ts";
import { renderUser } from "./users.ts";

/** SnackBase names of the core's account inputs. */
export const ACCOUNT_PARAM_NAMES: ParamNames = new Map([
  ["pageSize", "page_size"],
  ["sortBy", "sort_by"],
  ["sortOrder", "sort_order"],
  ["entityId", "entity_id"],
  ["ssoUrl", "sso_url"],
]);

const tags = ["accounts"];
const dateTime = { type: "string", format: "date-time" } as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 100, description: "account id (code), or slug" } } } as const;
const pageQuery = {
  page: { type: "integer", minimum: 1, default: 1 },
  page_size: { type: "integer", minimum: 1, maximum: 100, default: 25 },
} as const;

const accountSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    code: { type: ["string", "null"] },
    slug: { type: "string" },
    name: { type: "string" },
    user_count: { type: "integer" },
    created_at: dateTime,
    updated_at: dateTime,
  },
} as const;

const pageOf = (items: object) =>
  ({
    type: "object",
    properties: { items: { type: "array", items }, total: { type: "integer" }, page: { type: "integer" }, page_size: { type: "integer" }, total_pages: { type: "integer" } },
  }) as const;

const samlSchema = {
  type: "object",
  properties: {
    provider: { type: "string", enum: ["azure", "okta", "generic"] },
    entity_id: { type: "string" },
    sso_url: { type: "string" },
    certificate: { type: "string" },
    certificate_fingerprint: { type: "string" },
    certificate_expires_at: dateTime,
    enabled: { type: "boolean" },
    allow_idp_initiated: { type: "boolean", description: "IdP-initiated (unsolicited) responses are accepted" },
    sp_entity_id: { type: "string", description: "this server's entity id for the IdP (also its metadata URL)" },
    acs_url: { type: "string", description: "where the IdP posts its response" },
    metadata_url: { type: "string" },
    created_at: dateTime,
    updated_at: dateTime,
  },
} as const;

export function renderAccount(a: AccountView) {
  return { id: a.id, code: a.code, slug: a.slug, name: a.name, user_count: a.usersCount, created_at: a.created.toISOString(), updated_at: a.updated.toISOString() };
}

function renderPage<T, R>(p: PageOf<T>, render: (item: T) => R) {
  return { items: p.items.map(render), total: p.total, page: p.page, page_size: p.pageSize, total_pages: p.totalPages };
}

function renderSaml(p: SamlProviderView, baseUrl: string) {
  const sp = spUrls(baseUrl, p.accountId, p.provider);
  return {
    provider: p.provider,
    entity_id: p.entityId,
    sso_url: p.ssoUrl,
    certificate: p.certificate,
    certificate_fingerprint: p.certificateFingerprint,
    certificate_expires_at: p.certificateExpires.toISOString(),
    enabled: p.enabled,
    allow_idp_initiated: p.allowIdpInitiated,
    sp_entity_id: sp.entityId,
    acs_url: sp.acsUrl,
    metadata_url: sp.metadataUrl,
    created_at: p.created.toISOString(),
    updated_at: p.updated.toISOString(),
  };
}

type ListQuery = { page?: number; page_size?: number; search?: string; sort_by?: string; sort_order?: "asc" | "desc" };
type SamlBody = { entity_id: string; sso_url: string; certificate: string; enabled?: boolean; allow_idp_initiated?: boolean };

/** Registers the /accounts routes on the /api/v1 scope. */
export function registerAccountRoutes(api: FastifyInstance, services: Services): void {
  const run = <T>(op: () => Promise<T>) => withParamNames(ACCOUNT_PARAM_NAMES, op);

  api.get<{ Querystring: ListQuery }>(
    "/accounts",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List accounts (superadmins: all; account admins: their own)",
        querystring: {
          type: "object",
          properties: {
            ...pageQuery,
            search: { type: "string", maxLength: 255, description: "part of the name, slug or code" },
            sort_by: { type: "string", enum: ["created_at", "updated_at", "name", "slug"], default: "created_at" },
            sort_order: { type: "string", enum: ["asc", "desc"], default: "desc" },
          },
        },
        response: { 200: pageOf(accountSchema), ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (req) => {
      const q = req.query;
      return renderPage(await run(() => listAccounts(req.ctx, { page: q.page, pageSize: q.page_size, search: q.search, sortBy: q.sort_by, sortOrder: q.sort_order })), renderAccount);
    },
  );

  api.post<{ Body: { name: string; slug?: string | null } }>(
    "/accounts",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Create an account (superadmins)",
        description: "The slug is derived from the name when absent (lower-case, spaces and `_` → `-`, ≤ 32 characters); a taken slug → 409.",
        body: { type: "object", required: ["name"], properties: { name: { type: "string", maxLength: 255 }, slug: { type: ["string", "null"], maxLength: 64 } } },
        response: { 201: accountSchema, ...errorResponses(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(renderAccount(await run(() => createAccount(req.ctx, { name: req.body.name, slug: req.body.slug })))),
  );

  api.get<{ Params: { id: string } }>(
    "/accounts/:id",
    { config: { operation: READ }, schema: { tags, summary: "One account", params: idParams, response: { 200: accountSchema, ...errorResponses(401, 403, 404) } } },
    async (req) => renderAccount(await getAccount(req.ctx, req.params.id)),
  );

  for (const method of ["put", "patch"] as const) {
    api[method]<{ Params: { id: string }; Body: { name?: string | null; slug?: string | null } | undefined }>(
      "/accounts/:id",
      {
        config: { operation: WRITE },
        schema: {
          tags,
          summary: "Rename an account (superadmins: any, also its slug; account admins: their own name)",
          params: idParams,
          body: { type: "object", properties: { name: { type: ["string", "null"], maxLength: 255 }, slug: { type: ["string", "null"], maxLength: 64 } } },
          response: { 200: accountSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req) => renderAccount(await run(() => updateAccount(req.ctx, req.params.id, { name: req.body?.name, slug: req.body?.slug }))),
    );
  }

  api.delete<{ Params: { id: string } }>(
    "/accounts/:id",
    {
      config: { operation: ADMIN },
      schema: {
        tags,
        summary: "Delete an account with all its data: records, files, users, webhooks (superadmins)",
        params: idParams,
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteAccount(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );

  api.get<{ Params: { id: string }; Querystring: { page?: number; page_size?: number } }>(
    "/accounts/:id/users",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "The account's users, oldest first",
        params: idParams,
        querystring: { type: "object", properties: pageQuery },
        response: { 200: pageOf({ type: "object", additionalProperties: true }), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (req) => renderPage(await listAccountUsers(req.ctx, req.params.id, { page: req.query.page, pageSize: req.query.page_size }), renderUser),
  );

  api.get<{ Params: { id: string } }>(
    "/accounts/:id/saml",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "The account's SAML identity providers",
        params: idParams,
        response: { 200: { type: "object", properties: { items: { type: "array", items: samlSchema } } }, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => ({ items: (await listSamlProviders(req.ctx, req.params.id)).map((p) => renderSaml(p, baseUrlOf(services, req))) }),
  );

  const providerParams = {
    type: "object",
    required: ["id", "provider"],
    properties: { id: idParams.properties.id, provider: { type: "string", maxLength: 20, description: "azure, okta or generic" } },
  } as const;

  api.put<{ Params: { id: string; provider: string }; Body: SamlBody }>(
    "/accounts/:id/saml/:provider",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Set the account's SAML identity provider settings (superadmins, account admins)",
        params: providerParams,
        body: {
          type: "object",
          required: ["entity_id", "sso_url", "certificate"],
          properties: {
            entity_id: { type: "string", maxLength: 1000 },
            sso_url: { type: "string", maxLength: 2000 },
            certificate: { type: "string", maxLength: 20000, description: "the IdP signing certificate, PEM or base64" },
            enabled: { type: "boolean", default: true },
            allow_idp_initiated: { type: "boolean", default: false, description: "accept IdP-initiated (unsolicited) responses; refused (401, audited) otherwise" },
          },
        },
        response: { 200: samlSchema, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (req) => {
      const b = req.body;
      const view = await run(() =>
        setSamlProvider(req.ctx, req.params.id, req.params.provider, {
          entityId: b.entity_id,
          ssoUrl: b.sso_url,
          certificate: b.certificate,
          enabled: b.enabled,
          allowIdpInitiated: b.allow_idp_initiated,
        }),
      );
      return renderSaml(view, baseUrlOf(services, req));
    },
  );

  api.delete<{ Params: { id: string; provider: string } }>(
    "/accounts/:id/saml/:provider",
    {
      config: { operation: WRITE },
      schema: { tags, summary: "Remove the account's settings for a SAML provider", params: providerParams, response: { 204: { type: "null" }, ...errorResponses(400, 401, 403, 404) } },
    },
    async (req, reply) => {
      await deleteSamlProvider(req.ctx, req.params.id, req.params.provider);
      return reply.status(204).send();
    },
  );
}
