/**
 * Who a write is attributed to: the signed-in user, or nobody (API keys, the system). Stored as
 * `owner_id` on create and `updated_by` on every write.
 */
import type { Context } from "../context.ts";

export function writerOf(ctx: Context): string | null {
  return ctx.principal.kind === "user" ? ctx.principal.userId : null;
}
