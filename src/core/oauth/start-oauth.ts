/**
 * Step one of an OAuth sign-in: a fresh PKCE verifier (S256 challenge), a state and, for
 * OpenID Connect, a nonce, stored in `_oauth_states` for 10 minutes, and the provider URL to
 * send the browser to.
 */
import * as oauth from "oauth4webapi";
import type { Context } from "../context.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { isUniqueViolation } from "./unique.ts";
import { resolveProvider } from "./providers.ts";

export const STATE_TTL_MS = 10 * 60_000;
const STATE_RE = /^[\x21-\x7e]{8,512}$/;

export interface StartOAuthInput {
  provider: string;
  /** where the provider sends the browser back (absolute http(s) URL) */
  redirectUri: string;
  /** account slug, id or code to sign in to (SnackBase); default account when absent */
  account?: string | null;
  /** client-chosen state (8-512 printable characters); generated when absent */
  state?: string | null;
}

export interface StartedOAuth {
  authorizationUrl: string;
  state: string;
  provider: string;
}

async function resolveAccount(ctx: Context, account: string | null | undefined): Promise<string | null> {
  const a = account?.trim();
  if (!a) return null;
  const row = await ctx.services.prisma.account.findFirst({ where: { OR: [{ slug: a }, { id: a }, { code: a }] }, select: { id: true } });
  if (!row) throw new NotFoundError(`Account '${a}' not found`);
  return row.id;
}

/**
 * Starts a sign-in with `provider`.
 * @throws NotFoundError 404 (unknown or unconfigured provider, unknown account),
 *   ValidationError 422 (bad `redirectUri` or `state`, named so in its details), ConflictError 409 (state already pending).
 */
export async function startOAuth(ctx: Context, input: StartOAuthInput): Promise<StartedOAuth> {
  const provider = await resolveProvider(ctx.services, input.provider);
  const problems: Record<string, string> = {};
  if (typeof input.redirectUri !== "string" || !URL.canParse(input.redirectUri) || !/^https?:$/.test(new URL(input.redirectUri).protocol) || input.redirectUri.length > 2000) {
    problems.redirectUri = "must be an absolute http(s) URL of at most 2000 characters";
  }
  if (input.state != null && (typeof input.state !== "string" || !STATE_RE.test(input.state))) problems.state = "must be 8-512 printable ASCII characters without spaces";
  if (Object.keys(problems).length)
    throw new ValidationError(
      `Invalid OAuth request: ${Object.entries(problems)
        .map(([k, v]) => `${k} ${v}`)
        .join("; ")}`,
      problems,
    );
  const accountId = await resolveAccount(ctx, input.account);

  const state = input.state ?? oauth.generateRandomState();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const nonce = provider.kind === "oidc" ? oauth.generateRandomNonce() : null;
  const now = ctx.services.now();
  const { prisma } = ctx.services;
  await prisma.oAuthState.deleteMany({ where: { expiresAt: { lt: now } } });
  try {
    await prisma.oAuthState.create({
      data: { state, provider: provider.name, codeVerifier, nonce, redirectUri: input.redirectUri, accountId, expiresAt: new Date(now.getTime() + STATE_TTL_MS), created: now },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError("This OAuth state is already in use; send a new random state", { state: "already in use" });
    throw e;
  }

  const url = new URL(provider.as.authorization_endpoint!);
  const q = url.searchParams;
  q.set("client_id", provider.client.client_id);
  q.set("redirect_uri", input.redirectUri);
  q.set("response_type", "code");
  q.set("scope", provider.scopes);
  q.set("state", state);
  q.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  q.set("code_challenge_method", "S256");
  if (nonce) q.set("nonce", nonce);
  if (provider.responseMode) q.set("response_mode", provider.responseMode);
  return { authorizationUrl: url.href, state, provider: provider.name };
}
