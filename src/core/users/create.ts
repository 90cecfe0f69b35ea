/**
 * `createUser` (superadmin): a user in any account with any role, usable at once (verified).
 */
import { v7 as uuidv7 } from "uuid";
import { DEFAULT_ACCOUNT_ID, type Context } from "../context.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import { emailProblem, normalizeEmail } from "../auth/email.ts";
import { assertPassword, hashPassword } from "../auth/passwords.ts";
import { isUniqueViolation } from "../auth/register.ts";
import { resolveAccount, resolveRole, roleColumn, roleNames, toUserView, USER_INCLUDE, type UserView } from "./view.ts";

export interface CreateUserInput {
  email: string;
  password: string;
  /** account id, code or slug; default: the default account */
  accountId?: string | null;
  /** number, numeric string or role name; default 2 (user) */
  roleId?: unknown;
  isActive?: boolean;
  authProvider?: string;
  name?: string | null;
}

/**
 * Creates the user. Throws 401/403 unless a superadmin calls, ValidationError (422) for a bad
 * e-mail, PasswordPolicyError (400, SnackBase rule, each broken rule named in `details`),
 * NotFoundError (404) for an unknown account or role, ConflictError (409) when the e-mail is
 * already registered in the account.
 */
export async function createUser(ctx: Context, input: CreateUserInput): Promise<UserView> {
  requireSuperadmin(ctx);
  const { prisma } = ctx.services;
  const email = normalizeEmail(input.email);
  const problem = emailProblem(email);
  if (problem) throw new ValidationError(`Invalid email: ${problem}`, { email: problem });
  assertPassword("strong", input.password, "password", 400);
  const account = input.accountId ? await resolveAccount(ctx, input.accountId) : { id: DEFAULT_ACCOUNT_ID };
  const role = await resolveRole(ctx, input.roleId ?? 2);
  const authProvider = (input.authProvider ?? "password").trim() || "password";
  const name = input.name?.trim() || null;
  if (name && name.length > 255) throw new ValidationError("Invalid name: must be at most 255 characters long", { name: "must be at most 255 characters long" });
  const conflict = () => new ConflictError(`Email '${email}' is already registered in this account`, { email: "already registered" });
  if (await prisma.user.findUnique({ where: { accountId_email: { accountId: account.id, email } }, select: { id: true } })) throw conflict();
  const passwordHash = await hashPassword(input.password);
  const now = ctx.services.now();
  let row;
  try {
    row = await prisma.user.create({
      data: {
        id: uuidv7(),
        accountId: account.id,
        email,
        name,
        passwordHash,
        role: roleColumn(role.id),
        roleId: role.id,
        superadmin: false,
        verified: true,
        verifiedAt: now,
        isActive: input.isActive ?? true,
        authProvider,
      },
      include: USER_INCLUDE,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict();
    throw e;
  }
  audit(ctx, { eventType: "admin", eventAction: "create", resourceType: "user", resourceId: row.id, details: { email, account_id: account.id, role_id: role.id } });
  return toUserView(row, await roleNames(ctx));
}
