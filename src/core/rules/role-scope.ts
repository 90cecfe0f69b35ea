/**
 * What a role set may ever do with a collection, whatever the record and whoever in the set asks:
 * the static part of access (access.ts decides each request exactly). Schemas per role set
 * (GraphQL) are built from it: an action is in scope unless the caller's grant for it is false
 * for every member of the set, and its fields are the grant's fields.
 *
 * A role set is the superadmin (everything), the anonymous caller, or one role (its members).
 * Deciding "false for every member" folds each rule three-valued: parts that only depend on the
 * role (`@request.auth.role`, `@has_role`, `@has_permission`) — and for anonymous callers every
 * `@request.auth.*` value, which is empty for them all — are bound and decided; parts that
 * depend on the record or on the request (`owner_id = @request.auth.id`, headers, the hour,
 * `@request.data`) may hold, so they never take an action out of scope. A rule that does not
 * parse or fit the collection denies, as at run time.
 */
import { FilterError, type Expr, type Leaf } from "../../query/ast.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { RecordAction } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Principal } from "../context.ts";
import { bindAndCheck, hasPermission, parsedRule } from "./bind-rule.ts";
import { optionFields, PERMISSION_OF, RULE_OF } from "./access.ts";
import { isAdminRole, type CachedRole } from "./role-cache.ts";
import type { FieldSet } from "./field-access.ts";

/** Who a schema is for: everything, anonymous callers, or the members of one role. */
export type RoleSet = { kind: "all" } | { kind: "anonymous" } | { kind: "role"; role: CachedRole | undefined };

/** One action in scope (with its fields: readable for list/view, writable for create/update) or not. */
export type ActionScope = { allowed: false } | { allowed: true; fields: FieldSet };

export type CollectionScope = Record<RecordAction, ActionScope>;

const ACTIONS: readonly RecordAction[] = ["list", "view", "create", "update", "delete"];
const ALL: ActionScope = { allowed: true, fields: "*" };
const NONE: ActionScope = { allowed: false };

/** The role set a principal belongs to (`role` is its role, resolved by the caller). */
export function roleSetOf(principal: Principal, role: CachedRole | undefined): RoleSet {
  if (principal.kind === "system" || (principal.kind === "user" && principal.superadmin)) return { kind: "all" };
  if (principal.kind === "anonymous") return { kind: "anonymous" };
  return { kind: "role", role };
}

/** A stable key for a role set (`all`, `anonymous`, `role:3`; `role:none` for an unknown role). */
export function roleSetKey(set: RoleSet): string {
  return set.kind === "role" ? `role:${set.role?.id ?? "none"}` : set.kind;
}

type Tri = boolean | "maybe";

const ROLE_PATHS = /^request\.(auth\.role|permission\.)/;

function ctxPaths(leaf: Leaf): string[] {
  const ops = leaf.kind === "compare" ? [leaf.left, leaf.right] : [leaf.operand];
  return ops.flatMap((o) => (o.kind === "ctx" ? [o.path] : []));
}

/** The rule's value for every member of `set`: true, false, or "maybe" (depends on the record or request). */
function ruleValue(def: CollectionDef, rule: string, set: Exclude<RoleSet, { kind: "all" }>, now: () => Date): Tri {
  const parsed = parsedRule(def, rule, now);
  if ("error" in parsed) return false;
  const role = set.kind === "role" ? set.role : undefined;
  const known = (path: string) => ROLE_PATHS.test(path) || (set.kind === "anonymous" && path.startsWith("request.auth."));
  const lookup = (path: string) => {
    if (path === "request.auth.role") return role?.name ?? "";
    if (path.startsWith("request.auth.")) return path === "request.auth.verified" ? false : "";
    const m = /^request\.permission\.(create|read|update|delete)\.(.+)$/.exec(path);
    if (m) return hasPermission(role, m[1]!, m[2]!);
    // Request-dependent values: bound to something only to check the rule fits the collection.
    return "";
  };
  const resolve = collectionResolver(def);
  try {
    bindAndCheck(parsed.expr, lookup, resolve);
  } catch (e) {
    if (e instanceof FilterError) return false;
    throw e;
  }
  const walk = (e: Expr): Tri => {
    switch (e.kind) {
      case "const":
        return e.value;
      case "not": {
        const v = walk(e.expr);
        return v === "maybe" ? v : !v;
      }
      case "and": {
        const vs = e.items.map(walk);
        return vs.includes(false) ? false : vs.every((v) => v === true) ? true : "maybe";
      }
      case "or": {
        const vs = e.items.map(walk);
        return vs.includes(true) ? true : vs.every((v) => v === false) ? false : "maybe";
      }
      case "inSelect":
        // a sub-select built by reference traversal, never written in a rule
        return "maybe";
      default: {
        if (!ctxPaths(e).every(known)) return "maybe";
        const bound = bindAndCheck(e, lookup, resolve);
        return bound.kind === "const" ? bound.value : "maybe";
      }
    }
  };
  return walk(parsed.expr);
}

function actionScope(def: CollectionDef, action: RecordAction, set: Exclude<RoleSet, { kind: "all" }>, now: () => Date): ActionScope {
  if (set.kind === "anonymous" && (action === "create" || action === "update" || action === "delete")) return NONE;
  const rule = def[RULE_OF[action]];
  if (rule !== null) {
    if (ruleValue(def, rule, set, now) === false) return NONE;
    return { allowed: true, fields: optionFields(def, action) };
  }
  const role = set.kind === "role" ? set.role : undefined;
  if (!role) return NONE;
  if (isAdminRole(role)) return ALL;
  const op = PERMISSION_OF[action];
  const name = def.name.toLowerCase();
  let fields: FieldSet | undefined;
  for (const p of role.permissions) {
    if (p.operation !== op || (p.collection !== "*" && p.collection !== name)) continue;
    if (ruleValue(def, p.rule, set, now) === false) continue;
    fields = fields === "*" || p.fields === "*" ? "*" : new Set([...(fields ?? []), ...p.fields]);
  }
  return fields === undefined ? NONE : { allowed: true, fields };
}

/**
 * What `set` may ever do with `def`, per action (see the module comment). Never throws.
 * @example collectionScope(def, { kind: "anonymous" }, () => new Date()).list.allowed
 */
export function collectionScope(def: CollectionDef, set: RoleSet, now: () => Date): CollectionScope {
  const out = {} as CollectionScope;
  for (const a of ACTIONS) out[a] = set.kind === "all" ? ALL : actionScope(def, a, set, now);
  return out;
}
