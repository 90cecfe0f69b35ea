/**
 * OAuth providers: Google, Microsoft and Apple (OpenID Connect: identity from the ID token,
 * completed by the userinfo endpoint when the token has no e-mail) and GitHub (plain OAuth 2:
 * identity from `/user`, verified addresses from `/user/emails`). Each uses the provider's real
 * endpoints unless configured otherwise (`CAIRN_OAUTH_<PROVIDER>_*`, README "OAuth"); setting
 * only an ISSUER makes Cairn read the endpoints from its discovery document (cached).
 * Plain http is accepted only for loopback endpoints (local test servers).
 */
import * as oauth from "oauth4webapi";
import { importPKCS8, SignJWT } from "jose";
import { OAUTH_PROVIDERS, type OAuthProviderConfig, type OAuthProviderName } from "../../config.ts";
import type { Services } from "../context.ts";
import { NotFoundError } from "../errors.ts";

export type ProviderKind = "oidc" | "github";

interface Defaults {
  kind: ProviderKind;
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl?: string;
  emailsUrl?: string;
  scopes: string;
  /** Apple posts the callback as a form when scopes are requested */
  responseMode?: "form_post";
}

const MICROSOFT_MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

function defaults(name: OAuthProviderName, cfg: OAuthProviderConfig): Defaults {
  switch (name) {
    case "google":
      return {
        kind: "oidc",
        issuer: "https://accounts.google.com",
        authorizationUrl: "https://accounts.google.com/o/oauth2/v2/auth",
        tokenUrl: "https://oauth2.googleapis.com/token",
        userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo",
        scopes: "openid email profile",
      };
    case "github":
      return {
        kind: "github",
        issuer: "https://github.com",
        authorizationUrl: "https://github.com/login/oauth/authorize",
        tokenUrl: "https://github.com/login/oauth/access_token",
        userinfoUrl: "https://api.github.com/user",
        emailsUrl: "https://api.github.com/user/emails",
        scopes: "read:user user:email",
      };
    case "microsoft": {
      const tenant = cfg.tenant ?? "common";
      const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}`;
      return {
        kind: "oidc",
        // multi-tenant endpoints issue tokens whose issuer names the user's tenant
        issuer: `https://login.microsoftonline.com/${MICROSOFT_MULTI_TENANT.has(tenant) ? "{tenantid}" : tenant}/v2.0`,
        authorizationUrl: `${base}/oauth2/v2.0/authorize`,
        tokenUrl: `${base}/oauth2/v2.0/token`,
        userinfoUrl: "https://graph.microsoft.com/oidc/userinfo",
        scopes: "openid email profile",
      };
    }
    case "apple":
      return {
        kind: "oidc",
        issuer: "https://appleid.apple.com",
        authorizationUrl: "https://appleid.apple.com/auth/authorize",
        tokenUrl: "https://appleid.apple.com/auth/token",
        scopes: "name email",
        responseMode: "form_post",
      };
  }
}

/** A provider ready for the protocol calls. */
export interface ResolvedProvider {
  name: OAuthProviderName;
  kind: ProviderKind;
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth(): Promise<oauth.ClientAuth>;
  scopes: string;
  responseMode: "form_post" | undefined;
  emailsUrl: string | undefined;
  /** the redirect URI configured for this provider, if any */
  redirectUri: string | undefined;
  /** request options for a URL (allows http for loopback hosts only) */
  options(url: string | undefined): { [oauth.allowInsecureRequests]?: boolean };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function insecureOk(url: string | undefined): { [oauth.allowInsecureRequests]?: boolean } {
  if (!url) return {};
  const u = new URL(url);
  return u.protocol === "http:" && LOOPBACK.has(u.hostname) ? { [oauth.allowInsecureRequests]: true } : {};
}

/** Apple's client secret is a short-lived ES256 JWT; minted from the key when no secret is configured. */
function appleSecret(cfg: OAuthProviderConfig): () => Promise<string | undefined> {
  let cached: { value: string; until: number } | undefined;
  return async () => {
    if (cfg.clientSecret || !cfg.teamId || !cfg.keyId || !cfg.privateKey) return cfg.clientSecret;
    if (cached && cached.until > Date.now()) return cached.value;
    const key = await importPKCS8(cfg.privateKey, "ES256");
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: cfg.keyId })
      .setIssuer(cfg.teamId)
      .setSubject(cfg.clientId)
      .setAudience("https://appleid.apple.com")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(key);
    cached = { value, until: Date.now() + 5 * 60_000 };
    return value;
  };
}

