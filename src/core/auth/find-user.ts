/**
 * How a sign-in identifies a user: an e-mail address plus, optionally, an account (SnackBase
 * slug, code or id). Without an account: the user of the default account, else a superadmin
 * with that address in any account.
 */
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";

/** The user (with its account) an e-mail and optional account name; null when there is none. */
export async function findLoginUser(ctx: Context, email: string, account: string | null | undefined) {
  const { prisma } = ctx.services;
  const include = { account: true } as const;
  if (!email) return null;
  if (account) {
    return prisma.user.findFirst({ where: { email, account: { OR: [{ slug: account }, { id: account }, { code: account }] } }, include });
  }
  const candidates = await prisma.user.findMany({
    where: { email, OR: [{ accountId: DEFAULT_ACCOUNT_ID }, { superadmin: true }] },
    include,
    orderBy: { created: "asc" },
    take: 10,
  });
  return candidates.find((u) => u.accountId === DEFAULT_ACCOUNT_ID) ?? candidates[0] ?? null;
}
