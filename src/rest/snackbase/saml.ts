/**
 * SAML 2.0 single sign-on (compat/snackbase.md §8):
 * - `GET /auth/saml/sso?account=&provider=azure|okta|generic[&relay_state=]` → 302 to the
 *   account's IdP with an AuthnRequest;
 * - `POST /auth/saml/acs?account=&provider=` ← the IdP's form post (`SAMLResponse`,
 *   `RelayState`) → the login answer (SnackBase shape, plus `is_new_user`), or, when the
 *   RelayState is an allowed redirect target (core/saml/relay-state.ts), 303 to it with the
 *   tokens in the URL fragment;
 * - `GET /auth/saml/metadata?account=&provider=` → the SP metadata XML.
 * The IdP settings live under /accounts/{id}/saml (accounts.ts). Parse, call core, render.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Services } from "../../core/context.ts";
import { consumeAssertion } from "../../core/saml/consume-assertion.ts";
import { spMetadata } from "../../core/saml/sp-metadata.ts";
import { startSso } from "../../core/saml/start-sso.ts";
import { relayRedirect, withFragment } from "../../core/saml/relay-state.ts";
import { READ, SESSION } from "../../core/policy/operation.ts";
import { errorResponses } from "../errors.ts";
import { renderSession } from "../fastcms/auth-render.ts";
import { withParamNames, type ParamNames } from "../fastcms/param-names.ts";

const NAMES: ParamNames = new Map([["relayState", "relay_state"]]);
const tags = ["saml"];

/** This server's public origin: CAIRN_PUBLIC_URL, else the request's. */
export function baseUrlOf(services: Services, req: FastifyRequest): string {
  return services.config.publicUrl ?? `${req.protocol}://${req.host}`;
}

const target = {
  account: { type: "string", maxLength: 100, description: "account slug, code or id" },
  provider: { type: "string", maxLength: 20, description: "azure, okta or generic" },
} as const;
const targetQuery = { type: "object", required: ["account", "provider"], properties: target } as const;

type Target = { account: string; provider: string };
type AcsBody = { SAMLResponse?: string; RelayState?: string };

/** Registers the SAML routes on the /api/v1 scope. */
export async function registerSamlRoutes(api: FastifyInstance, services: Services): Promise<void> {
  api.get<{ Querystring: Target & { relay_state?: string } }>(
    "/auth/saml/sso",
    {
      config: { operation: SESSION },
      schema: {
        tags,
        summary: "Start SAML single sign-on: redirect to the account's identity provider",
        security: [],
        querystring: { type: "object", required: ["account", "provider"], properties: { ...target, relay_state: { type: "string", maxLength: 200 } } },
        response: errorResponses(400, 404, 422),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const { redirectUrl } = await withParamNames(NAMES, () => startSso(req.ctx, { account: q.account, provider: q.provider, baseUrl: baseUrlOf(services, req), relayState: q.relay_state }));
      return reply.header("cache-control", "no-store").redirect(redirectUrl, 302);
    },
  );

  api.get<{ Querystring: Target }>(
    "/auth/saml/metadata",
    {
      config: { operation: READ },
      schema: { tags, summary: "The service-provider metadata XML for an account and provider", security: [], querystring: targetQuery, response: errorResponses(400, 404) },
    },
    async (req, reply) => {
      const xml = await spMetadata(req.ctx, { account: req.query.account, provider: req.query.provider, baseUrl: baseUrlOf(services, req) });
      return reply.type("application/samlmetadata+xml; charset=utf-8").send(xml);
    },
  );

  // The IdP posts an HTML form; JSON is accepted too.
  await api.register(async (form) => {
    form.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 1024 * 1024 }, (_req, body, done) => {
      const params = new URLSearchParams(body as string);
      const out: Record<string, string> = Object.create(null);
      for (const key of ["SAMLResponse", "RelayState"]) {
        const v = params.get(key);
        if (v !== null) out[key] = v;
      }
      done(null, out);
    });
    form.post<{ Querystring: Target; Body: AcsBody | undefined }>(
      "/auth/saml/acs",
      {
        config: { operation: SESSION },
        schema: {
          tags,
          summary: "Assertion consumer: the IdP's signed response signs the user in",
          description:
            "Unsigned, tampered, expired, replayed, other-audience or other-recipient assertions, and IdP-initiated ones unless the provider allows them → 401 (audited as `saml_login_failed`). A RelayState that is a path or an http(s) URL of this server or of an origin in the `saml_allowed_redirects` setting → 303 there with `access_token`, `token`, `refresh_token`, `token_type`, `expires_in`, `is_new_user`, `is_new_account` in the URL fragment; another URL → 400.",
          security: [],
          querystring: targetQuery,
          body: { type: "object", properties: { SAMLResponse: { type: "string" }, RelayState: { type: "string" } } },
          response: {
            200: { type: "object", additionalProperties: true },
            303: { type: "null", description: "to the RelayState, session in the fragment" },
            ...errorResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (req, reply) => {
        const baseUrl = baseUrlOf(services, req);
        // checked first: a refused target costs neither the assertion nor a session
        const target = relayRedirect(req.ctx, req.body?.RelayState, baseUrl);
        const r = await consumeAssertion(req.ctx, { account: req.query.account, provider: req.query.provider, baseUrl, samlResponse: req.body?.SAMLResponse });
        const session = renderSession(r.session, "Login successful", "snackbase");
        reply.header("cache-control", "no-store");
        if (target) {
          const s = r.session;
          const fragment = {
            access_token: s.accessToken,
            token: s.accessToken,
            refresh_token: s.refreshToken,
            token_type: "bearer",
            expires_in: String(s.expiresIn),
            is_new_user: String(r.isNewUser),
            is_new_account: String(r.isNewAccount),
          };
          return reply.redirect(withFragment(target, fragment), 303);
        }
        return { ...session, user: { ...session.user, auth_provider: r.provider }, is_new_user: r.isNewUser, is_new_account: r.isNewAccount, relay_state: req.body?.RelayState ?? null };
      },
    );
  });
}
