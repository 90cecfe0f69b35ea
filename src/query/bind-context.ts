/**
 * Binds `@request.*` context operands (`{kind: "ctx"}`) to literals, the step between parsing a
 * rule and checking it.
 */
import { FilterError, mapOperands, type Expr, type Literal } from "./ast.ts";

/**
 * Returns the value of a context path (`"request.auth.id"`); `undefined` for a path that does
 * not exist. Choose what an absent value binds to with care: null turns `owner_id =
 * @request.auth.id` into `owner_id IS NULL`, and `@request.auth.id != ""` into true (null-safe
 * `!=`); PocketBase binds a missing auth id as `""`.
 */
export type ContextLookup = (path: string) => Literal | undefined;

/**
 * Replaces every ctx operand of `expr` with the literal `lookup` gives for its path.
 * @throws FilterError `unknown context value '@request.x'` when `lookup` returns undefined.
 * @example bindContext(parseExpression("owner_id = @request.auth.id"), (p) => p === "request.auth.id" ? uid : undefined)
 */
export function bindContext(expr: Expr, lookup: ContextLookup): Expr {
  return mapOperands(expr, (o) => {
    if (o.kind !== "ctx") return o;
    const value = lookup(o.path);
    if (value === undefined) throw new FilterError(`unknown context value '@${o.path}'`);
    return { kind: "value", value };
  });
}
