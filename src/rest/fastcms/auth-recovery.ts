/**
 * Recovery routes: forgotten password and e-mail verification.
 *
 * FastCMS documents 204 for these, SnackBase 200 `{"message"}`. The shared paths answer 200
 * with a message (a FastCMS client checking for success is satisfied, a SnackBase client gets
 * its body); the FastCMS-only path `/auth/request-password-reset` answers 204.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { requestPasswordReset, resetPassword, type ForgotPasswordInput } from "../../core/auth/password-reset.ts";
import { sendVerification, verifyEmail, type SendVerificationInput } from "../../core/auth/verification.ts";
import { messageSchema, nullableString } from "./auth-render.ts";
import { errorResponses } from "../errors.ts";
import { WRITE, operation } from "../../core/policy/operation.ts";
import { RESET_PASSWORD_PARAM_NAMES, withParamNames } from "./param-names.ts";

const FORGOT_MESSAGE = "If an account with that email exists, a password reset link has been sent.";

const forgotSchema = (summary: string, ok: Record<number, unknown>) => ({
  tags: ["auth"],
  summary,
  description: "Always the same answer, whether or not the address is registered. The mail carries a single-use token (setting `password_reset_token_ttl`, seconds, default 3600).",
  security: [],
  body: {
    type: "object",
    required: ["email"],
    properties: { email: { type: "string", maxLength: 254 }, account: { ...nullableString, maxLength: 255, description: "account slug, code or id (SnackBase)" } },
  },
  response: { ...ok, ...errorResponses(400, 422) },
});

export function registerAuthRecoveryRoutes(api: FastifyInstance, _services: Services): void {
  api.post<{ Body: ForgotPasswordInput }>(
    "/auth/forgot-password",
    { config: { operation: operation("write", "forgot_password") }, schema: forgotSchema("Mail a password reset token", { 200: messageSchema }) },
    async (req) => {
      await requestPasswordReset(req.ctx, req.body);
      return { message: FORGOT_MESSAGE };
    },
  );

  api.post<{ Body: ForgotPasswordInput }>(
    "/auth/request-password-reset",
    { config: { operation: operation("write", "forgot_password") }, schema: forgotSchema("Mail a password reset token (FastCMS upstream path; 204)", { 204: { type: "null" } }) },
    async (req, reply) => {
      await requestPasswordReset(req.ctx, req.body);
      return reply.status(204).send();
    },
  );

  api.post<{ Body: { token: string; new_password?: string | null; password?: string | null; password_confirm?: string | null } }>(
    "/auth/reset-password",
    {
      config: { operation: WRITE },
      schema: {
        tags: ["auth"],
        summary: "Set a new password with a reset token (single use; all sessions end)",
        description: "Body `{token, new_password}` or `{token, password, password_confirm}`. Unknown, used or expired token → 400.",
        security: [],
        body: {
          type: "object",
          required: ["token"],
          properties: {
            token: { type: "string", maxLength: 512 },
            new_password: { ...nullableString, maxLength: 1024 },
            password: { ...nullableString, maxLength: 1024 },
            password_confirm: { ...nullableString, maxLength: 1024 },
          },
        },
        response: { 200: messageSchema, ...errorResponses(400, 422) },
      },
    },
    async (req) => {
      const b = req.body;
      await withParamNames(RESET_PASSWORD_PARAM_NAMES, () => resetPassword(req.ctx, { token: b.token, newPassword: b.new_password, password: b.password, passwordConfirm: b.password_confirm }));
      return { message: "Password has been reset. Please log in with your new password." };
    },
  );

  api.post<{ Body: SendVerificationInput | undefined }>(
    "/auth/send-verification",
    {
      config: { operation: WRITE },
      schema: {
        tags: ["auth"],
        summary: "Mail a new e-mail verification token (to the caller, or to `email`)",
        description: "With `email` (and optionally `account`) it works signed out and answers the same whether or not the address exists.",
        body: { type: ["object", "null"], properties: { email: { ...nullableString, maxLength: 254 }, account: { ...nullableString, maxLength: 255 } } },
        response: { 200: messageSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (req) => {
      await sendVerification(req.ctx, req.body ?? {});
      return { message: "If the address needs verification, a verification email has been sent." };
    },
  );

  api.post<{ Body: { token: string } }>(
    "/auth/verify-email",
    {
      config: { operation: WRITE },
      schema: {
        tags: ["auth"],
        summary: "Confirm an e-mail address with the mailed token",
        security: [],
        body: { type: "object", required: ["token"], properties: { token: { type: "string", maxLength: 512 } } },
        response: { 200: messageSchema, ...errorResponses(400, 422) },
      },
    },
    async (req) => {
      await verifyEmail(req.ctx, req.body);
      return { message: "Email verified successfully" };
    },
  );
}
