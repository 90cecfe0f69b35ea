/**
 * Resolving `X-API-Key` / `Authorization: Bearer cairn_…` to a principal, with a short
 * in-memory cache (per app) so a busy key costs no query per request, and last-use tracking
 * written at most once a minute per key.
 *
 * Revocation: operations that disable a key (update, delete, revoke-all, owner deactivated)
 * call `invalidateApiKeys`, so on this instance the key stops working at once; other instances
 * notice within CACHE_TTL_MS.
 */
import type { Principal, Services } from "../context.ts";
import { publicRole, roleIdOf } from "../auth/session.ts";
import { scopeAllows } from "./scopes.ts";
import { hashApiKey } from "./secret.ts";

export const CACHE_TTL_MS = 15_000;
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export type ApiKeyRejection = "unknown" | "inactive" | "expired" | "owner_inactive";

interface Entry {
  keyId: string;
  userId: string;
  active: boolean;
  ownerActive: boolean;
  expiresAt: number | null;
  principal: Extract<Principal, { kind: "user" }>;
  loadedAt: number;
}

interface KeyCache {
  byHash: Map<string, Entry>;
  /** key id → when last_used_at was last written */
  lastWrite: Map<string, number>;
}

const caches = new WeakMap<Services, KeyCache>();

function cacheOf(services: Services): KeyCache {
  let c = caches.get(services);
  if (!c) {
    c = { byHash: new Map(), lastWrite: new Map() };
    caches.set(services, c);
  }
  return c;
}

async function load(services: Services, hash: string): Promise<Entry | undefined> {
  const row = await services.prisma.apiKey.findUnique({ where: { keyHash: hash }, include: { user: true } });
  if (!row) return undefined;
  const scopes = JSON.parse(row.scopes) as string[];
  const u = row.user;
  return {
    keyId: row.id,
    userId: u.id,
    active: row.active,
    ownerActive: u.isActive,
    expiresAt: row.expiresAt?.getTime() ?? null,
    loadedAt: Date.now(),
    principal: {
      kind: "user",
      userId: u.id,
      accountId: u.accountId,
      email: u.email,
      role: publicRole(u),
      roleId: roleIdOf(u),
      // A superadmin's key carries superadmin rights only with the admin (or *) scope.
      superadmin: u.superadmin && scopeAllows(scopes, "admin"),
      apiKey: { id: row.id, scopes },
    },
  };
}

export type ApiKeyResult = { principal: Extract<Principal, { kind: "user" }> } | { rejected: ApiKeyRejection; keyId?: string; userId?: string };

/**
 * The principal an API key stands for (its owner, limited to the key's scopes), or why it is
 * refused: unknown, inactive (revoked), expired, or its owner deactivated.
 */
export async function authenticateApiKey(services: Services, key: string, ip?: string): Promise<ApiKeyResult> {
  if (key.length > 200) return { rejected: "unknown" };
  const cache = cacheOf(services);
  const hash = hashApiKey(key);
  const nowMs = services.now().getTime();
  let entry = cache.byHash.get(hash);
  if (!entry || Date.now() - entry.loadedAt > CACHE_TTL_MS) {
    entry = await load(services, hash);
    if (!entry) {
      cache.byHash.delete(hash);
      return { rejected: "unknown" };
    }
    if (cache.byHash.size >= MAX_ENTRIES) cache.byHash.clear();
    cache.byHash.set(hash, entry);
  }
  const ids = { keyId: entry.keyId, userId: entry.userId };
  if (!entry.active) return { rejected: "inactive", ...ids };
  if (!entry.ownerActive) return { rejected: "owner_inactive", ...ids };
  if (entry.expiresAt !== null && entry.expiresAt <= nowMs) return { rejected: "expired", ...ids };
  touch(services, cache, entry.keyId, ip);
  return { principal: entry.principal };
}

/** Records last use (time and IP) without a write per request: at most once a minute per key. */
function touch(services: Services, cache: KeyCache, keyId: string, ip: string | undefined): void {
  const now = Date.now();
  const last = cache.lastWrite.get(keyId);
  if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
  cache.lastWrite.set(keyId, now);
  if (cache.lastWrite.size > MAX_ENTRIES) cache.lastWrite.clear();
  services.prisma.apiKey
    .updateMany({ where: { id: keyId }, data: { lastUsedAt: services.now(), lastUsedIp: ip ?? null } })
    .catch((err: unknown) => services.log.warn({ err, keyId }, "api key last-use update failed"));
}

/** Drops cached keys (by key id or owner) so changes to them apply at once on this instance. */
export function invalidateApiKeys(services: Services, which: { keyId?: string; userId?: string; all?: boolean }): void {
  const cache = cacheOf(services);
  if (which.all) {
    cache.byHash.clear();
    return;
  }
  for (const [hash, e] of cache.byHash) {
    if ((which.keyId && e.keyId === which.keyId) || (which.userId && e.userId === which.userId)) cache.byHash.delete(hash);
  }
}
