/**
 * `register`: FastCMS-style sign-up into the default account (role `user`), answering a session.
 */
import { v7 as uuidv7 } from "uuid";
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { emailProblem, normalizeEmail } from "./email.ts";
import { hashPassword, passwordProblems } from "./passwords.ts";
import { issueSession, toAuthAccount, type AuthSession } from "./session.ts";

export interface RegisterInput {
  email: string;
  password: string;
  /** optional; when sent it must equal `password` */
  password_confirm?: string | null;
  name?: string | null;
}

export const NAME_MAX_LENGTH = 255;

/** True for Prisma's unique-constraint violation (P2002), from either generated client. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}

/**
 * Creates a user in the default account and signs them in.
 * Throws ValidationError (422) naming each bad field (email format, password rule, confirmation,
 * name length) and ConflictError (409) when the e-mail is already registered in the account.
 */
export async function register(ctx: Context, input: RegisterInput): Promise<AuthSession> {
  const { prisma } = ctx.services;
  const email = normalizeEmail(input.email);
  const name = input.name?.trim() || null;
  const fields: Record<string, string> = {};
  const emailIssue = emailProblem(email);
  if (emailIssue) fields.email = emailIssue;
  const pwIssues = passwordProblems(input.password);
  if (pwIssues.length) fields.password = pwIssues.join("; ");
  if (input.password_confirm != null && input.password_confirm !== input.password) fields.password_confirm = "does not match password";
  if (name && name.length > NAME_MAX_LENGTH) fields.name = `must be at most ${NAME_MAX_LENGTH} characters long`;
  const entries = Object.entries(fields);
  if (entries.length) throw new ValidationError(`Invalid ${entries.map(([f, m]) => `${f}: ${m}`).join("; ")}`, fields);

  const account = await prisma.account.findUnique({ where: { id: DEFAULT_ACCOUNT_ID } });
  if (!account) throw new NotFoundError(`Account '${DEFAULT_ACCOUNT_ID}' not found`);
  const duplicate = () => new ConflictError("Email already registered", { email: "already registered" });
  if (await prisma.user.findUnique({ where: { accountId_email: { accountId: account.id, email } }, select: { id: true } })) throw duplicate();

  const passwordHash = await hashPassword(input.password);
  let user;
  try {
    user = await prisma.user.create({
      data: { id: uuidv7(), accountId: account.id, email, passwordHash, name, role: "user", superadmin: false, verified: false },
    });
  } catch (e) {
    // Two concurrent sign-ups with the same address: the unique index decides.
    if (isUniqueViolation(e)) throw duplicate();
    throw e;
  }
  ctx.log.info({ userId: user.id, accountId: account.id }, "user registered");
  return issueSession(ctx, user, toAuthAccount(account));
}
