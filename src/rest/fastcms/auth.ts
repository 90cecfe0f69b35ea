/**
 * Auth routes shared by the FastCMS and SnackBase dialects under /api/v1 (compat/fastcms.md §8,
 * compat/snackbase.md §9): sign-up in both flavours, login, refresh, me. Sessions (logout,
 * password change) and recovery (reset, verification) live in auth-session.ts and
 * auth-recovery.ts. Handlers parse, call core, render.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../../core/context.ts";
import { login, type LoginInput } from "../../core/auth/login.ts";
import { me } from "../../core/auth/me.ts";
import { refresh } from "../../core/auth/refresh.ts";
import { signUp, type RegisterInput, type SignUpResult } from "../../core/auth/register.ts";
import { updateMe, type UpdateMeInput } from "../../core/auth/update-me.ts";
import { errorResponses } from "../errors.ts";
import { PasswordPolicyError } from "../../core/auth/passwords.ts";
import { UnauthenticatedError } from "../../core/errors.ts";
import { registerAuthRecoveryRoutes } from "./auth-recovery.ts";
import {
  authDialect,
  authResponseSchema,
  credentialProperties,
  meSchema,
  nullableString,
  renderAccount,
  renderAuthTokens,
  renderMe,
  renderSession,
  renderTokens,
  renderUser,
  snackbaseLoginFailure,
  snackbasePasswordFailure,
  listDetailsErrorSchema,
  tokenProperties,
} from "./auth-render.ts";
import { registerAuthSessionRoutes } from "./auth-session.ts";
import { READ, SESSION, WRITE, operation } from "../../core/policy/operation.ts";
import { SIGN_UP_PARAM_NAMES, withParamNames } from "./param-names.ts";

/** Registers every /auth route on the /api/v1 scope. */
export function registerAuthRoutes(api: FastifyInstance, services: Services): void {
  type SignUpBody = { email: string; password: string; password_confirm?: string | null; name?: string | null; account_name?: string | null; account_slug?: string | null };
  api.post<{ Body: SignUpBody }>(
    "/auth/register",
    {
      config: { operation: operation("write", "register") },
      schema: {
        tags: ["auth"],
        summary: "Sign up: FastCMS (default account) or, with account_name/account_slug, SnackBase (a new account with its admin)",
        description:
          "FastCMS body `{email, password, password_confirm?, name?}`: a `user` of the default account, password 8–100 characters with a letter and a digit. " +
          "SnackBase body `{account_name, account_slug?, email, password}`: a new account (id like `AB1234`) whose `admin` this user becomes; password ≥ 12 characters with upper- and lower-case letters, a digit and a special character (400 `Validation error`; `details` lists each broken rule as `{field, message, code}`: password_too_short, password_no_uppercase, password_no_lowercase, password_no_digit, password_no_special). " +
          "A verification mail goes out either way. FastCMS sign-up includes tokens unless the setting `verification_required` is on; SnackBase sign-up never does (the address must be verified before login).",
        security: [],
        body: {
          type: "object",
          required: ["email", "password"],
          properties: {
            ...credentialProperties,
            password_confirm: { ...nullableString, description: "optional; must equal password when sent" },
            name: { ...nullableString, maxLength: 255 },
            account_name: { ...nullableString, maxLength: 255, description: "SnackBase: name of the new account" },
            account_slug: { ...nullableString, maxLength: 64, description: "SnackBase: 3–32 of a-z, 0-9, '-'; generated from the name when absent" },
          },
        },
        response: { 201: authResponseSchema, ...errorResponses(409, 422), 400: listDetailsErrorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const input: RegisterInput = { email: b.email, password: b.password, passwordConfirm: b.password_confirm, name: b.name, accountName: b.account_name, accountSlug: b.account_slug };
      let r: SignUpResult;
      try {
        r = await withParamNames(SIGN_UP_PARAM_NAMES, () => signUp(req.ctx, input));
      } catch (e) {
        if (e instanceof PasswordPolicyError && authDialect(b) === "snackbase") return reply.status(400).send(snackbasePasswordFailure(e));
        throw e;
      }
      const body = { ...(r.tokens ? renderAuthTokens(r.tokens, authDialect(b)) : {}), user: renderUser(r.user), account: renderAccount(r.account), message: r.message };
      return reply.status(201).send(body);
    },
  );

  api.post<{ Body: LoginInput }>(
    "/auth/login",
    {
      config: { operation: operation("session", "login") },
      schema: {
        tags: ["auth"],
        summary: "Sign in with e-mail and password",
        description:
          '401 `Invalid email or password` for unknown or wrong credentials (SnackBase-shaped body, with `account`: `{"error":"Authentication failed","message":"Invalid credentials"}`), `Account is disabled` for a deactivated user, `Email not verified` for an unverified user of a tenant account, or of the default account while the setting `verification_required` is on.',
        security: [],
        body: {
          type: "object",
          required: ["email", "password"],
          properties: {
            ...credentialProperties,
            account: { ...nullableString, maxLength: 255, description: "account slug, code or id (SnackBase); default account when omitted" },
          },
        },
        response: { 200: authResponseSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (req, reply) => {
      const dialect = authDialect(req.body);
      try {
        return renderSession(await login(req.ctx, req.body), "Login successful", dialect);
      } catch (e) {
        if (e instanceof UnauthenticatedError && dialect === "snackbase") return reply.status(401).send(snackbaseLoginFailure(e));
        throw e;
      }
    },
  );

  api.post<{ Body: { refresh_token: string } }>(
    "/auth/refresh",
    {
      config: { operation: SESSION },
      schema: {
        tags: ["auth"],
        summary: "Trade a refresh token for new tokens (the old refresh token is revoked)",
        security: [],
        body: {
          type: "object",
          required: ["refresh_token"],
          properties: { refresh_token: { type: "string", minLength: 1, maxLength: 512 } },
        },
        response: { 200: { type: "object", properties: tokenProperties }, ...errorResponses(400, 401, 422) },
      },
    },
    async (req) => renderTokens(await refresh(req.ctx, { refreshToken: req.body.refresh_token })),
  );

  api.get(
    "/auth/me",
    {
      config: { operation: READ },
      schema: {
        tags: ["auth"],
        summary: "The signed-in user",
        response: { 200: meSchema, ...errorResponses(401) },
      },
    },
    async (req) => renderMe((await me(req.ctx)).user),
  );

  api.patch<{ Body: UpdateMeInput }>(
    "/auth/me",
    {
      config: { operation: WRITE },
      schema: {
        tags: ["auth"],
        summary: "Change your name, e-mail or avatar (a new e-mail must be verified again)",
        body: {
          type: "object",
          properties: {
            name: { ...nullableString, maxLength: 255 },
            email: { type: "string", format: "email", maxLength: 254 },
            avatar: { ...nullableString, maxLength: 2048 },
          },
        },
        response: { 200: meSchema, ...errorResponses(400, 401, 409, 422) },
      },
    },
    async (req) => renderMe((await updateMe(req.ctx, req.body ?? {})).user),
  );

  registerAuthSessionRoutes(api, services);
  registerAuthRecoveryRoutes(api, services);
}
