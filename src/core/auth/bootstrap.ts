/**
 * Superadmin bootstrap: at start-up (CAIRN_ADMIN_EMAIL / CAIRN_ADMIN_PASSWORD) and from the CLI
 * (`cairn admin create`).
 */
import { v7 as uuidv7 } from "uuid";
import { DEFAULT_ACCOUNT_ID, type Services } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { emailProblem, normalizeEmail } from "./email.ts";
import { assertPasswordPolicy, hashPassword } from "./passwords.ts";
import { isUniqueViolation } from "./register.ts";
import { toAuthUser, type AuthUser } from "./session.ts";

export interface CreateAdminResult {
  user: AuthUser;
  /**
   * `created`: a new user; `promoted`: an existing user of the default account became superadmin;
   * `updated`: the address already belonged to a superadmin (its password was replaced)
   */
  action: "created" | "promoted" | "updated";
}

/**
 * Creates a superadmin (role admin, verified) in the default account, or — when the address is
 * already registered there — promotes that user and sets the given password. Ensures the default
 * account exists, so it also works on a database that was only migrated.
 * Throws ValidationError (422) for a malformed address or a password that breaks the rule.
 */
export async function createAdmin(services: Pick<Services, "prisma">, rawEmail: string, password: string): Promise<CreateAdminResult> {
  const { prisma } = services;
  const email = normalizeEmail(rawEmail);
  const problem = emailProblem(email);
  if (problem) throw new ValidationError(`Invalid email: ${problem}`, { email: problem });
  assertPasswordPolicy(password);
  const passwordHash = await hashPassword(password);
  await prisma.account.upsert({
    where: { id: DEFAULT_ACCOUNT_ID },
    create: { id: DEFAULT_ACCOUNT_ID, slug: "default", name: "Default" },
    update: {},
  });
  const data = { passwordHash, role: "admin", roleId: 1, superadmin: true, verified: true, isActive: true };
  const where = { accountId_email: { accountId: DEFAULT_ACCOUNT_ID, email } };
  const existing = await prisma.user.findUnique({ where, select: { superadmin: true } });
  if (existing) return { user: toAuthUser(await prisma.user.update({ where, data })), action: existing.superadmin ? "updated" : "promoted" };
  try {
    const user = await prisma.user.create({ data: { id: uuidv7(), accountId: DEFAULT_ACCOUNT_ID, email, ...data } });
    return { user: toAuthUser(user), action: "created" };
  } catch (e) {
    // Created concurrently (another instance or CLI run): promote what is there.
    if (isUniqueViolation(e)) return { user: toAuthUser(await prisma.user.update({ where, data })), action: "promoted" };
    throw e;
  }
}

/**
 * At start-up: when CAIRN_ADMIN_EMAIL and CAIRN_ADMIN_PASSWORD are set and no superadmin exists
 * yet, creates one with them (see createAdmin). Does nothing otherwise, so restarts with the same
 * environment are harmless and a changed password in the environment never overwrites the
 * stored one. Throws ValidationError when the configured credentials are unusable.
 */
export async function bootstrapAdmin(services: Services): Promise<void> {
  const { adminEmail, adminPassword } = services.config;
  if (!adminEmail || !adminPassword) return;
  const exists = await services.prisma.user.findFirst({ where: { superadmin: true }, select: { id: true } });
  if (exists) return;
  let result: CreateAdminResult;
  try {
    result = await createAdmin(services, adminEmail, adminPassword);
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`CAIRN_ADMIN_EMAIL / CAIRN_ADMIN_PASSWORD unusable: ${e.message}`, e.fields);
    throw e;
  }
  const { user, action } = result;
  services.log.info({ userId: user.id, email: user.email, action }, "superadmin bootstrapped from CAIRN_ADMIN_EMAIL");
}
