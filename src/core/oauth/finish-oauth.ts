/**
 * Step two: the provider sent the browser back with `code` and `state`. The state is looked
 * up and deleted in one go (single use; 10-minute expiry; bound to the provider), the code is
 * exchanged with the stored PKCE verifier, and the identity signs in (sign-in.ts).
 * A refused attempt is audited as `auth/login_failed` (method oauth).
 */
import { audit } from "../audit/audit.ts";
import type { Context } from "../context.ts";
import { AppError, BadRequestError } from "../errors.ts";
import { exchangeCode } from "./identity.ts";
import { resolveProvider } from "./providers.ts";
import { signInWithOAuth, type OAuthSignIn } from "./sign-in.ts";

export interface FinishOAuthInput {
  provider: string;
  code?: string | null;
  state?: string | null;
  /** when sent (SnackBase), must equal the redirect URI the sign-in started with */
  redirectUri?: string | null;
  /** the provider's `error` / `error_description` callback parameters */
  error?: string | null;
  errorDescription?: string | null;
}

const INVALID_STATE = "Invalid, expired or already used OAuth state; start the sign-in again";

/**
 * Completes a sign-in.
 * @throws NotFoundError 404 (provider), BadRequestError 400 (missing/invalid/expired/reused
 *   state, missing code, redirectUri mismatch, provider refusal, wrong PKCE verifier),
 *   ConflictError 409 (an unverified address matches an existing user), 502 provider unreachable.
 */
export async function finishOAuth(ctx: Context, input: FinishOAuthInput): Promise<OAuthSignIn> {
  const provider = await resolveProvider(ctx.services, input.provider);
  try {
    return await finish(ctx, provider, input);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      void audit(ctx, {
        eventType: "auth",
        eventAction: "login_failed",
        severity: "warning",
        outcome: "failure",
        description: `OAuth sign-in with ${provider.name} refused`,
        errorMessage: err.message,
        details: { method: "oauth", provider: provider.name },
      });
    }
    throw err;
  }
}

async function finish(ctx: Context, provider: Awaited<ReturnType<typeof resolveProvider>>, input: FinishOAuthInput): Promise<OAuthSignIn> {
  const state = typeof input.state === "string" ? input.state : "";
  if (!state) throw new BadRequestError("Missing OAuth state", { state: "is required" });
  if (state.length > 512) throw new BadRequestError(INVALID_STATE);
  const { prisma } = ctx.services;
  const row = await prisma.oAuthState.findUnique({ where: { state } });
  if (!row || row.provider !== provider.name) throw new BadRequestError(INVALID_STATE);
  // Whoever deletes the row owns it: a replayed or concurrent second use finds nothing to delete.
  const { count } = await prisma.oAuthState.deleteMany({ where: { state, provider: provider.name } });
  if (count !== 1 || row.expiresAt <= ctx.services.now()) throw new BadRequestError(INVALID_STATE);
  if (input.error) throw new BadRequestError(`${provider.name} refused the sign-in: ${input.error}${input.errorDescription ? ` (${input.errorDescription})` : ""}`);
  const code = typeof input.code === "string" ? input.code : "";
  if (!code || code.length > 4096) throw new BadRequestError("Missing or invalid OAuth code", { code: "is required" });
  if (input.redirectUri != null && input.redirectUri !== row.redirectUri) {
    throw new BadRequestError("redirectUri does not match the one the sign-in started with", { redirectUri: "does not match the authorize request" });
  }
  const identity = await exchangeCode(provider, { code, state, redirectUri: row.redirectUri, codeVerifier: row.codeVerifier, nonce: row.nonce });
  return signInWithOAuth(ctx, identity, row.accountId);
}
