/**
 * /api/v1/invitations (issue 10 part 3): an account admin invites an e-mail address with a
 * role, lists, re-sends and revokes (inside their account; superadmins anywhere). The invitee
 * accepts with the mailed token and a password — `POST /invitations/accept {token, password}`
 * or `POST /invitations/{token}/accept {password}` — and gets the login answer. Expired,
 * revoked or used tokens → 400. Parse, call core, render.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { acceptInvitation } from "../../core/accounts/accept-invitation.ts";
import type { InvitationView } from "../../core/accounts/invitation-view.ts";
import { getInvitation, invite, listInvitations, resendInvitation, revokeInvitation } from "../../core/accounts/invitations.ts";
import { operation, READ, WRITE } from "../../core/policy/operation.ts";
import { errorResponses } from "../errors.ts";
import { authResponseSchema, renderSession } from "../fastcms/auth-render.ts";
import { withParamNames, type ParamNames } from "../fastcms/param-names.ts";

const NAMES: ParamNames = new Map([
  ["roleId", "role_id"],
  ["accountId", "account_id"],
  ["pageSize", "page_size"],
]);

const tags = ["invitations"];
const dateTime = { type: "string", format: "date-time" } as const;
const nullableDate = { type: ["string", "null"], format: "date-time" } as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 200 } } } as const;

const invitationSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    account_id: { type: "string" },
    account_name: { type: "string" },
    email: { type: "string" },
    role_id: { type: "integer" },
    role_name: { type: "string" },
    status: { type: "string", enum: ["pending", "accepted", "revoked", "expired"] },
    invited_by: { type: ["string", "null"] },
    expires_at: dateTime,
    accepted_at: nullableDate,
    accepted_by: { type: ["string", "null"] },
    sent_count: { type: "integer" },
    created_at: dateTime,
    updated_at: dateTime,
  },
} as const;

export function renderInvitation(i: InvitationView) {
  return {
    id: i.id,
    account_id: i.accountId,
    account_name: i.accountName,
    email: i.email,
    role_id: i.roleId,
    role_name: i.roleName,
    status: i.status,
    invited_by: i.invitedBy,
    expires_at: i.expiresAt.toISOString(),
    accepted_at: i.acceptedAt?.toISOString() ?? null,
    accepted_by: i.acceptedBy,
    sent_count: i.sentCount,
    created_at: i.created.toISOString(),
    updated_at: i.updated.toISOString(),
  };
}

const roleIdInput = { description: "role id (number or numeric string) or role name; default 2 (user)", anyOf: [{ type: "integer" }, { type: "string", maxLength: 100 }] } as const;
const acceptProperties = { password: { type: "string", maxLength: 1024 }, name: { type: ["string", "null"], maxLength: 255 } } as const;

/** Registers the /invitations routes on the /api/v1 scope. */
export function registerInvitationRoutes(api: FastifyInstance, _services: Services): void {
  const run = <T>(op: () => Promise<T>) => withParamNames(NAMES, op);

  api.post<{ Body: { email: string; role_id?: unknown; account_id?: string | null } }>(
    "/invitations",
    {
      config: { operation: WRITE },
      schema: {
        tags,
        summary: "Invite an e-mail address into the account (account admins; superadmins name any account)",
        body: {
          type: "object",
          required: ["email"],
          properties: { email: { type: "string", maxLength: 254 }, role_id: roleIdInput, account_id: { type: ["string", "null"], maxLength: 100, description: "default: the caller's account" } },
        },
        response: { 201: invitationSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => reply.status(201).send(renderInvitation(await run(() => invite(req.ctx, { email: req.body.email, roleId: req.body.role_id, accountId: req.body.account_id })))),
  );

  api.get<{ Querystring: { status?: string; account_id?: string; page?: number; page_size?: number } }>(
    "/invitations",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "List invitations, newest first",
        querystring: {
          type: "object",
          properties: {
            status: { type: "string", enum: ["pending", "accepted", "revoked", "expired"] },
            account_id: { type: "string", maxLength: 100 },
            page: { type: "integer", minimum: 1, default: 1 },
            page_size: { type: "integer", minimum: 1, maximum: 100, default: 25 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: invitationSchema }, total: { type: "integer" }, page: { type: "integer" }, page_size: { type: "integer" }, total_pages: { type: "integer" } },
          },
          ...errorResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const p = await run(() => listInvitations(req.ctx, { status: q.status, accountId: q.account_id, page: q.page, pageSize: q.page_size }));
      return { items: p.items.map(renderInvitation), total: p.total, page: p.page, page_size: p.pageSize, total_pages: p.totalPages };
    },
  );

  // Accepting is public (the token is the credential); a static path, so it wins over /:id.
  api.post<{ Body: { token: string; password: string; name?: string | null } }>(
    "/invitations/accept",
    {
      config: { operation: operation("write", "register") },
      schema: {
        tags,
        summary: "Accept an invitation with the mailed token and a password; answers like /auth/login",
        security: [],
        body: { type: "object", required: ["token", "password"], properties: { token: { type: "string", maxLength: 200 }, ...acceptProperties } },
        response: { 200: authResponseSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (req) => renderSession(await acceptInvitation(req.ctx, req.body), "Invitation accepted", "snackbase"),
  );

  api.post<{ Params: { id: string }; Body: { password: string; name?: string | null } }>(
    "/invitations/:id/accept",
    {
      config: { operation: operation("write", "register") },
      schema: {
        tags,
        summary: "Accept an invitation: the mailed token in the path, the password in the body",
        security: [],
        params: idParams,
        body: { type: "object", required: ["password"], properties: acceptProperties },
        response: { 200: authResponseSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (req) => renderSession(await acceptInvitation(req.ctx, { token: req.params.id, password: req.body.password, name: req.body.name }), "Invitation accepted", "snackbase"),
  );

  api.get<{ Params: { id: string } }>(
    "/invitations/:id",
    { config: { operation: READ }, schema: { tags, summary: "One invitation", params: idParams, response: { 200: invitationSchema, ...errorResponses(401, 403, 404) } } },
    async (req) => renderInvitation(await getInvitation(req.ctx, req.params.id)),
  );

  api.post<{ Params: { id: string } }>(
    "/invitations/:id/resend",
    {
      config: { operation: WRITE },
      schema: { tags, summary: "Mail a new token (the old one stops working), with a fresh expiry", params: idParams, response: { 200: invitationSchema, ...errorResponses(401, 403, 404, 409) } },
    },
    async (req) => renderInvitation(await resendInvitation(req.ctx, req.params.id)),
  );

  api.delete<{ Params: { id: string } }>(
    "/invitations/:id",
    { config: { operation: WRITE }, schema: { tags, summary: "Revoke a pending invitation", params: idParams, response: { 204: { type: "null" }, ...errorResponses(401, 403, 404, 409) } } },
    async (req, reply) => {
      await revokeInvitation(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );
}
