/**
 * The first-run install link: while no superadmin exists, `cairn serve` prints (and
 * `cairn admin install-link` prints again) a link to the admin UI's "create the first
 * superadmin" form, `<base>/_/#/install/<token>`. The token is a JWT signed with the instance
 * secret for the purpose `install` (auth/tokens.ts signPurpose), valid 30 minutes; it is accepted
 * nowhere else, and no other token is accepted here. It needs no stored state: it stops working
 * when it expires or as soon as any superadmin exists.
 */
import type { Context, Services } from "../context.ts";
import { BadRequestError, ConflictError } from "../errors.ts";

/** Lifetime of an install token, seconds. */
export const INSTALL_TOKEN_TTL_SECONDS = 30 * 60;

const PURPOSE = "install";

export const INSTALL_TOKEN_EXPIRED = "This install link has expired: run `cairn admin install-link` for a new one";
export const INSTALL_TOKEN_INVALID = "This install link is not valid: run `cairn admin install-link` for a new one";
export const SUPERADMIN_EXISTS = "A superadmin already exists: sign in instead (this install link no longer works)";

export interface InstallToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs a new install token, valid `ttlSeconds` (default 30 minutes) from `now` (default: the
 * clock). Does not check whether a superadmin exists (see superadminExists).
 * @example const { token } = await issueInstallToken(services); installLinkUrl("http://127.0.0.1:8000", token)
 */
export async function issueInstallToken(services: Pick<Services, "tokens">, opts: { now?: Date; ttlSeconds?: number } = {}): Promise<InstallToken> {
  const now = opts.now ?? new Date();
  const ttl = opts.ttlSeconds ?? INSTALL_TOKEN_TTL_SECONDS;
  const token = await services.tokens.signPurpose(PURPOSE, ttl, now);
  return { token, expiresAt: new Date((Math.floor(now.getTime() / 1000) + ttl) * 1000) };
}

/** The admin UI address that opens the "create the first superadmin" form for `token`. */
export function installLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/_/#/install/${token}`;
}

/** True when at least one superadmin exists (in any account). */
export async function superadminExists(services: Pick<Services, "prisma">): Promise<boolean> {
  return (await services.prisma.user.findFirst({ where: { superadmin: true }, select: { id: true } })) !== null;
}

/**
 * Verifies an install token's signature, purpose and expiry; returns its expiry. Throws
 * BadRequestError (400, details `{token}`) when it is expired or not a valid install token.
 */
export async function verifyInstallToken(services: Pick<Services, "tokens">, token: unknown): Promise<Date> {
  if (typeof token !== "string" || token.length === 0 || token.length > 2048) throw new BadRequestError(INSTALL_TOKEN_INVALID, { token: "is not a valid install token" });
  const verdict = await services.tokens.verifyPurpose(PURPOSE, token);
  if (verdict.ok) return verdict.expiresAt;
  if (verdict.reason === "expired") throw new BadRequestError(INSTALL_TOKEN_EXPIRED, { token: "has expired" });
  throw new BadRequestError(INSTALL_TOKEN_INVALID, { token: "is not a valid install token" });
}

/**
 * Whether an install link still works, for the form to say so before it is filled in:
 * `{valid: true, expiresAt}`. Throws BadRequestError (400) for an expired or invalid token,
 * ConflictError (409 `A superadmin already exists…`) once a superadmin exists.
 */
export async function checkInstallToken(ctx: Context, token: unknown): Promise<{ valid: true; expiresAt: Date }> {
  const expiresAt = await verifyInstallToken(ctx.services, token);
  if (await superadminExists(ctx.services)) throw new ConflictError(SUPERADMIN_EXISTS);
  return { valid: true, expiresAt };
}
