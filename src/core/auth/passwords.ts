/**
 * Password hashing with Node's built-in memory-hard KDF (scrypt), the FastCMS password rule and
 * SnackBase's stronger one.
 *
 * Encoded form: `scrypt$N$r$p$<salt base64url>$<hash base64url>`, so the cost parameters can be
 * raised later without breaking stored hashes (verification reads them from the string).
 * Hashing runs on the libuv thread pool (async `crypto.scrypt`), never on the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { Semaphore } from "async-mutex";
import { DEFAULT_ACCOUNT_ID } from "../context.ts";
import { AppError, ValidationError } from "../errors.ts";

/** Cost parameters for new hashes: N=2^15, r=8 → 32 MiB of memory per hash. */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Upper bounds accepted when verifying a stored hash (guards against absurd parameters). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * Each derivation holds 128·N·r bytes (32 MiB at N=2^15, r=8) for its duration; a burst of logins
 * would stack them. Two at a time keeps memory bounded and still uses both cores of a small host.
 */
const derivations = new Semaphore(2);

function derive(password: string, salt: Buffer, n: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; leave headroom over that for the rest of the computation.
  const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return derivations.runExclusive(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize("NFKC"), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/** Hashes a password into the encoded `scrypt$N$r$p$salt$hash` string. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, N, R, P, KEY_LENGTH);
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/**
 * True when `password` matches the encoded hash. A malformed or unsupported hash string
 * answers false (never throws), so a corrupt row cannot be used to probe the server.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid = (v: number, max: number) => Number.isInteger(v) && v > 0 && v <= max;
  if (!valid(n, MAX_N) || !valid(r, MAX_R) || !valid(p, MAX_P) || (n & (n - 1)) !== 0) return false;
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  if (salt.length === 0 || expected.length < 16 || expected.length > 128) return false;
  const actual = await derive(password, salt, n, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as verifying a real password, then answers false. Login calls it for
 * unknown e-mail addresses so response timing does not reveal which accounts exist.
 * (The dummy hash is a constant computed once; it holds no state about any user.)
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword("cairn-dummy-password-0");
  await verifyPassword(password, await dummyHash);
  return false;
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 100;

/**
 * The FastCMS password rule (8–100 characters, at least one letter and one digit).
 * Returns one message per broken rule; empty when the password is acceptable.
 */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (!/\p{L}/u.test(password)) problems.push("must contain at least one letter");
  if (!/\p{Nd}/u.test(password)) problems.push("must contain at least one digit");
  return problems;
}

/**
 * Throws a 422 ValidationError naming `field` (default `password`) and every broken rule.
 * @example assertPasswordPolicy("short") // ValidationError: password must be at least 8 characters long; …
 */
export function assertPasswordPolicy(password: string, field = "password"): void {
  const problems = passwordProblems(password);
  if (problems.length) {
    const text = problems.join("; ");
    throw new ValidationError(`Invalid ${field}: ${field} ${text}`, { [field]: text });
  }
}

/** SnackBase's rule codes, one per broken rule (compat/snackbase.md §2). */
export type StrongPasswordRule = "password_too_short" | "password_no_uppercase" | "password_no_lowercase" | "password_no_digit" | "password_no_special";

export interface PasswordRuleProblem {
  code: StrongPasswordRule;
  message: string;
}

export const STRONG_PASSWORD_MIN_LENGTH = 12;
/** The special characters SnackBase counts. */
export const PASSWORD_SPECIALS = "!@#$%^&*()_+-=[]{};':\"\\|,.<>/?`~";

/**
 * The SnackBase password rule: at least 12 characters, one uppercase letter, one lowercase
 * letter, one digit and one special character (PASSWORD_SPECIALS). Returns one problem per
 * broken rule; empty when the password is acceptable.
 */
export function strongPasswordProblems(password: string): PasswordRuleProblem[] {
  const problems: PasswordRuleProblem[] = [];
  const add = (code: StrongPasswordRule, message: string) => problems.push({ code, message });
  if ([...password].length < STRONG_PASSWORD_MIN_LENGTH) add("password_too_short", `must be at least ${STRONG_PASSWORD_MIN_LENGTH} characters long`);
  if (!/\p{Lu}/u.test(password)) add("password_no_uppercase", "must contain at least one uppercase letter");
  if (!/\p{Ll}/u.test(password)) add("password_no_lowercase", "must contain at least one lowercase letter");
  if (!/[0-9]/.test(password)) add("password_no_digit", "must contain at least one digit");
  if (![...password].some((c) => PASSWORD_SPECIALS.includes(c))) add("password_no_special", `must contain at least one special character (${PASSWORD_SPECIALS})`);
  return problems;
}

/**
 * A password broke the SnackBase rule. The body's `details` names the field with every message
 * joined (what FastCMS clients read) and each broken rule by its SnackBase code:
 * `{"password": "must be …; must contain …", "password_too_short": "must be …", …}`.
 * Status 422 on shared paths (/auth/…), 400 on SnackBase-only paths (/users).
 */
export class PasswordPolicyError extends AppError {
  constructor(
    readonly problems: PasswordRuleProblem[],
    field = "password",
    status: 400 | 422 = 422,
  ) {
    const text = problems.map((p) => p.message).join("; ");
    const details = { [field]: text, ...Object.fromEntries(problems.map((p) => [p.code, `${field} ${p.message}`])) };
    super(status === 400 ? "BAD_REQUEST" : "VALIDATION_ERROR", status, `Invalid ${field}: ${field} ${text}`, details);
  }
}

/** Which rule a password is held to: `strong` (SnackBase) or `standard` (FastCMS). */
export type PasswordPolicy = "standard" | "strong";

/** Users of the default account follow the FastCMS rule; tenant accounts (SnackBase) the strong one. */
export function passwordPolicyFor(accountId: string): PasswordPolicy {
  return accountId === DEFAULT_ACCOUNT_ID ? "standard" : "strong";
}

/**
 * Throws when `password` breaks `policy`: ValidationError (422) for the standard rule,
 * PasswordPolicyError (422, or 400 when `status` says so) for the strong one.
 */
export function assertPassword(policy: PasswordPolicy, password: string, field = "password", status: 400 | 422 = 422): void {
  if (policy === "standard") return assertPasswordPolicy(password, field);
  const problems = strongPasswordProblems(password);
  if (problems.length) throw new PasswordPolicyError(problems, field, status);
}
