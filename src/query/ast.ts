/**
 * The one filter AST. Every filter syntax (FastCMS/PocketBase expressions, R3 bracket filters,
 * SnackBase `?field=value`, Fullfinity `Q(...)`, GraphQL `where`, permission rules) parses into
 * this shape; `check.ts` resolves it against a collection, `to-sql.ts` compiles it to
 * parameterised SQL for SQLite and PostgreSQL, and `predicate.ts` to an in-memory matcher.
 */

import type { RawBuilder } from "kysely";

export type Scalar = string | number | boolean | null;

/** A literal, or a list literal (`[a, b]`, GraphQL `in`). */
export type Literal = Scalar | Scalar[];

/**
 * Something compared: a field of the record (system fields `id`, `created`, … included),
 * a literal value, or a value from the request context (`@request.auth.id`) that rules
 * bind to a literal before the expression is compiled.
 * `modifier` applies to fields: `lower`/`upper` (case fold), `length` (string or list length).
 */
export type Operand = { kind: "field"; name: string; modifier?: "lower" | "upper" | "length" } | { kind: "value"; value: Literal } | { kind: "ctx"; path: string };

export type CompareOp =
  | "eq"
  | "ne"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  /** substring (LIKE %v% / ILIKE): case-insensitive unless the comparison is `caseSensitive` */
  | "contains"
  | "notContains"
  | "startsWith"
  | "endsWith"
  /** right operand is a list literal */
  | "in"
  | "notIn";

export type Expr =
  | { kind: "and"; items: Expr[] }
  | { kind: "or"; items: Expr[] }
  | { kind: "not"; expr: Expr }
  /**
   * `any: true` is the `?=`-family: the left side is a list (tags, multi-select, multi-reference,
   * file) and the comparison holds when it holds for at least one element.
   */
  /**
   * `caseSensitive: true` makes the substring operators (`contains`, `notContains`, `startsWith`,
   * `endsWith`) match case exactly (Fullfinity `__contains`); without it they fold case (FastCMS
   * `~`, `__icontains`). Other operators always compare exactly and ignore it.
   */
  | { kind: "compare"; op: CompareOp; left: Operand; right: Operand; any?: boolean; caseSensitive?: boolean }
  /** `field = null` / GraphQL `isNull` */
  | { kind: "isNull"; operand: Operand; negate: boolean }
  /** constant true (empty rule, empty where) / constant false */
  | { kind: "const"; value: boolean }
  /**
   * The field's value (with `any`: some element of the list field) is one of the values the
   * one-column sub-select `select` returns (a raw `SELECT …` statement, without parentheses). The core builds it for a filter through a reference
   * (`contact.name ~ "acme"` → `contact` in the ids of the matching contacts the caller may list,
   * core/records/traverse.ts), so the database resolves the path however many records match.
   * SQL only: `toPredicate` refuses it. `reads` names every collection the sub-select reads
   * (caches of the statement's results are forgotten when one of them changes).
   */
  | { kind: "inSelect"; operand: Operand; select: RawBuilder<unknown>; any?: boolean; reads: readonly string[] };

export const TRUE: Expr = { kind: "const", value: true };
export const FALSE: Expr = { kind: "const", value: false };

/** AND of the given expressions, dropping constant-true parts. */
export function and(...items: (Expr | undefined)[]): Expr {
  const parts = items.filter((e): e is Expr => !!e && !(e.kind === "const" && e.value));
  if (parts.some((e) => e.kind === "const" && !e.value)) return FALSE;
  if (parts.length === 0) return TRUE;
  return parts.length === 1 ? parts[0]! : { kind: "and", items: parts };
}

/** Error raised by every parser and by the field check; `position` is a 0-based offset into the source text when known. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = "FilterError";
  }
}

/**
 * The collections the expression's sub-selects read (`inSelect.reads`), besides the one it filters.
 * @example readsOf(and(member, other)) // ["contacts"]
 */
export function readsOf(expr: Expr): string[] {
  const out = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.kind === "and" || e.kind === "or") e.items.forEach(walk);
    else if (e.kind === "not") walk(e.expr);
    else if (e.kind === "inSelect") for (const name of e.reads) out.add(name);
  };
  walk(expr);
  return [...out];
}

/** A comparison or null test: the nodes of an expression that hold operands. */
export type Leaf = Extract<Expr, { kind: "compare" | "isNull" }>;

/**
 * Rebuilds `expr` with every comparison and null test replaced by what `leaf` returns for it;
 * `and`/`or`/`not` are rebuilt around the results (in order), constants are kept.
 * @example mapLeaves(e, (l) => (l.kind === "isNull" ? FALSE : l))
 */
export function mapLeaves(expr: Expr, leaf: (e: Leaf) => Expr): Expr {
  const walk = (e: Expr): Expr => {
    switch (e.kind) {
      case "and":
      case "or":
        return { kind: e.kind, items: e.items.map(walk) };
      case "not":
        return { kind: "not", expr: walk(e.expr) };
      case "compare":
      case "isNull":
        return leaf(e);
      default:
        return e;
    }
  };
  return walk(expr);
}

/** Rebuilds `expr` with every operand replaced by `operand(o)` (left before right). */
export function mapOperands(expr: Expr, operand: (o: Operand) => Operand): Expr {
  return mapLeaves(expr, (e) => (e.kind === "compare" ? { ...e, left: operand(e.left), right: operand(e.right) } : { ...e, operand: operand(e.operand) }));
}
