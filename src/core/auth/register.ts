/**
 * Sign-up in both flavours (compat/snackbase.md §9):
 * - FastCMS `{email, password, password_confirm?, name?}` → a `user` of the default account,
 *   FastCMS password rule;
 * - SnackBase `{account_name, account_slug?, email, password}` → a new tenant account (id = a
 *   code like `AB1234`) whose first user is its `admin` (role 1, not a superadmin), SnackBase
 *   password rule. The slug is derived from the name as SnackBase does (accounts/slug.ts); a
 *   taken slug, given or derived, is a 409 `An account with this slug already exists`.
 * Both send a verification mail. FastCMS sign-up hands back tokens unless the setting
 * `verification_required` says the address must be verified first; SnackBase sign-up never does
 * (spec 003: the address must be verified before the first login).
 */
import { v7 as uuidv7 } from "uuid";
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { emailProblem, normalizeEmail } from "./email.ts";
import { hashPassword, passwordProblems, strongPasswordProblems, PasswordPolicyError } from "./passwords.ts";
import { ADMIN_ROLE_ID, USER_ROLE_ID, issueSession, toAuthAccount, toAuthUser, type AuthAccount, type AuthSession, type AuthUser, type TokenPair } from "./session.ts";
import { sendVerificationTo, verificationNeeded } from "./verification.ts";
import { insertAccount } from "../accounts/insert-account.ts";
import { slugFor } from "../accounts/slug.ts";

export interface RegisterInput {
  email: string;
  password: string;
  /** optional; when sent it must equal `password` */
  passwordConfirm?: string | null;
  name?: string | null;
  /** SnackBase: name of the new account (1–255); its presence (or accountSlug's) selects that flavour */
  accountName?: string | null;
  /** SnackBase: 3–32 of a-z, 0-9 and `-`; generated from the name when absent */
  accountSlug?: string | null;
}

export interface SignUpResult {
  user: AuthUser;
  account: AuthAccount;
  /** null when the address must be verified before the first login */
  tokens: TokenPair | null;
  message: string;
}

export const NAME_MAX_LENGTH = 255;

/** True for Prisma's unique-constraint violation (P2002), from either generated client. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}

/** True when the body asks for SnackBase sign-up (a new tenant account). */
export function isAccountSignUp(input: RegisterInput): boolean {
  return input.accountName != null || input.accountSlug != null;
}

function fail(fields: Record<string, string>): void {
  const entries = Object.entries(fields);
  if (entries.length) throw new ValidationError(`Invalid ${entries.map(([f, m]) => `${f}: ${m}`).join("; ")}`, fields);
}

/**
 * Signs a user up (flavour chosen by the body, see module doc). Throws ValidationError (422) for
 * a bad e-mail, name, account name/slug or confirmation, ValidationError (FastCMS rule) or
 * PasswordPolicyError (SnackBase rule, `details` names each rule code) for a weak password, and
 * ConflictError (409) for a registered e-mail or a taken slug.
 */
export async function signUp(ctx: Context, input: RegisterInput): Promise<SignUpResult> {
  const created = isAccountSignUp(input) ? await createAccountWithAdmin(ctx, input) : await createDefaultAccountUser(ctx, input);
  const { user, account } = created;
  const mustVerify = !user.verified && verificationNeeded(ctx, user);
  await sendVerificationTo(ctx, user);
  audit(ctx, {
    eventType: "user",
    eventAction: "create",
    userId: user.id,
    userEmail: user.email,
    resourceType: "user",
    resourceId: user.id,
    description: "registered",
    details: { account_id: account.id },
  });
  if (mustVerify) {
    return { user: toAuthUser(user), account, tokens: null, message: "Registration successful. Please check your email to verify your account." };
  }
  const session = await issueSession(ctx, user, account);
  return { user: session.user, account, tokens: session, message: "Registration successful" };
}

/**
 * FastCMS sign-up kept for callers that need a session (GraphQL `register`): like signUp, but
 * throws UnauthenticatedError (401 `Email not verified`) after creating the user when the
 * setting `verification_required` holds back the tokens.
 */
export async function register(ctx: Context, input: RegisterInput): Promise<AuthSession> {
  const r = await signUp(ctx, input);
  if (!r.tokens) throw new UnauthenticatedError("Email not verified");
  return { ...r.tokens, user: r.user, account: r.account };
}

function commonChecks(input: RegisterInput, email: string, name: string | null): Record<string, string> {
  const fields: Record<string, string> = {};
  const emailIssue = emailProblem(email);
  if (emailIssue) fields.email = emailIssue;
  if (input.passwordConfirm != null && input.passwordConfirm !== input.password) fields.passwordConfirm = "does not match password";
  if (name && name.length > NAME_MAX_LENGTH) fields.name = `must be at most ${NAME_MAX_LENGTH} characters long`;
  return fields;
}

async function createDefaultAccountUser(ctx: Context, input: RegisterInput) {
  const { prisma } = ctx.services;
  const email = normalizeEmail(input.email);
  const name = input.name?.trim() || null;
  const fields = commonChecks(input, email, name);
  const pwIssues = passwordProblems(input.password);
  if (pwIssues.length) fields.password = pwIssues.join("; ");
  fail(fields);

  const account = await prisma.account.findUnique({ where: { id: DEFAULT_ACCOUNT_ID } });
  if (!account) throw new NotFoundError(`Account '${DEFAULT_ACCOUNT_ID}' not found`);
  const duplicate = () => new ConflictError("Email already registered", { email: "already registered" });
  if (await prisma.user.findUnique({ where: { accountId_email: { accountId: account.id, email } }, select: { id: true } })) throw duplicate();

  const passwordHash = await hashPassword(input.password);
  try {
    const user = await prisma.user.create({
      data: { id: uuidv7(), accountId: account.id, email, passwordHash, name, role: "user", roleId: USER_ROLE_ID, superadmin: false, verified: false },
    });
    ctx.log.info({ userId: user.id, accountId: account.id }, "user registered");
    return { user, account: toAuthAccount(account) };
  } catch (e) {
    // Two concurrent sign-ups with the same address: the unique index decides.
    if (isUniqueViolation(e)) throw duplicate();
    throw e;
  }
}

async function createAccountWithAdmin(ctx: Context, input: RegisterInput) {
  const email = normalizeEmail(input.email);
  const name = input.name?.trim() || null;
  const accountName = (input.accountName ?? "").trim();
  const fields = commonChecks(input, email, name);
  if (!accountName) fields.accountName = "is required";
  else if (accountName.length > 255) fields.accountName = "must be at most 255 characters long";
  fail(fields);
  const slug = slugFor(accountName, input.accountSlug);
  const problems = strongPasswordProblems(input.password);
  if (problems.length) throw new PasswordPolicyError(problems);

  const passwordHash = await hashPassword(input.password);
  const { account, result: user } = await insertAccount(ctx, { name: accountName, slug }, (tx, account) =>
    tx.user.create({
      data: { id: uuidv7(), accountId: account.id, email, passwordHash, name, role: "admin", roleId: ADMIN_ROLE_ID, superadmin: false, verified: false },
    }),
  );
  ctx.log.info({ userId: user.id, accountId: account.id }, "account registered");
  return { user, account: toAuthAccount(account) };
}
