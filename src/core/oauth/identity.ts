/**
 * The code exchange (PKCE verifier and, for OpenID Connect, the nonce are checked) and the
 * identity it yields: the provider's stable subject, the e-mail address and whether the
 * provider vouches for it, name and picture. Only a VERIFIED address may link an existing
 * Cairn user, so "verified" is strict: Google/Apple `email_verified`, Microsoft
 * `email_verified` or `xms_edov` (Microsoft's `email` claim alone is not verified),
 * GitHub's `/user/emails` entry marked `verified`.
 */
import * as oauth from "oauth4webapi";
import { AppError, BadRequestError } from "../errors.ts";
import { emailProblem, normalizeEmail } from "../auth/email.ts";
import type { ResolvedProvider } from "./providers.ts";

export interface OAuthIdentity {
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  avatar: string | null;
}

export interface ExchangeInput {
  code: string;
  state: string;
  redirectUri: string;
  codeVerifier: string;
  nonce: string | null;
}

/** Maps protocol failures to 400 (the code, state or verifier was refused) and transport failures to 502. */
function protocolError(provider: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oauth.ResponseBodyError) return new BadRequestError(`${provider} refused the sign-in: ${err.error}${err.error_description ? ` (${err.error_description})` : ""}`);
  if (err instanceof oauth.AuthorizationResponseError) return new BadRequestError(`${provider} refused the sign-in: ${err.error}${err.error_description ? ` (${err.error_description})` : ""}`);
  if (err instanceof oauth.OperationProcessingError || err instanceof oauth.WWWAuthenticateChallengeError) return new BadRequestError(`${provider} sign-in failed: ${err.message}`);
  return new AppError("INTERNAL", 502, `Could not complete the ${provider} sign-in: the provider did not answer properly`, null, { cause: err });
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

function cleanEmail(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const e = normalizeEmail(s);
  return emailProblem(e) ? null : e;
}

/** Exchanges the authorization code and reads who signed in. @throws 400 refused by the provider, 502 unreachable */
export async function exchangeCode(p: ResolvedProvider, input: ExchangeInput): Promise<OAuthIdentity> {
  try {
    const params = oauth.validateAuthResponse(p.as, p.client, new URLSearchParams({ code: input.code, state: input.state }), input.state);
    const response = await oauth.authorizationCodeGrantRequest(p.as, p.client, await p.clientAuth(), params, input.redirectUri, input.codeVerifier, p.options(p.as.token_endpoint));
    if (p.kind === "github") {
      const tokens = await oauth.processAuthorizationCodeResponse(p.as, p.client, response);
      return await githubIdentity(p, tokens.access_token);
    }
    const tokens = await oauth.processAuthorizationCodeResponse(p.as, p.client, response, { expectedNonce: input.nonce ?? oauth.expectNoNonce, requireIdToken: true });
    const claims: Record<string, unknown> = { ...oauth.getValidatedIdTokenClaims(tokens) };
    if (!cleanEmail(claims.email) && p.as.userinfo_endpoint) {
      const res = await oauth.userInfoRequest(p.as, p.client, tokens.access_token, p.options(p.as.userinfo_endpoint));
      const info = await oauth.processUserInfoResponse(p.as, p.client, String(claims.sub), res);
      for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
    }
    const verifiedFlag = (v: unknown) => v === true || v === "true";
    const emailVerified = verifiedFlag(claims.email_verified) || (p.name === "microsoft" && verifiedFlag(claims.xms_edov));
    return {
      provider: p.name,
      subject: String(claims.sub),
      email: cleanEmail(claims.email),
      emailVerified,
      name: str(claims.name) ?? ([str(claims.given_name), str(claims.family_name)].filter(Boolean).join(" ") || null),
      avatar: str(claims.picture),
    };
  } catch (err) {
    throw protocolError(p.name, err);
  }
}

async function githubGet(p: ResolvedProvider, url: string, accessToken: string): Promise<unknown> {
  const headers = new Headers({ accept: "application/vnd.github+json", "user-agent": "cairn", "x-github-api-version": "2022-11-28" });
  const res = await oauth.protectedResourceRequest(accessToken, "GET", new URL(url), headers, null, p.options(url));
  if (!res.ok) throw new AppError("INTERNAL", 502, `GitHub answered ${res.status} for ${new URL(url).pathname}`);
  return res.json();
}

async function githubIdentity(p: ResolvedProvider, accessToken: string): Promise<OAuthIdentity> {
  const user = (await githubGet(p, p.as.userinfo_endpoint!, accessToken)) as Record<string, unknown>;
  if (user.id === undefined || user.id === null) throw new AppError("INTERNAL", 502, "GitHub returned no user id");
  let email: string | null = null;
  let emailVerified = false;
  if (p.emailsUrl) {
    const list = await githubGet(p, p.emailsUrl, accessToken);
    const entries = (Array.isArray(list) ? list : []) as { email?: unknown; primary?: unknown; verified?: unknown }[];
    const pick = entries.find((e) => e.primary === true && e.verified === true && cleanEmail(e.email)) ?? entries.find((e) => e.verified === true && cleanEmail(e.email));
    if (pick) {
      email = cleanEmail(pick.email);
      emailVerified = true;
    }
  }
  if (!email) email = cleanEmail(user.email); // public profile address: not known to be verified
  return {
    provider: p.name,
    subject: String(user.id),
    email,
    emailVerified,
    name: str(user.name) ?? str(user.login),
    avatar: str(user.avatar_url),
  };
}
