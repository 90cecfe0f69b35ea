/**
 * E-mail addresses as identities: trimmed and lower-cased before they are stored or looked up,
 * so `Ann@Example.com` and `ann@example.com` are the same user.
 */

const EMAIL = /^[^\s@"(),:;<>[\]\\]+@[^\s@"(),:;<>[\]\\]+\.[^\s@"(),:;<>[\]\\.]{2,}$/u;

/** Trims and lower-cases an address. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Message for an unusable (already normalised) address, or undefined when it looks valid. */
export function emailProblem(email: string): string | undefined {
  if (email.length === 0) return "is required";
  if (email.length > 254) return "must be at most 254 characters long";
  if (!EMAIL.test(email) || email.includes("..")) return "must be a valid email address";
  return undefined;
}
