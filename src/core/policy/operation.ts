/**
 * What an operation is, as far as the platform policies care: its kind, and for the auth
 * endpoints that attract abuse, the stricter rate tier it is counted in. Every operation a
 * transport exposes declares one (a REST route in its `config.operation`, a GraphQL root field
 * in its `extensions.operation`), so maintenance mode, API-key scopes and the auth rate tiers are
 * decided from the operation — never from an HTTP method or a path. A dialect whose reads are
 * POSTs declares `read` and is treated as a read.
 */

/**
 * - `read`: changes nothing (lists, gets, `me`, subscriptions);
 * - `write`: changes content or a user's own data (records, register, password reset…);
 * - `session`: signs in, refreshes or signs out — allowed during maintenance, so admins can get in;
 * - `admin`: changes the installation (collections, settings, roles, users); superadmin-only.
 */
export type OperationKind = "read" | "write" | "session" | "admin";

/** The per-IP rate tiers of the auth operations (see core/ratelimit/limits.ts). */
export type AuthTier = "login" | "register" | "forgot_password";

export interface Operation {
  readonly kind: OperationKind;
  /** counted in this stricter per-IP tier instead of the caller's */
  readonly tier?: AuthTier;
  /**
   * refused to anonymous callers (401) with this message: for dialects in which every request
   * carries credentials (R3 CMS: an API key); elsewhere anonymous callers reach the rules
   */
  readonly callerRequired?: string;
}

export const READ: Operation = Object.freeze({ kind: "read" });
export const WRITE: Operation = Object.freeze({ kind: "write" });
export const SESSION: Operation = Object.freeze({ kind: "session" });
export const ADMIN: Operation = Object.freeze({ kind: "admin" });

/** An operation with an auth rate tier, e.g. `operation("session", "login")`. */
export function operation(kind: OperationKind, tier?: AuthTier): Operation {
  return Object.freeze(tier ? { kind, tier } : { kind });
}

/** `op`, refused to anonymous callers with a 401 saying `message` (see Operation.callerRequired). */
export function callerRequired(op: Operation, message: string): Operation {
  return Object.freeze({ ...op, callerRequired: message });
}

const KINDS: ReadonlySet<string> = new Set<OperationKind>(["read", "write", "session", "admin"]);

/** True for a well-formed declaration (transports assert it when an operation is registered). */
export function isOperation(value: unknown): value is Operation {
  return typeof value === "object" && value !== null && KINDS.has((value as Operation).kind);
}
