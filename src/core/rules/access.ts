/**
 * The access seam. Every record operation (REST, GraphQL queries and mutations, subscription
 * events, batch reads) asks `recordAccess` for the expression a caller's access is limited to:
 * list queries AND it into their WHERE (so totals count only permitted rows), single-record
 * operations check the stored row with its predicate. How the expression is decided is in
 * README.md next to this file:
 *
 * 1. superadmins and the system: everything;
 * 2. anonymous callers never create, update or delete (401);
 * 3. the collection's rule for the action, when it is not null (`""` = everyone);
 * 4. otherwise the caller's role permissions (deny by default; the `admin` role has all).
 *
 * An expression that is false whatever the record is a denial: 401 for anonymous callers, 403
 * `Access denied for <op> operation` (audited) for signed-in ones.
 */
import { FALSE, TRUE, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import { audit } from "../audit/audit.ts";
import type { RecordAction } from "../auth/guards.ts";
import type { CollectionDef, CollectionRules } from "../collections/types.ts";
import { isSuperadmin, type Context } from "../context.ts";
import { AppError } from "../errors.ts";
import { notSignedIn } from "../auth/guards.ts";
import { boundRule } from "./bind-rule.ts";
import { callerRole, isAdminRole, type FieldList, type PermissionOp } from "./role-cache.ts";
import { withDraftVisibility } from "../content/visibility.ts";

export const RULE_OF: Record<RecordAction, keyof CollectionRules> = {
  list: "listRule",
  view: "viewRule",
  create: "createRule",
  update: "updateRule",
  delete: "deleteRule",
};
export const PERMISSION_OF: Record<RecordAction, PermissionOp> = { list: "read", view: "read", create: "create", update: "update", delete: "delete" };

/** What the caller is granted for one action: the rows (an expression) and the fields. */
export interface Grant {
  /** checked expression over the record; FALSE when nothing is granted */
  expr: Expr;
  /** fields readable (list/view) or writable (create/update) under this grant */
  fields: "*" | ReadonlySet<string>;
  /** where the grant comes from */
  source: "superadmin" | "collection" | "role" | "none";
}

const WRITES: ReadonlySet<RecordAction> = new Set(["create", "update", "delete"]);

function toFieldSet(list: FieldList | unknown): "*" | Set<string> {
  if (list === "*" || list === undefined || list === null) return "*";
  if (typeof list === "string")
    return list.trim() === "*"
      ? "*"
      : new Set(
          list
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        );
  if (Array.isArray(list) && list.every((x) => typeof x === "string")) return list.includes("*") ? "*" : new Set(list as string[]);
  return new Set(); // malformed option: no field rather than every field
}

/** The collection option restricting fields under its own rule (`list_fields`, …; default every field). */
export function optionFields(def: CollectionDef, action: RecordAction): "*" | Set<string> {
  if (action === "delete") return "*";
  return toFieldSet(def.options[`${action}_fields`]);
}

/**
 * Decides what `ctx` may do for `action` on `def` without throwing (see the module comment).
 * `data` is the create/update body, readable by rules as `@request.data.<field>`.
 */
export function grantFor(ctx: Context, def: CollectionDef, action: RecordAction, data?: unknown): Grant {
  // drafts of a draft-enabled collection only for those who may see them (content/visibility.ts)
  return withDraftVisibility(ctx, def, action, ruleGrant(ctx, def, action, data));
}

function ruleGrant(ctx: Context, def: CollectionDef, action: RecordAction, data?: unknown): Grant {
  if (isSuperadmin(ctx)) return { expr: TRUE, fields: "*", source: "superadmin" };
  if (ctx.principal.kind === "anonymous" && WRITES.has(action)) return { expr: FALSE, fields: new Set(), source: "none" };
  const rule = def[RULE_OF[action]];
  if (rule !== null) return { expr: boundRule(ctx, def, rule, data), fields: optionFields(def, action), source: "collection" };

  const role = callerRole(ctx);
  if (!role) return { expr: FALSE, fields: new Set(), source: "none" };
  if (isAdminRole(role)) return { expr: TRUE, fields: "*", source: "role" };
  const op = PERMISSION_OF[action];
  const name = def.name.toLowerCase();
  const parts: Expr[] = [];
  let fields: "*" | Set<string> = new Set();
  for (const p of role.permissions) {
    if (p.operation !== op || (p.collection !== "*" && p.collection !== name)) continue;
    const expr = boundRule(ctx, def, p.rule, data);
    if (expr.kind === "const" && !expr.value) continue;
    parts.push(expr);
    if (fields !== "*") fields = p.fields === "*" ? "*" : new Set([...fields, ...p.fields]);
  }
  if (parts.length === 0) return { expr: FALSE, fields: new Set(), source: "none" };
  const expr = parts.length === 1 ? parts[0]! : checkExpr({ kind: "or", items: parts }, collectionResolver(def));
  return { expr, fields, source: "role" };
}

/** Writes the `security/permission_denied` audit entry (in the background) for a denial. */
export function auditDenial(ctx: Context, def: CollectionDef, action: RecordAction, message: string, extra: { recordId?: string; details?: Record<string, unknown> } = {}): void {
  void audit(ctx, {
    eventType: "security",
    eventAction: "permission_denied",
    severity: "warning",
    outcome: "failure",
    resourceType: def.name,
    resourceId: extra.recordId ?? null,
    description: `${message} on '${def.name}'`,
    details: { collection: def.name, operation: action, ...extra.details },
  });
}

/**
 * The error for a denied action: 401 for anonymous callers, else 403 `Access denied for
 * <action> operation`, audited as a `security/permission_denied` warning.
 */
export function accessDenied(ctx: Context, def: CollectionDef, action: RecordAction, extra: { recordId?: string; details?: Record<string, unknown> } = {}): AppError {
  if (ctx.principal.kind === "anonymous") return notSignedIn(ctx);
  const message = `Access denied for ${action} operation`;
  auditDenial(ctx, def, action, message, extra);
  return new AppError("FORBIDDEN", 403, message, { collection: def.name, operation: action, ...extra.details });
}

/**
 * Returns the (checked) expression `ctx`'s access to `action` on `def` is limited to: TRUE when
 * every record is allowed, else a condition over the record for SQL or the predicate compiler.
 * Pass the create/update body as `data` so rules can read `@request.data.<field>`.
 * @throws UnauthenticatedError (401) for anonymous callers denied outright (and for any
 *   anonymous create/update/delete); AppError FORBIDDEN (403) for signed-in callers.
 * @example const access = recordAccess(ctx, def, "list"); // AND into the WHERE
 */
export function recordAccess(ctx: Context, def: CollectionDef, action: RecordAction, data?: unknown): Expr {
  const { expr } = grantFor(ctx, def, action, data);
  if (expr.kind === "const" && !expr.value) throw accessDenied(ctx, def, action);
  return expr;
}
