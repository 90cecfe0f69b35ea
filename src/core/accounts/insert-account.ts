/**
 * The one way a tenant account row is created (SnackBase sign-up, `POST /accounts`, GraphQL):
 * a fresh code like `AB1234` as its id, the slug as given, and whatever the caller adds in the
 * same transaction (e.g. its first admin). A taken slug → 409 `An account with this slug
 * already exists`; a colliding code is retried with a new one.
 */
import { randomInt } from "node:crypto";
import type { Context } from "../context.ts";
import { ConflictError } from "../errors.ts";
import type { Account, Prisma as PrismaNs } from "../../generated/prisma/client.ts";
import { SLUG_TAKEN } from "./slug.ts";

/** The transaction client Prisma hands to `$transaction(async (tx) => …)`. */
export type PrismaTx = PrismaNs.TransactionClient;

/** A SnackBase account code: two capital letters and four digits, e.g. `AB1234`. */
export function accountCode(): string {
  const letter = () => String.fromCharCode(65 + randomInt(26));
  return `${letter()}${letter()}${String(randomInt(10_000)).padStart(4, "0")}`;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}

const slugTaken = (field: string) => new ConflictError(SLUG_TAKEN, { [field]: "already taken" });

/**
 * Creates the account `{name, slug}` and runs `then` in the same transaction.
 * Throws ConflictError (409 `An account with this slug already exists`, detail on `slugField`).
 */
export async function insertAccount<T>(
  ctx: Context,
  input: { name: string; slug: string },
  then: (tx: PrismaTx, account: Account) => Promise<T>,
  slugField = "accountSlug",
): Promise<{ account: Account; result: T }> {
  const { prisma } = ctx.services;
  const taken = async () => (await prisma.account.findUnique({ where: { slug: input.slug }, select: { id: true } })) !== null;
  if (await taken()) throw slugTaken(slugField);
  for (let attempt = 0; ; attempt++) {
    const code = accountCode();
    try {
      return await prisma.$transaction(async (tx) => {
        const account = await tx.account.create({ data: { id: code, code, slug: input.slug, name: input.name } });
        return { account, result: await then(tx, account) };
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // the slug was taken meanwhile (a concurrent sign-up), or the code collided: retry the latter
      if (await taken()) throw slugTaken(slugField);
      if (attempt >= 8) throw e;
    }
  }
}
