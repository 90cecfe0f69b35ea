/**
 * Session routes: logout (one session or all) and password change (FastCMS paths, 204).
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { changePassword } from "../../core/auth/change-password.ts";
import { logout, logoutAll } from "../../core/auth/logout.ts";
import { nullableString } from "./auth-render.ts";
import { CHANGE_PASSWORD_PARAM_NAMES, withParamNames } from "./param-names.ts";
import { errorResponses } from "../errors.ts";
import { SESSION, WRITE } from "../../core/policy/operation.ts";

export function registerAuthSessionRoutes(api: FastifyInstance, _services: Services): void {
  api.post<{ Body: { refresh_token?: string | null } | undefined }>(
    "/auth/logout",
    {
      config: { operation: SESSION },
      schema: {
        tags: ["auth"],
        summary: "End a session: the given refresh token's, or the current access token's",
        description: "Deletes the session's refresh tokens. Access tokens already issued stay valid until they expire.",
        body: { type: ["object", "null"], properties: { refresh_token: { ...nullableString, maxLength: 512 } } },
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 422) },
      },
    },
    async (req, reply) => {
      await logout(req.ctx, { refreshToken: req.body?.refresh_token });
      return reply.status(204).send();
    },
  );

  api.post(
    "/auth/logout-all",
    {
      config: { operation: SESSION },
      schema: {
        tags: ["auth"],
        summary: "End every session of the signed-in user",
        response: { 204: { type: "null" }, ...errorResponses(401) },
      },
    },
    async (req, reply) => {
      await logoutAll(req.ctx);
      return reply.status(204).send();
    },
  );

  api.post<{ Body: { old_password: string; new_password: string; new_password_confirm?: string | null } }>(
    "/auth/change-password",
    {
      config: { operation: WRITE },
      schema: {
        tags: ["auth"],
        summary: "Change your password (other sessions end)",
        body: {
          type: "object",
          required: ["old_password", "new_password"],
          properties: {
            old_password: { type: "string", maxLength: 1024 },
            new_password: { type: "string", maxLength: 1024 },
            new_password_confirm: { ...nullableString, maxLength: 1024 },
          },
        },
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      await withParamNames(CHANGE_PASSWORD_PARAM_NAMES, () => changePassword(req.ctx, { oldPassword: b.old_password, newPassword: b.new_password, newPasswordConfirm: b.new_password_confirm }));
      return reply.status(204).send();
    },
  );
}
