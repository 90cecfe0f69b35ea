/**
 * Creating the first superadmin from the install link (install-token.ts): the link's token, an
 * e-mail and a password create a verified superadmin in the default account and sign it in. The
 * check that no superadmin exists runs in the transaction that inserts it, under a lock
 * (PostgreSQL: a transaction-scoped advisory lock; SQLite: the write transaction), so of two
 * concurrent installs exactly one creates a superadmin and the other gets 409.
 */
import { v7 as uuidv7 } from "uuid";
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { emailProblem, normalizeEmail } from "./email.ts";
import { SUPERADMIN_EXISTS, superadminExists, verifyInstallToken } from "./install-token.ts";
import { assertPasswordPolicy, hashPassword } from "./passwords.ts";
import { isUniqueViolation } from "./register.ts";
import { issueSession, toAuthAccount, type AuthSession } from "./session.ts";

export interface InstallSuperadminInput {
  token: string;
  email: string;
  password: string;
  /** optional; must equal `password` when given */
  passwordConfirm?: string | null;
}

/**
 * Creates the first superadmin and starts its session (the login answer).
 * Throws, in this order: BadRequestError (400, details `{token}`) for an expired or invalid
 * token; ConflictError (409 `A superadmin already exists…`) once any superadmin exists;
 * ValidationError (422) naming `email`, `password` or `password_confirm` (the rule of
 * `cairn admin create`: 8–100 characters, a letter and a digit); ConflictError (409, details
 * `{email}`) when the address already belongs to a user of the default account.
 */
export async function installSuperadmin(ctx: Context, input: InstallSuperadminInput): Promise<AuthSession> {
  const { services } = ctx;
  await verifyInstallToken(services, input.token);
  if (await superadminExists(services)) throw new ConflictError(SUPERADMIN_EXISTS);
  const email = normalizeEmail(typeof input.email === "string" ? input.email : "");
  const problem = emailProblem(email);
  if (problem) throw new ValidationError(`Invalid email: ${problem}`, { email: problem });
  if (typeof input.password !== "string" || input.password.length === 0) throw new ValidationError("Invalid password: is required", { password: "is required" });
  assertPasswordPolicy(input.password);
  if (input.passwordConfirm != null && input.passwordConfirm !== input.password) {
    throw new ValidationError("Invalid password_confirm: does not match password", { password_confirm: "does not match password" });
  }
  const passwordHash = await hashPassword(input.password);
  const taken = () => new ConflictError(`'${email}' is already registered: sign in, or promote that user with \`cairn admin create\``, { email: "is already registered" });

  const now = services.now();
  let result;
  try {
    result = await services.prisma.$transaction(async (tx) => {
      if (services.db.dialect === "postgres") await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('cairn.install-superadmin'))`;
      if (await tx.user.findFirst({ where: { superadmin: true }, select: { id: true } })) throw new ConflictError(SUPERADMIN_EXISTS);
      const account = await tx.account.upsert({ where: { id: DEFAULT_ACCOUNT_ID }, create: { id: DEFAULT_ACCOUNT_ID, slug: "default", name: "Default" }, update: {} });
      const existing = await tx.user.findUnique({ where: { accountId_email: { accountId: DEFAULT_ACCOUNT_ID, email } }, select: { id: true } });
      if (existing) throw taken();
      const user = await tx.user.create({
        data: {
          id: uuidv7(),
          accountId: DEFAULT_ACCOUNT_ID,
          email,
          passwordHash,
          role: "admin",
          roleId: 1,
          superadmin: true,
          verified: true,
          verifiedAt: now,
          isActive: true,
          lastLogin: now,
          created: now,
        },
      });
      return { user, account };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw taken();
    throw e;
  }
  const session = await issueSession(ctx, result.user, toAuthAccount(result.account));
  void audit(ctx, {
    eventType: "admin",
    eventAction: "install_superadmin",
    userId: result.user.id,
    userEmail: result.user.email,
    resourceType: "user",
    resourceId: result.user.id,
    description: "first superadmin created from the install link",
  });
  return session;
}
