/**
 * The first-run install link over REST (core/auth/install-token.ts, install-superadmin.ts):
 * `GET /api/v1/admin/install/{token}` tells the admin UI's form whether the link still works;
 * `POST /api/v1/admin/install {token, email, password, password_confirm?}` creates the first
 * superadmin and answers like a login (201). Both are public: the token is the credential.
 */
import type { FastifyInstance } from "fastify";
import { checkInstallToken } from "../core/auth/install-token.ts";
import { installSuperadmin } from "../core/auth/install-superadmin.ts";
import { operation, READ } from "../core/policy/operation.ts";
import { authResponseSchema, nullableString, renderSession } from "./fastcms/auth-render.ts";
import { errorResponses } from "./errors.ts";

const tags = ["auth"];
const token = { type: "string", minLength: 1, maxLength: 2048, description: "the token of the install link `…/_/#/install/<token>`" } as const;

/** Registers the install routes on the /api/v1 scope. */
export function registerInstallRoutes(api: FastifyInstance): void {
  api.get<{ Params: { token: string } }>(
    "/admin/install/:token",
    {
      config: { operation: READ },
      schema: {
        tags,
        summary: "Check a first-run install link (before its form is filled in)",
        description:
          '`{valid: true, expires_at}` while the link works. 400 `This install link has expired…` (details `{token: "has expired"}`) or `…is not valid…`; 409 `A superadmin already exists…` once one does.',
        security: [],
        params: { type: "object", required: ["token"], properties: { token } },
        response: {
          200: { type: "object", properties: { valid: { type: "boolean" }, expires_at: { type: "string", format: "date-time" } } },
          ...errorResponses(400, 409),
        },
      },
    },
    async (req) => {
      const r = await checkInstallToken(req.ctx, req.params.token);
      return { valid: r.valid, expires_at: r.expiresAt.toISOString() };
    },
  );

  type Body = { token: string; email: string; password: string; password_confirm?: string | null };
  api.post<{ Body: Body }>(
    "/admin/install",
    {
      // signs in (allowed in maintenance mode: there is no superadmin to end it yet); counted in the sign-up tier
      config: { operation: operation("session", "register") },
      schema: {
        tags,
        summary: "Create the first superadmin with the install link's token",
        description:
          "The token comes from the link `cairn serve` prints while no superadmin exists (or `cairn admin install-link`), valid 30 minutes. " +
          "Creates a verified superadmin in the default account and answers like a login (201). Password: 8–100 characters with a letter and a digit. " +
          "400 for an expired or invalid token, 409 once a superadmin exists (the link stops working) or when the address is already registered, 422 naming `email`, `password` or `password_confirm`.",
        security: [],
        body: {
          type: "object",
          required: ["token", "email", "password"],
          properties: {
            token,
            email: { type: "string", maxLength: 1024 },
            password: { type: "string", maxLength: 1024 },
            password_confirm: { ...nullableString, maxLength: 1024, description: "optional; must equal password when sent" },
          },
        },
        response: { 201: authResponseSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const session = await installSuperadmin(req.ctx, { token: b.token, email: b.email, password: b.password, passwordConfirm: b.password_confirm });
      return reply.status(201).send(renderSession(session, "Superadmin created", "fastcms"));
    },
  );
}
