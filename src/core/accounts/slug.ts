/**
 * Account slugs the way SnackBase derives them (compat/snackbase.md §2): lower-case, spaces and
 * `_` become `-`, at most 32 characters. A client that derives the slug from the account name
 * gets the same slug Cairn stored, so a taken slug is a conflict (409), never silently changed.
 * Cairn also folds accents (`Café` → `cafe`) and drops other characters outside a-z, 0-9, `-`.
 */
import { ValidationError } from "../errors.ts";

export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 32;
/** 3–32 of a-z, 0-9 and `-`, starting and ending with a letter or digit. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,30})[a-z0-9]$/;
export const SLUG_TAKEN = "An account with this slug already exists";
const SLUG_RULE = "must be 3–32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

/**
 * The slug SnackBase derives from an account name; may be shorter than 3 characters (or empty)
 * for names without letters or digits.
 * @example deriveSlug("Acme_Corp Europe") // "acme-corp-europe"
 */
export function deriveSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/[^a-z0-9-]/g, "")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, "");
}

/**
 * The slug of a new account: `given` (trimmed, lower-cased) when sent, else derived from `name`.
 * Throws ValidationError (422, field `accountSlug`) when the given slug breaks the rule or no
 * usable slug can be derived from the name.
 */
export function slugFor(name: string, given: string | null | undefined, field = "accountSlug"): string {
  const chosen = given?.trim().toLowerCase() || null;
  if (chosen !== null) {
    if (!SLUG.test(chosen)) throw new ValidationError(`Invalid ${field}: ${SLUG_RULE}`, { [field]: SLUG_RULE });
    return chosen;
  }
  const derived = deriveSlug(name);
  if (!SLUG.test(derived)) {
    const message = `cannot be derived from the name '${name.slice(0, 64)}' (it ${SLUG_RULE}); send one`;
    throw new ValidationError(`Invalid ${field}: ${message}`, { [field]: message });
  }
  return derived;
}
