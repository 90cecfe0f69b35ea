/**
 * Single-use tokens sent by mail (e-mail verification, password reset). The token is 256 random
 * bits; only its SHA-256 is stored (`_auth_tokens`) with a kind, an expiry and `used_at`.
 * Lifetimes come from settings (seconds): `verification_token_ttl` (default 24 h) and
 * `password_reset_token_ttl` (default 1 h).
 */
import { createHash, randomBytes } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import type { Context } from "../context.ts";
import type { Prisma } from "../../db/prisma.ts";
import { BadRequestError } from "../errors.ts";

export type MailTokenKind = "verify_email" | "reset_password";

const TTL_SETTING: Record<MailTokenKind, [string, number]> = {
  verify_email: ["verification_token_ttl", 24 * 3600],
  reset_password: ["password_reset_token_ttl", 3600],
};

export const INVALID_TOKEN = "Invalid or expired token";

export function hashMailToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The lifetime of a token of `kind`, seconds (setting, or the default when unset or unusable). */
export function mailTokenTtl(ctx: Context, kind: MailTokenKind): number {
  const [key, fallback] = TTL_SETTING[kind];
  const v = Number(ctx.services.settings.get<unknown>(key, fallback));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Stores a new token of `kind` for the user and returns it (the only time it exists in clear). */
export async function issueMailToken(ctx: Context, userId: string, kind: MailTokenKind): Promise<{ token: string; ttl: number }> {
  const token = randomBytes(32).toString("base64url");
  const ttl = mailTokenTtl(ctx, kind);
  const now = ctx.services.now();
  await ctx.services.prisma.authToken.create({
    data: { id: uuidv7(), userId, kind, tokenHash: hashMailToken(token), expiresAt: new Date(now.getTime() + ttl * 1000), created: now },
  });
  return { token, ttl };
}

/**
 * The usable (unused, unexpired) token row with its user, without consuming it.
 * Throws BadRequestError (400 `Invalid or expired token`) otherwise.
 */
export async function peekMailToken(ctx: Context, kind: MailTokenKind, token: unknown) {
  if (typeof token !== "string" || token.length < 16 || token.length > 200) throw new BadRequestError(INVALID_TOKEN);
  const row = await ctx.services.prisma.authToken.findUnique({ where: { tokenHash: hashMailToken(token) }, include: { user: { include: { account: true } } } });
  if (!row || row.kind !== kind || row.usedAt || row.expiresAt.getTime() <= ctx.services.now().getTime()) throw new BadRequestError(INVALID_TOKEN);
  return row;
}

/**
 * Marks the token used, conditionally: of two concurrent uses exactly one succeeds.
 * Pass the transaction client that also applies the token's effect. Throws BadRequestError (400)
 * when the token was used (or expired) meanwhile.
 */
export async function consumeMailToken(ctx: Context, tx: Pick<Prisma, "authToken">, id: string): Promise<void> {
  const now = ctx.services.now();
  const { count } = await tx.authToken.updateMany({ where: { id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (count !== 1) throw new BadRequestError(INVALID_TOKEN);
}
