/**
 * OAuth routes (README "OAuth"):
 * - FastCMS: `GET /oauth/{provider}/login` → 302 to the provider; the provider returns the
 *   browser to `GET /oauth/{provider}/callback` (Apple: `POST`, form-encoded), which answers the
 *   auth response (user with `oauth_provider`).
 * - SnackBase: `POST /auth/oauth/{provider}/authorize` `{account?, redirect_uri, state?}` →
 *   `{authorization_url, state, provider}`; the client's page receives the code and posts
 *   `{code, state, redirect_uri}` to `/auth/oauth/{provider}/callback` → login response plus
 *   `is_new_user`, `is_new_account`.
 * Parse, call core, render; the session renders like /auth/login's.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Services } from "../core/context.ts";
import { finishOAuth, type FinishOAuthInput } from "../core/oauth/finish-oauth.ts";
import type { OAuthSignIn } from "../core/oauth/sign-in.ts";
import { startOAuth } from "../core/oauth/start-oauth.ts";
import { nullableString, renderSession, type AuthDialect } from "./fastcms/auth-render.ts";
import { errorResponses } from "./errors.ts";
import { SESSION } from "../core/policy/operation.ts";
import { OAUTH_PARAM_NAMES, withParamNames } from "./fastcms/param-names.ts";

const tags = ["oauth"];
const provider = { type: "object", properties: { provider: { type: "string", description: "google, github, microsoft or apple" } } } as const;

/** The session as /auth/login renders it for the dialect, with the user's `oauth_provider` and SnackBase's `is_new_*` flags. */
function render(r: OAuthSignIn, dialect: AuthDialect) {
  const session = renderSession(r.session, "Login successful", dialect);
  return { ...session, user: { ...session.user, oauth_provider: r.provider }, is_new_user: r.isNewUser, is_new_account: r.isNewAccount };
}

/** The FastCMS callback URL for `provider`: configured, else CAIRN_PUBLIC_URL, else this request's origin. */
function callbackUrl(services: Services, req: FastifyRequest, provider: string): string {
  const configured = (services.config.oauth as Record<string, { redirectUri?: string } | undefined>)[provider]?.redirectUri;
  if (configured) return configured;
  const base = services.config.publicUrl ?? `${req.protocol}://${req.host}`;
  return `${base}/api/v1/oauth/${encodeURIComponent(provider)}/callback`;
}

type CallbackQuery = { code?: string; state?: string; error?: string; error_description?: string };

function fromCallback(provider: string, q: CallbackQuery): FinishOAuthInput {
  return { provider, code: q.code, state: q.state, error: q.error, errorDescription: q.error_description };
}

const callbackParams = {
  type: "object",
  properties: { code: { type: "string" }, state: { type: "string" }, error: { type: "string" }, error_description: { type: "string" } },
} as const;

const authResponse = { type: "object", additionalProperties: true } as const;

/** Registers the OAuth routes on the /api/v1 scope. */
export async function registerOAuthRoutes(api: FastifyInstance, services: Services): Promise<void> {
  api.get<{ Params: { provider: string }; Querystring: { account?: string } }>(
    "/oauth/:provider/login",
    {
      config: { operation: SESSION },
      schema: {
        tags,
        summary: "Redirect to the provider's sign-in page",
        security: [],
        params: provider,
        querystring: { type: "object", properties: { account: { type: "string", description: "account slug, id or code (default account when omitted)" } } },
        response: { ...errorResponses(404, 422) },
      },
    },
    async (req, reply) => {
      const { provider: name } = req.params;
      const started = await withParamNames(OAUTH_PARAM_NAMES, () => startOAuth(req.ctx, { provider: name, redirectUri: callbackUrl(services, req, name), account: req.query.account }));
      return reply.header("cache-control", "no-store").redirect(started.authorizationUrl, 302);
    },
  );

  api.get<{ Params: { provider: string }; Querystring: CallbackQuery }>(
    "/oauth/:provider/callback",
    {
      config: { operation: SESSION },
      schema: {
        tags,
        summary: "Provider callback: exchanges the code and signs in",
        security: [],
        params: provider,
        querystring: callbackParams,
        response: { 200: authResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => render(await withParamNames(OAUTH_PARAM_NAMES, () => finishOAuth(req.ctx, fromCallback(req.params.provider, req.query))), "fastcms"),
  );

  // Apple (response_mode=form_post) posts the callback as a form.
  await api.register(async (form) => {
    form.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    form.post<{ Params: { provider: string }; Body: CallbackQuery }>(
      "/oauth/:provider/callback",
      {
        config: { operation: SESSION },
        schema: {
          tags,
          summary: "Provider callback posted as a form (Apple)",
          security: [],
          params: provider,
          body: callbackParams,
          response: { 200: authResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => render(await withParamNames(OAUTH_PARAM_NAMES, () => finishOAuth(req.ctx, fromCallback(req.params.provider, req.body ?? {}))), "fastcms"),
    );
  });

  api.post<{ Params: { provider: string }; Body: { account?: string | null; redirect_uri: string; state?: string | null } }>(
    "/auth/oauth/:provider/authorize",
    {
      config: { operation: SESSION },
      schema: {
        tags,
        summary: "Start an OAuth sign-in (SnackBase): returns the provider URL",
        security: [],
        params: provider,
        body: { type: "object", required: ["redirect_uri"], properties: { account: nullableString, redirect_uri: { type: "string" }, state: nullableString } },
        response: { 200: { type: "object", properties: { authorization_url: { type: "string" }, state: { type: "string" }, provider: { type: "string" } } }, ...errorResponses(404, 409, 422) },
      },
    },
    async (req) => {
      const s = await withParamNames(OAUTH_PARAM_NAMES, () =>
        startOAuth(req.ctx, { provider: req.params.provider, redirectUri: req.body.redirect_uri, account: req.body.account, state: req.body.state }),
      );
      return { authorization_url: s.authorizationUrl, state: s.state, provider: s.provider };
    },
  );

  api.post<{ Params: { provider: string }; Body: { code: string; state: string; redirect_uri?: string | null } }>(
    "/auth/oauth/:provider/callback",
    {
      config: { operation: SESSION },
      schema: {
        tags,
        summary: "Finish an OAuth sign-in (SnackBase): exchanges the code and signs in",
        security: [],
        params: provider,
        body: { type: "object", required: ["code", "state"], properties: { code: { type: "string" }, state: { type: "string" }, redirect_uri: nullableString } },
        response: { 200: authResponse, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) =>
      render(
        await withParamNames(OAUTH_PARAM_NAMES, () => finishOAuth(req.ctx, { provider: req.params.provider, code: req.body.code, state: req.body.state, redirectUri: req.body.redirect_uri })),
        "snackbase",
      ),
  );
}
