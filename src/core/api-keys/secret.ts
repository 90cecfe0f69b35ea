/**
 * API key secrets: `cairn_<8 hex>_<32 hex>`. The first part (`cairn_<8 hex>`) is the public
 * prefix shown in listings; only the SHA-256 of the whole key is stored.
 */
import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PATTERN = /^cairn_[0-9a-f]{8}_[0-9a-f]{32}$/;

/** True when a bearer token has the shape of an API key (as opposed to a JWT). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith("cairn_");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A fresh key with its prefix and hash. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = `cairn_${randomBytes(4).toString("hex")}`;
  const key = `${prefix}_${randomBytes(16).toString("hex")}`;
  return { key, prefix, hash: hashApiKey(key) };
}
