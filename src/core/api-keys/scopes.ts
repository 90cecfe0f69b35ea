/**
 * API key scopes: `read` (GET/HEAD, GraphQL queries), `write` (mutations), `admin` or `*`
 * (everything, including admin routes when the key's owner is a superadmin).
 */
import { ValidationError } from "../errors.ts";

export type ApiScope = "read" | "write" | "admin";
export const API_SCOPES = ["read", "write", "admin", "*"] as const;
export type StoredScope = (typeof API_SCOPES)[number];

/**
 * Normalises scopes given as a list, a comma string (`"read,write"`) or `"*"` into a sorted,
 * de-duplicated list. Absent → `["read"]`. Throws ValidationError (422, field `scopes`) for an
 * unknown scope, an empty list or a value of another type.
 */
export function parseScopes(input: unknown): StoredScope[] {
  if (input === undefined || input === null) return ["read"];
  let items: unknown[];
  if (typeof input === "string") items = input.split(",");
  else if (Array.isArray(input)) items = input.flatMap((s) => (typeof s === "string" ? s.split(",") : [s]));
  else throw new ValidationError("Invalid scopes: must be a list or a comma-separated string", { scopes: "must be a list or a comma-separated string" });
  const out = new Set<StoredScope>();
  for (const raw of items) {
    const s = typeof raw === "string" ? raw.trim().toLowerCase() : raw;
    if (s === "") continue;
    if (typeof s !== "string" || !(API_SCOPES as readonly string[]).includes(s)) {
      const shown = typeof raw === "string" ? raw.trim().slice(0, 50) : JSON.stringify(raw)?.slice(0, 50);
      throw new ValidationError(`Invalid scopes: unknown scope '${shown}' (allowed: read, write, admin, *)`, { scopes: `unknown scope '${shown}'` });
    }
    out.add(s as StoredScope);
  }
  if (out.size === 0) throw new ValidationError("Invalid scopes: at least one scope is required", { scopes: "at least one scope is required" });
  return API_SCOPES.filter((s) => out.has(s));
}

/** True when a key with `scopes` may perform an operation needing `needed`. */
export function scopeAllows(scopes: readonly string[], needed: ApiScope): boolean {
  if (scopes.includes("*") || scopes.includes("admin")) return true;
  return scopes.includes(needed);
}

/** The scope an HTTP method needs: reads for GET/HEAD/OPTIONS, writes otherwise. */
export function scopeForMethod(method: string): ApiScope {
  const m = method.toUpperCase();
  return m === "GET" || m === "HEAD" || m === "OPTIONS" ? "read" : "write";
}
