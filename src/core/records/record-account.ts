/**
 * The account a caller's records live in (every record operation is scoped to
 * `principal.accountId`): its id and name, which the SnackBase record shape carries as
 * `account_id` and `account_name`. One indexed read by primary key per request, never per record.
 */
import type { Context } from "../context.ts";

export interface RecordAccount {
  id: string;
  name: string;
}

/**
 * The caller's record account. Never throws for a missing row (an account deleted while a token
 * is still valid): the name is then empty and the records are scoped to the id all the same.
 */
export async function recordAccount(ctx: Context): Promise<RecordAccount> {
  const id = ctx.principal.accountId;
  const row = await ctx.services.prisma.account.findUnique({ where: { id }, select: { id: true, name: true } });
  return { id, name: row?.name ?? "" };
}
