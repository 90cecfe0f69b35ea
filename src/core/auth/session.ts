/**
 * What the auth operations hand back, and how sessions are issued: a short-lived access JWT
 * plus an opaque refresh token. Refresh tokens are random 256-bit strings; only their SHA-256
 * lands in `_refresh_tokens`, with a family id (one per login) and an expiry
 * (`config.refreshTokenTtl`). Rotation and reuse detection live in refresh.ts.
 */
import { createHash, randomBytes } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import type { Context, Services } from "../context.ts";
import type { Prisma } from "../../db/prisma.ts";

/** Role as the REST dialects and tokens show it: account admins and superadmins are `admin`. */
export type PublicRole = "admin" | "user";

export interface AuthUser {
  id: string;
  accountId: string;
  email: string;
  name: string | null;
  avatar: string | null;
  role: PublicRole;
  superadmin: boolean;
  verified: boolean;
  /** role id: 1 admin, 2 user, custom roles above */
  roleId: number;
  isActive: boolean;
  created: Date;
  updated: Date;
}

export interface AuthAccount {
  id: string;
  slug: string;
  name: string;
  created: Date;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** access token lifetime, seconds */
  expiresIn: number;
}

export interface AuthSession extends TokenPair {
  user: AuthUser;
  account: AuthAccount;
}

/** The stored user row as the auth operations read it (a subset of the Prisma model). */
export interface UserRow {
  id: string;
  accountId: string;
  email: string;
  name: string | null;
  avatar: string | null;
  role: string;
  superadmin: boolean;
  verified: boolean;
  roleId?: number | null;
  isActive?: boolean;
  created: Date;
  updated: Date;
}

export const ADMIN_ROLE_ID = 1;
export const USER_ROLE_ID = 2;

/** The user's role id; rows written before roles existed fall back on their role name. */
export function roleIdOf(user: Pick<UserRow, "role" | "roleId">): number {
  return user.roleId ?? (user.role === "admin" ? ADMIN_ROLE_ID : USER_ROLE_ID);
}

export function publicRole(user: Pick<UserRow, "role" | "superadmin">): PublicRole {
  return user.superadmin || user.role === "admin" ? "admin" : "user";
}

export function toAuthUser(row: UserRow): AuthUser {
  return {
    id: row.id,
    accountId: row.accountId,
    email: row.email,
    name: row.name,
    avatar: row.avatar,
    role: publicRole(row),
    superadmin: row.superadmin,
    verified: row.verified,
    roleId: roleIdOf(row),
    isActive: row.isActive ?? true,
    created: row.created,
    updated: row.updated,
  };
}

export function toAuthAccount(row: { id: string; slug: string; name: string; created: Date }): AuthAccount {
  return { id: row.id, slug: row.slug, name: row.name, created: row.created };
}

/** SHA-256 (hex) of a refresh token: the only form in which it is stored. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Anything with the refresh-token delegate: the root client or a transaction client. */
type RefreshStore = Pick<Prisma, "refreshToken">;

/**
 * Stores a new refresh token for `userId` in `familyId` and returns the opaque token.
 * Pass a transaction client when the insert must commit together with other writes.
 */
export async function storeRefreshToken(services: Services, store: RefreshStore, userId: string, familyId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = services.now();
  await store.refreshToken.create({
    data: {
      id: uuidv7(),
      userId,
      tokenHash: hashRefreshToken(token),
      familyId,
      expiresAt: new Date(now.getTime() + services.config.refreshTokenTtl * 1000),
      created: now,
    },
  });
  return token;
}

/**
 * Signs an access token carrying the user's id, account, e-mail, public role, superadmin flag,
 * role id and (when given) the session's refresh-token family.
 */
export function signAccessFor(services: Services, user: Pick<UserRow, "id" | "accountId" | "email" | "role" | "superadmin" | "roleId">, sessionId?: string): Promise<string> {
  return services.tokens.signAccess({
    sub: user.id,
    acc: user.accountId,
    email: user.email,
    role: publicRole(user),
    sa: user.superadmin,
    rid: roleIdOf(user),
    ...(sessionId ? { sid: sessionId } : {}),
  });
}

/** Starts a new session (new refresh-token family) for a user who just proved who they are. */
export async function issueSession(ctx: Context, user: UserRow, account: AuthAccount): Promise<AuthSession> {
  const { services } = ctx;
  const familyId = uuidv7();
  const refreshToken = await storeRefreshToken(services, services.prisma, user.id, familyId);
  const accessToken = await signAccessFor(services, user, familyId);
  return { accessToken, refreshToken, expiresIn: services.tokens.accessTtlSeconds, user: toAuthUser(user), account };
}
