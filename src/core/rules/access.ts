/**
 * The seam where collection rules plug in. Every record operation asks `recordAccess` for an
 * expression over the record; list queries AND it into their WHERE (so totals count only
 * permitted rows), single-record operations check it against the row. Today any signed-in
 * user may use records; the rules engine will compile each collection's rule into this AST.
 */
import { TRUE, type Expr } from "../../query/ast.ts";
import { requireSignedIn, type RecordAction } from "../auth/guards.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";

/** Returns the filter a caller's access to `action` on `def` is limited to; throws 401/403 when denied outright. */
export function recordAccess(ctx: Context, _def: CollectionDef, _action: RecordAction): Expr {
  requireSignedIn(ctx);
  return TRUE;
}