const discovered = new WeakMap<OAuthProviderConfig, Promise<oauth.AuthorizationServer>>();

async function discover(cfg: OAuthProviderConfig, issuer: string): Promise<oauth.AuthorizationServer> {
  let p = discovered.get(cfg);
  if (!p) {
    const url = new URL(issuer);
    p = oauth.discoveryRequest(url, insecureOk(issuer)).then((res) => oauth.processDiscoveryResponse(url, res));
    p.catch(() => discovered.delete(cfg)); // retry on the next login after a failure
    discovered.set(cfg, p);
  }
  return p;
}

export function isProviderName(name: string): name is OAuthProviderName {
  return (OAUTH_PROVIDERS as readonly string[]).includes(name);
}

/**
 * The configured provider `name`.
 * @throws NotFoundError 404 for an unknown or unconfigured provider; discovery failures propagate.
 */
export async function resolveProvider(services: Services, name: string): Promise<ResolvedProvider> {
  if (!isProviderName(name)) throw new NotFoundError(`Unknown OAuth provider '${name}'; supported: ${OAUTH_PROVIDERS.join(", ")}`);
  const cfg = services.config.oauth[name];
  if (!cfg) throw new NotFoundError(`OAuth provider '${name}' is not configured on this server`);
  const d = defaults(name, cfg);
  const issuer = cfg.issuer ?? d.issuer;
  let as: oauth.AuthorizationServer;
  if (cfg.issuer && d.kind === "oidc" && !(cfg.authorizationUrl && cfg.tokenUrl)) {
    const meta = await discover(cfg, cfg.issuer);
    as = {
      ...meta,
      ...(cfg.authorizationUrl ? { authorization_endpoint: cfg.authorizationUrl } : {}),
      ...(cfg.tokenUrl ? { token_endpoint: cfg.tokenUrl } : {}),
      ...(cfg.userinfoUrl ? { userinfo_endpoint: cfg.userinfoUrl } : {}),
    };
  } else {
    as = { issuer, authorization_endpoint: cfg.authorizationUrl ?? d.authorizationUrl, token_endpoint: cfg.tokenUrl ?? d.tokenUrl, userinfo_endpoint: cfg.userinfoUrl ?? d.userinfoUrl };
  }
  if (issuer.includes("{tenantid}")) {
    // oauth4webapi's hook for multi-tenant issuers: the expected issuer follows the token's tenant
    const hook = (oauth as unknown as { _expectedIssuer?: symbol })._expectedIssuer;
    if (hook) as = { ...as, [hook]: (result: { claims: { tid?: unknown } }) => issuer.replace("{tenantid}", String(result.claims.tid ?? "")) };
  }
  const secret = name === "apple" ? appleSecret(cfg) : async () => cfg.clientSecret;
  return {
    name,
    kind: d.kind,
    as,
    client: { client_id: cfg.clientId },
    async clientAuth() {
      const s = await secret();
      return s ? oauth.ClientSecretPost(s) : oauth.None();
    },
    scopes: cfg.scopes ?? d.scopes,
    responseMode: d.responseMode,
    emailsUrl: cfg.emailsUrl ?? d.emailsUrl,
    redirectUri: cfg.redirectUri,
    options: insecureOk,
  };
}
