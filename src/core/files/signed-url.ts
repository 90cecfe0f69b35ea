/**
 * Short-lived signed download URLs, for clients that cannot send headers (`<img src>`): the
 * signature is an HMAC of the file id and the expiry with a key derived from the instance
 * secret. Stateless; deleting the file ends it (the id no longer resolves).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";

export interface FileSignature {
  /** expiry, Unix seconds */
  expires: number;
  /** base64url HMAC */
  signature: string;
}

export const DEFAULT_URL_TTL = 300;
export const MAX_URL_TTL = 7 * 24 * 3600;

function sign(ctx: Context, fileId: string, expires: number): string {
  return createHmac("sha256", ctx.services.files.urlKey).update(`${fileId}:${expires}`).digest("base64url");
}

/**
 * A signature for downloading `fileId` until now + `ttlSeconds` (1 s … 7 days). The caller must
 * already have been allowed to see the file (getFile). @throws ValidationError 422 for a bad ttl.
 */
export function signFileUrl(ctx: Context, fileId: string, ttlSeconds = DEFAULT_URL_TTL): FileSignature {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_URL_TTL)
    throw new ValidationError(`expiresIn must be an integer from 1 to ${MAX_URL_TTL} seconds`, { expiresIn: `Must be 1 to ${MAX_URL_TTL}` });
  const expires = Math.floor(ctx.services.now().getTime() / 1000) + ttlSeconds;
  return { expires, signature: sign(ctx, fileId, expires) };
}

/** True when the signature is valid for `fileId` and not expired. */
export function verifyFileSignature(ctx: Context, fileId: string, s: FileSignature): boolean {
  if (!Number.isSafeInteger(s.expires) || s.expires * 1000 < ctx.services.now().getTime()) return false;
  const want = Buffer.from(sign(ctx, fileId, s.expires));
  const got = Buffer.from(s.signature);
  return got.length === want.length && timingSafeEqual(got, want);
}
