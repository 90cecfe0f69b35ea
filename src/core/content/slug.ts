/**
 * Slugs: URL-safe names of documents, unique per collection (and account). A clash gets the
 * first free numeric suffix (`hello-world`, `hello-world-2`, …), found with one indexed query.
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import { CONTENT_FIELD } from "./options.ts";

/** Longest slug kept (the column's maxLength, with room for a suffix). */
export const MAX_SLUG = 190;

/**
 * The slug of a text: lower case ASCII letters and digits separated by single hyphens, accents
 * removed (`Crème brûlée!` → `creme-brulee`), at most {@link MAX_SLUG} characters; "" when the
 * text has no letter or digit.
 */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG)
    .replace(/-+$/, "");
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `base` if no other document of the collection has it, else `base-N` with the smallest free
 * N ≥ 2. `exceptId` is the document being updated (its own slug is no clash). Runs inside the
 * write's transaction; a concurrent writer taking the same slug meets the unique index (409).
 */
export async function uniqueSlug(tx: SqlDb, def: CollectionDef, accountId: string, base: string, exceptId?: string): Promise<string> {
  const col = CONTENT_FIELD.slug;
  let q = tx.qb
    .selectFrom(def.name)
    .select(sql<string>`${sql.ref(col)}`.as("slug"))
    .where("account_id", "=", accountId)
    .where((eb) => eb.or([eb(col, "=", base), eb(col, "like", sql<string>`${`${escapeLike(base)}-%`} ESCAPE '\\'`)]));
  if (exceptId) q = q.where("id", "!=", exceptId);
  const taken = new Set((await tx.query<{ slug: string }>(q)).map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
