/**
 * `updateMe`: the signed-in user changes their name, e-mail or avatar. A new e-mail address is
 * unverified until confirmed: outstanding verification tokens die and a new one is mailed.
 */
import type { Context } from "../context.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { notSignedIn } from "./guards.ts";
import { audit } from "../audit/audit.ts";
import { emailProblem, normalizeEmail } from "./email.ts";
import { isUniqueViolation, NAME_MAX_LENGTH } from "./register.ts";
import { toAuthAccount, toAuthUser, type AuthAccount, type AuthUser } from "./session.ts";
import { sendVerificationTo } from "./verification.ts";

export interface UpdateMeInput {
  name?: string | null;
  email?: string | null;
  /** URL or file id; null clears it */
  avatar?: string | null;
}

export const AVATAR_MAX_LENGTH = 2048;

/**
 * Applies the given fields (absent ones stay). Throws UnauthenticatedError (401) when nobody
 * (or an API key without the user behind it) is signed in, ValidationError (422) for a bad
 * e-mail, name or avatar, ConflictError (409) when the e-mail is taken in the account.
 */
export async function updateMe(ctx: Context, input: UpdateMeInput): Promise<{ user: AuthUser; account: AuthAccount }> {
  const p = ctx.principal;
  if (p.kind !== "user") throw notSignedIn(ctx);
  const { prisma } = ctx.services;
  const current = await prisma.user.findUnique({ where: { id: p.userId } });
  if (!current || !current.isActive) throw notSignedIn(ctx);

  const data: { name?: string | null; email?: string; avatar?: string | null; verified?: boolean; verifiedAt?: Date | null } = {};
  const fields: Record<string, string> = {};
  if (input.name !== undefined) {
    const name = input.name?.trim() || null;
    if (name && name.length > NAME_MAX_LENGTH) fields.name = `must be at most ${NAME_MAX_LENGTH} characters long`;
    data.name = name;
  }
  if (input.avatar !== undefined) {
    const avatar = input.avatar?.trim() || null;
    if (avatar && avatar.length > AVATAR_MAX_LENGTH) fields.avatar = `must be at most ${AVATAR_MAX_LENGTH} characters long`;
    data.avatar = avatar;
  }
  let emailChanged = false;
  if (input.email != null) {
    const email = normalizeEmail(input.email);
    const problem = emailProblem(email);
    if (problem) fields.email = problem;
    else if (email !== current.email) {
      emailChanged = true;
      Object.assign(data, { email, verified: false, verifiedAt: null });
    }
  }
  const entries = Object.entries(fields);
  if (entries.length) throw new ValidationError(`Invalid ${entries.map(([f, m]) => `${f}: ${m}`).join("; ")}`, fields);

  const conflict = () => new ConflictError("Email already registered", { email: "already registered" });
  let row;
  try {
    row = await prisma.$transaction(async (tx) => {
      if (emailChanged) await tx.authToken.updateMany({ where: { userId: current.id, kind: "verify_email", usedAt: null }, data: { usedAt: ctx.services.now() } });
      return tx.user.update({ where: { id: current.id }, data, include: { account: true } });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict();
    throw e;
  }
  if (emailChanged) await sendVerificationTo(ctx, row);
  audit(ctx, {
    eventType: "user",
    eventAction: "update",
    resourceType: "user",
    resourceId: row.id,
    details: { fields: Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined) },
  });
  return { user: toAuthUser(row), account: toAuthAccount(row.account) };
}
