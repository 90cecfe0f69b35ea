/**
 * The API key as callers see it (never the secret or its hash), and input checks shared by
 * create and update.
 */
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { requireScope, notSignedIn } from "../auth/guards.ts";
import { parseIso } from "../../lib/iso-date.ts";

export interface ApiKeyView {
  id: string;
  userId: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  active: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  created: Date;
  updated: Date;
}

interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  keyPrefix: string;
  scopes: string;
  active: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  created: Date;
  updated: Date;
}

export function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    keyPrefix: row.keyPrefix,
    scopes: JSON.parse(row.scopes) as string[],
    active: row.active,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    created: row.created,
    updated: row.updated,
  };
}

export const API_KEY_NAME_MAX = 255;

/** The key's name, trimmed; throws ValidationError (422) when empty or longer than 255. */
export function checkName(name: unknown): string {
  const n = typeof name === "string" ? name.trim() : "";
  if (!n) throw new ValidationError("Invalid name: is required", { name: "is required" });
  if (n.length > API_KEY_NAME_MAX) throw new ValidationError(`Invalid name: must be at most ${API_KEY_NAME_MAX} characters long`, { name: `must be at most ${API_KEY_NAME_MAX} characters long` });
  return n;
}

/** An expiry: ISO 8601 in the future, or null for none. Throws ValidationError (422) otherwise. */
export function checkExpiry(ctx: Context, value: unknown): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const d = typeof value === "string" ? parseIso(value.trim())?.date : undefined;
  if (!d) throw new ValidationError("Invalid expires_at: must be an ISO 8601 date-time or null", { expires_at: "must be an ISO 8601 date-time or null" });
  if (d.getTime() <= ctx.services.now().getTime()) throw new ValidationError("Invalid expires_at: must be in the future", { expires_at: "must be in the future" });
  return d;
}

/**
 * Who may manage API keys: a signed-in user; when the caller is itself an API key, only one
 * with the `admin` scope (a leaked read/write key cannot mint more keys). Returns the user id.
 */
export function keyManager(ctx: Context): { userId: string; superadmin: boolean } {
  const p = ctx.principal;
  if (p.kind !== "user") throw notSignedIn(ctx);
  requireScope(ctx, "admin");
  return { userId: p.userId, superadmin: p.superadmin };
}
