/**
 * Write-time validation of rule text, so a rule that can never work is refused when it is
 * stored (collection create/update, role permissions) instead of silently denying later.
 */
import { FilterError, type Expr } from "../../query/ast.ts";
import { bindContext } from "../../query/bind-context.ts";
import { collectionResolver } from "../../query/fields.ts";
import { parseRule } from "../../query/parse-rule.ts";
import type { CollectionDef } from "../collections/types.ts";
import { bindAndCheck, isKnownContextPath } from "./bind-rule.ts";

/** Longest rule accepted anywhere. */
export const MAX_RULE_LENGTH = 4000;

/**
 * Why `rule` is not usable, or null when it is: a syntax error (with its position), an unknown
 * `@request` value, and — when `def` is given — an unknown field or an operator the field's type
 * does not support. Without `def` (permissions on `*`) only syntax and request values are checked.
 * `null` and `""` rules are always valid (superadmin only / public).
 * @example ruleProblem("status in ['a'", def) // "unexpected end of expression at position 13 …"
 */
export function ruleProblem(rule: string | null, def?: Pick<CollectionDef, "fields">): string | null {
  if (rule === null) return null;
  if (typeof rule !== "string") return "must be a string or null";
  if (rule.length > MAX_RULE_LENGTH) return `must be at most ${MAX_RULE_LENGTH} characters`;
  let expr: Expr;
  try {
    expr = parseRule(rule, { maxLength: MAX_RULE_LENGTH });
  } catch (e) {
    if (e instanceof FilterError) return e.message;
    throw e;
  }
  const probe = (path: string) => (isKnownContextPath(path) ? "" : undefined);
  try {
    if (def) bindAndCheck(expr, probe, collectionResolver(def));
    else bindContext(expr, probe);
  } catch (e) {
    if (e instanceof FilterError) return e.message;
    throw e;
  }
  return null;
}
