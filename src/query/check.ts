/**
 * The field check: resolves every field of an expression against a collection, coerces literals
 * to the field's kind, rejects operators that make no sense for it, and folds comparisons that
 * involve no field (after context binding: `'admin' = 'admin'`) into constants.
 */
import { FALSE, FilterError, TRUE, type Expr } from "./ast.ts";
import { checkCompare, resolveOperand, unbound } from "./check-compare.ts";
import type { FieldResolver } from "./fields.ts";

/** Guards against hostile ASTs from any parser (the expression parser has stricter limits). */
export interface CheckLimits {
  /** maximum nesting of and/or/not (default 64) */
  maxDepth?: number;
  /** maximum number of comparisons (default 1000) */
  maxComparisons?: number;
  /** maximum items of one list literal, `in [...]` (default 1000; PostgreSQL binds at most 65535 parameters) */
  maxListItems?: number;
}

/**
 * Checks `expr` against a collection and returns the checked expression, in which:
 * - every `compare` has a field on the left (value-on-left comparisons are mirrored), and on the
 *   right either a literal coerced to the field's kind or another field of the same kind;
 * - `eq`/`ne` against a list literal became `in`/`notIn`, against null became `isNull`;
 * - comparisons without fields and constant branches are folded (`and`/`or` simplified).
 * `toSql` and `toPredicate` expect this shape.
 * @throws FilterError for an unknown field (`unknown field 'x'`), a relation path, an operator the
 *   field's kind does not support, a literal that cannot be coerced, an `any` operator on a non-list
 *   field, an unbound `@request` value, or an expression beyond the limits.
 */
export function checkExpr(expr: Expr, resolve: FieldResolver, limits: CheckLimits = {}): Expr {
  const maxDepth = limits.maxDepth ?? 64;
  const maxComparisons = limits.maxComparisons ?? 1000;
  const maxListItems = limits.maxListItems ?? 1000;
  let comparisons = 0;

  const walk = (e: Expr, depth: number): Expr => {
    if (depth > maxDepth) throw new FilterError(`filter is nested too deeply (max ${maxDepth})`);
    switch (e.kind) {
      case "const":
        return e;
      case "and":
      case "or":
        return simplify(
          e.kind,
          e.items.map((item) => walk(item, depth + 1)),
        );
      case "not": {
        const inner = walk(e.expr, depth + 1);
        if (inner.kind === "const") return inner.value ? FALSE : TRUE;
        return inner.kind === "not" ? inner.expr : { kind: "not", expr: inner };
      }
      case "isNull":
      case "compare":
        if (++comparisons > maxComparisons) {
          throw new FilterError(`filter has too many comparisons (max ${maxComparisons})`);
        }
        if (e.kind === "isNull") return checkIsNull(e, resolve);
        for (const o of [e.left, e.right]) {
          if (o.kind === "value" && Array.isArray(o.value) && o.value.length > maxListItems) {
            throw new FilterError(`list has too many items (${o.value.length}, max ${maxListItems})`);
          }
        }
        return checkCompare(e, resolve);
      case "inSelect":
        if (++comparisons > maxComparisons) throw new FilterError(`filter has too many comparisons (max ${maxComparisons})`);
        return checkInSelect(e, resolve);
    }
  };
  return walk(expr, 0);
}

function checkIsNull(e: Extract<Expr, { kind: "isNull" }>, resolve: FieldResolver): Expr {
  const o = e.operand;
  if (o.kind === "ctx") throw unbound(o.path);
  if (o.kind === "value") return (o.value === null) !== e.negate ? TRUE : FALSE;
  return { kind: "isNull", operand: resolveOperand(o, resolve).operand, negate: e.negate };
}

function checkInSelect(e: Extract<Expr, { kind: "inSelect" }>, resolve: FieldResolver): Expr {
  const o = e.operand;
  if (o.kind !== "field" || o.modifier) throw new FilterError("the left side of a sub-select match must be a plain field");
  const r = resolveOperand(o, resolve);
  if (r.list !== !!e.any) throw new FilterError(`field '${r.info.name}' ${r.list ? "is" : "is not"} a list: its sub-select match must ${r.list ? "" : "not "}test elements`);
  if (r.kind !== "text" && !r.list) throw new FilterError(`field '${r.info.name}' (${r.kind}) cannot be matched against record ids`);
  return { ...e, operand: r.operand };
}

/** Flattens nested same-kind groups and folds constants out of an and/or. */
function simplify(kind: "and" | "or", items: Expr[]): Expr {
  const absorbing = kind === "or"; // or: TRUE absorbs; and: FALSE absorbs
  const out: Expr[] = [];
  for (const item of items) {
    if (item.kind === "const") {
      if (item.value === absorbing) return item;
      continue;
    }
    if (item.kind === kind) out.push(...item.items);
    else out.push(item);
  }
  if (out.length === 0) return absorbing ? FALSE : TRUE;
  return out.length === 1 ? out[0]! : { kind, items: out };
}
