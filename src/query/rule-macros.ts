/**
 * The SnackBase rule macros (compat/snackbase.md §6) as filter AST. Whatever depends only on the
 * caller or the clock is a comparison of a context operand, which the rules engine binds per
 * request and `checkExpr` folds to a constant; whatever depends on the record stays a field
 * comparison, so it compiles to SQL.
 *
 * | macro | AST |
 * |---|---|
 * | `@has_role("x")` | `@request.auth.role = "x"` |
 * | `@has_group("x")` | false (Cairn has no groups) |
 * | `@owns_record()`, `@is_creator()` | `owner_id = @request.auth.id` |
 * | `@is_public()` | `public = true` (the collection needs a bool field `public`) |
 * | `@in_time_range(a, b)` | `@request.time.hour >= a && @request.time.hour < b` (UTC hours; wraps past midnight when a > b) |
 * | `@has_permission("read", "posts")` | `@request.permission.read.posts = true` (the caller's role has a permission entry for it) |
 */
import { FALSE, FilterError, type Expr, type Operand, type Scalar } from "./ast.ts";

export const RULE_MACROS: ReadonlySet<string> = new Set(["has_role", "has_group", "owns_record", "is_creator", "is_public", "in_time_range", "has_permission"]);

/** Operations `@has_permission` accepts (`list`/`view` mean `read`). */
const PERMISSION_OPS: Record<string, string> = { create: "create", read: "read", list: "read", view: "read", update: "update", delete: "delete" };
const COLLECTION = /^(\*|[A-Za-z][A-Za-z0-9_]*)$/;

const ctx = (path: string): Operand => ({ kind: "ctx", path });
const val = (value: Scalar): Operand => ({ kind: "value", value });

/**
 * The AST of macro `name` (lower case, without `@`) applied to literal `args`.
 * @throws FilterError for a wrong argument count or type, naming the macro and `pos`.
 */
export function ruleMacro(name: string, args: Scalar[], pos: number): Expr {
  const fail = (why: string) => new FilterError(`@${name}(): ${why} (at position ${pos})`, pos);
  const arity = (n: number) => {
    if (args.length !== n) throw fail(`takes ${n} argument${n === 1 ? "" : "s"}, got ${args.length}`);
  };
  const text = (i: number): string => {
    const v = args[i];
    if (typeof v !== "string" || v === "") throw fail(`argument ${i + 1} must be a non-empty string`);
    return v;
  };
  switch (name) {
    case "has_role":
      arity(1);
      return { kind: "compare", op: "eq", left: ctx("request.auth.role"), right: val(text(0)) };
    case "has_group":
      arity(1);
      text(0);
      return FALSE;
    case "owns_record":
    case "is_creator":
      arity(0);
      return { kind: "compare", op: "eq", left: { kind: "field", name: "owner_id" }, right: ctx("request.auth.id") };
    case "is_public":
      arity(0);
      return { kind: "compare", op: "eq", left: { kind: "field", name: "public" }, right: val(true) };
    case "in_time_range": {
      arity(2);
      const [start, end] = args.map((v, i) => {
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 24) throw fail(`argument ${i + 1} must be an hour from 0 to 24`);
        return v;
      }) as [number, number];
      const hour = ctx("request.time.hour");
      const from: Expr = { kind: "compare", op: "gte", left: hour, right: val(start) };
      const to: Expr = { kind: "compare", op: "lt", left: hour, right: val(end) };
      return start <= end ? { kind: "and", items: [from, to] } : { kind: "or", items: [from, to] };
    }
    case "has_permission": {
      arity(2);
      const op = PERMISSION_OPS[text(0).toLowerCase()];
      if (!op) throw fail(`argument 1 must be one of ${Object.keys(PERMISSION_OPS).join(", ")}`);
      const collection = text(1);
      if (!COLLECTION.test(collection)) throw fail("argument 2 must be a collection name or '*'");
      return { kind: "compare", op: "eq", left: ctx(`request.permission.${op}.${collection}`), right: val(true) };
    }
    default:
      throw fail("unknown macro");
  }
}
