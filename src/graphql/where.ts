/**
 * The GraphQL `where` input (`PostWhere`) as one more parser of the filter AST:
 * `{ AND: [...], OR: [...], NOT: {...}, title: { contains: "x" }, views: { gt: 10 } }` → Expr.
 * Keys of one object are ANDed. Field names are the record's field names, plus the system
 * fields (`id`, `ownerId` → `owner_id`, `created`, `updated`, `version`: query/system-fields.ts). The result is
 * unchecked: the core checks it against the collection (`checkExpr`) like any other filter.
 */
import { SYSTEM_FIELDS } from "../query/system-fields.ts";
import { and, FilterError, type CompareOp, type Expr, type Literal, type Scalar } from "../query/ast.ts";
import { own } from "../lib/own.ts";

/** Operators of the per-field filter inputs (StringFilter, FloatFilter, …, StringListFilter). */
export type FieldFilter = {
  eq?: Scalar;
  ne?: Scalar;
  in?: Scalar[] | null;
  notIn?: Scalar[] | null;
  contains?: string | null;
  startsWith?: string | null;
  endsWith?: string | null;
  gt?: Scalar;
  gte?: Scalar;
  lt?: Scalar;
  lte?: Scalar;
  isNull?: boolean | null;
  /** list fields: at least one element equals */
  has?: Scalar;
  /** list fields: at least one element is in the list */
  hasSome?: Scalar[] | null;
};

export type WhereInput = {
  AND?: WhereInput[] | null;
  OR?: WhereInput[] | null;
  NOT?: WhereInput | null;
  [field: string]: unknown;
};

/** GraphQL field name → record field name (only where they differ), from the system-field table. */
export const GRAPHQL_TO_FIELD: ReadonlyMap<string, string> = new Map(SYSTEM_FIELDS.flatMap((f) => (f.graphqlName && f.graphqlName !== f.name ? [[f.graphqlName, f.name] as const] : [])));

const MAX_DEPTH = 32;
const COMPARE_OPS: Record<string, CompareOp> = {
  eq: "eq",
  ne: "ne",
  in: "in",
  notIn: "notIn",
  contains: "contains",
  startsWith: "startsWith",
  endsWith: "endsWith",
  gt: "gt",
  gte: "gte",
  lt: "lt",
  lte: "lte",
};

function fieldFilter(name: string, filter: FieldFilter): Expr[] {
  const left = { kind: "field" as const, name };
  const out: Expr[] = [];
  for (const [key, raw] of Object.entries(filter)) {
    if (raw === undefined) continue;
    if (key === "isNull") {
      if (raw === null) continue;
      out.push({ kind: "isNull", operand: left, negate: raw === false });
      continue;
    }
    if (key === "has" || key === "hasSome") {
      if (raw === null) throw new FilterError(`${name}.${key} must not be null`);
      out.push({ kind: "compare", op: key === "has" ? "eq" : "in", left, right: { kind: "value", value: raw as Literal }, any: true });
      continue;
    }
    const op = own(COMPARE_OPS, key);
    if (!op) throw new FilterError(`unknown operator '${key}' for field '${name}'`);
    // eq/ne null mean "is null"/"is not null"; every other operator needs a value.
    if (raw === null && op !== "eq" && op !== "ne") throw new FilterError(`${name}.${key} must not be null`);
    out.push({ kind: "compare", op, left, right: { kind: "value", value: raw as Literal } });
  }
  return out;
}

/**
 * Parses a `where` input into the filter AST (`undefined`/`null` → constant true).
 * @throws FilterError for null list operands, unknown operators, or nesting deeper than 32.
 * @example whereToExpr({ views: { gt: 10 }, OR: [{ published: { eq: true } }] })
 */
export function whereToExpr(where: WhereInput | null | undefined, depth = 0): Expr {
  if (where == null) return and();
  if (depth > MAX_DEPTH) throw new FilterError(`where is nested too deeply (max ${MAX_DEPTH})`);
  const parts: Expr[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === "AND" || key === "OR") {
      if (value === null) continue;
      const items = (value as WhereInput[]).map((w) => whereToExpr(w, depth + 1));
      // An empty OR matches nothing; an empty AND everything (Prisma's reading).
      parts.push(key === "AND" ? and(...items) : items.length === 0 ? { kind: "const", value: false } : { kind: "or", items });
    } else if (key === "NOT") {
      if (value === null) continue;
      parts.push({ kind: "not", expr: whereToExpr(value as WhereInput, depth + 1) });
    } else {
      if (value === null) continue;
      parts.push(...fieldFilter(GRAPHQL_TO_FIELD.get(key) ?? key, value as FieldFilter));
    }
  }
  return and(...parts);
}
