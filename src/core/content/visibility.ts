/**
 * Who sees drafts. In a collection with the `drafts` option, callers who may not see drafts —
 * everyone but superadmins and members of the admin role — read only published documents: the
 * rules seam (rules/access.ts) ANDs `status = "published"` into their list and view grants, so
 * every path (REST dialects, GraphQL, subscriptions, batch reads) hides drafts alike and totals
 * count only what the caller sees.
 */
import { and, type Expr } from "../../query/ast.ts";
import { checkExpr } from "../../query/check.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { RecordAction } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import { isSuperadmin, type Context } from "../context.ts";
import type { Grant } from "../rules/access.ts";
import { callerRole, isAdminRole } from "../rules/role-cache.ts";
import { CONTENT_FIELD, contentOptions } from "./options.ts";

/** True when the caller may read drafts (superadmins, the admin role). */
export function canSeeDrafts(ctx: Context): boolean {
  return isSuperadmin(ctx) || isAdminRole(callerRole(ctx));
}

/** The condition "the document is published" (unchecked AST). */
export const PUBLISHED: Expr = { kind: "compare", op: "eq", left: { kind: "field", name: CONTENT_FIELD.status }, right: { kind: "value", value: "published" } };

/** The grant limited to published documents when the caller may not see drafts of `def`. */
export function withDraftVisibility(ctx: Context, def: CollectionDef, action: RecordAction, grant: Grant): Grant {
  if ((action !== "list" && action !== "view") || !contentOptions(def).drafts || grant.source === "superadmin") return grant;
  if (grant.expr.kind === "const" && !grant.expr.value) return grant;
  if (canSeeDrafts(ctx)) return grant;
  return { ...grant, expr: checkExpr(and(grant.expr, PUBLISHED), collectionResolver(def)) };
}
