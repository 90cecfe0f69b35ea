/**
 * From rule text to a checked expression for one caller: parse (cached per collection
 * definition and rule text), bind the `@request.*` values of the request, check against the
 * collection. Caller-only parts fold to constants; record parts stay field comparisons.
 *
 * Absent caller values bind to `""` (as PocketBase does), never to null: `owner_id =
 * @request.auth.id` then compiles to `owner_id = ''`, which no row matches — not even rows with
 * a NULL owner, which `owner_id IS NULL` would.
 */
import { FALSE, FilterError, mapLeaves, type Expr, type Literal, type Scalar } from "../../query/ast.ts";
import { bindContext, type ContextLookup } from "../../query/bind-context.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver, type FieldResolver } from "../../query/fields.ts";
import { parseRule } from "../../query/parse-rule.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import { callerRole, isAdminRole, type CachedRole, type PermissionOp } from "./role-cache.ts";
import { own } from "../../lib/own.ts";

type Parsed = { expr: Expr } | { error: string };

const parsedRules = new WeakMap<CollectionDef, Map<string, Parsed>>();
/** Rules using datetime macros (`@now`, `@todayStart`…) are re-parsed per use: the clock moves. */
const CLOCK_MACRO = /@(now|today|yesterday|tomorrow|todaystart|todayend|monthstart|monthend|yearstart|yearend|second|minute|hour|day|week|month|year)\b/i;
const MAX_CACHED_RULES = 200;

/** Parses `rule` once per definition (see module comment); a parse error is remembered, not thrown. */
export function parsedRule(def: CollectionDef, rule: string, now: () => Date): Parsed {
  const parse = (): Parsed => {
    try {
      return { expr: parseRule(rule, { now }) };
    } catch (e) {
      if (e instanceof FilterError) return { error: e.message };
      throw e;
    }
  };
  if (CLOCK_MACRO.test(rule)) return parse();
  let byText = parsedRules.get(def);
  if (!byText) parsedRules.set(def, (byText = new Map()));
  let hit = byText.get(rule);
  if (!hit) {
    hit = parse();
    if (byText.size >= MAX_CACHED_RULES) byText.clear();
    byText.set(rule, hit);
  }
  return hit;
}

/** A request value as a literal: scalars and lists of scalars; objects and other types are null. */
function literal(v: unknown): Literal {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (Array.isArray(v) && v.every((x) => x === null || ["string", "number", "boolean"].includes(typeof x))) return v as Scalar[];
  return null;
}

/** True when `role` has a permission entry for `op` on `collection` (or on `*`). */
export function hasPermission(role: CachedRole | undefined, op: string, collection: string): boolean {
  if (!role) return false;
  if (isAdminRole(role)) return true;
  const c = collection.toLowerCase();
  return role.permissions.some((p) => p.operation === (op as PermissionOp) && (p.collection === "*" || p.collection === c || c === "*"));
}

/**
 * The values a rule may read about `ctx`'s request: `@request.auth.{id,email,role,account_id,
 * verified}`, `@request.method`, `@request.query.<name>`, `@request.headers.<name>` (`_` stands
 * for `-`), `@request.data.<field>` (the body of a create/update), `@request.time.hour` (UTC) and
 * the internal `@request.permission.<op>.<collection>` of `@has_permission`. Unknown paths are
 * undefined (the rule is then invalid).
 */
export function requestLookup(ctx: Context, data?: unknown): ContextLookup {
  const p = ctx.principal;
  const user = p.kind === "user" ? p : undefined;
  const body = typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return (path) => {
    switch (path) {
      case "request.auth.id":
        return user?.userId ?? "";
      case "request.auth.email":
        return user?.email ?? "";
      case "request.auth.role":
        return user ? (callerRole(ctx)?.name ?? user.role) : "";
      case "request.auth.account_id":
        return user ? p.accountId : "";
      case "request.auth.verified":
        return user && "verified" in user && typeof user.verified === "boolean" ? user.verified : false;
      case "request.method":
        return ctx.request?.method ?? "";
      case "request.time.hour":
        return ctx.services.now().getUTCHours();
    }
    const [, scope, rest] = /^request\.(data|query|headers|permission)\.(.+)$/.exec(path) ?? [];
    if (!scope || !rest) return undefined;
    if (scope === "data") return Object.hasOwn(body, rest) ? literal(body[rest]) : null;
    if (scope === "query") {
      const v = ctx.request ? own(ctx.request.query, rest) : undefined;
      return literal(Array.isArray(v) ? v[0] : v);
    }
    if (scope === "headers") {
      const v = ctx.request ? own(ctx.request.headers, rest.toLowerCase().replace(/_/g, "-")) : undefined;
      return literal(Array.isArray(v) ? v[0] : v);
    }
    const m = /^(create|read|update|delete)\.(.+)$/.exec(rest);
    return m ? hasPermission(callerRole(ctx), m[1]!, m[2]!) : undefined;
  };
}

const FIXED_PATHS = new Set(["request.auth.id", "request.auth.email", "request.auth.role", "request.auth.account_id", "request.auth.verified", "request.method", "request.time.hour"]);

/** True for a context path `requestLookup` can bind (rules naming any other are invalid). */
export function isKnownContextPath(path: string): boolean {
  return FIXED_PATHS.has(path) || /^request\.(data|query|headers)\.[A-Za-z0-9_]+$/.test(path) || /^request\.permission\.(create|read|update|delete)\.(\*|[A-Za-z][A-Za-z0-9_]*)$/.test(path);
}

const hasCtx = (e: Expr) => (e.kind === "compare" ? e.left.kind === "ctx" || e.right.kind === "ctx" : e.kind === "isNull" && e.operand.kind === "ctx");

/**
 * Binds and checks a parsed rule. A comparison that involved a request value and cannot be
 * checked (the caller sent `"abc"` where a number is compared) is false, as SnackBase's
 * "incompatible types compare false"; any other problem (unknown field or context value) throws.
 * @throws FilterError
 */
export function bindAndCheck(expr: Expr, lookup: ContextLookup, resolve: FieldResolver): Expr {
  const walked = mapLeaves(expr, (e) => {
    if (!hasCtx(e)) return e;
    // Unknown fields are the rule's fault, not the request's: they make the whole rule invalid.
    for (const o of e.kind === "compare" ? [e.left, e.right] : [e.operand]) {
      if (o.kind === "field" && !resolve(o.name)) throw new FilterError(`unknown field '${o.name}'`);
    }
    const bound = bindContext(e, lookup);
    try {
      return checkExpr(bound, resolve);
    } catch (err) {
      if (err instanceof FilterError) return FALSE;
      throw err;
    }
  });
  return checkExpr(walked, resolve);
}

/**
 * The checked expression `rule` stands for when `ctx` acts on `def` (with the create/update body
 * `data`). A rule that does not parse or no longer fits the collection denies (FALSE) and is
 * logged: a stored rule must never fail open.
 */
export function boundRule(ctx: Context, def: CollectionDef, rule: string, data?: unknown): Expr {
  const parsed = parsedRule(def, rule, ctx.services.now);
  if ("error" in parsed) {
    ctx.log.warn({ collection: def.name, rule, error: parsed.error }, "access rule does not parse; denying");
    return FALSE;
  }
  try {
    return bindAndCheck(parsed.expr, requestLookup(ctx, data), collectionResolver(def));
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    ctx.log.warn({ collection: def.name, rule, error: e.message }, "access rule does not fit the collection; denying");
    return FALSE;
  }
}
