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

/** A slug wanted for one document of a batch: its base, and the document itself when it exists. */
export interface SlugWish {
  base: string;
  /** the document being updated (its own slug is no clash) */
  exceptId?: string;
}

/**
 * Unique slugs for a batch of documents of one collection, in order: each `base` if no other
 * document (nor an earlier one of the batch) has it, else `base-N` with the smallest free N ≥ 2.
 * One query whatever the batch size: every slug equal to a base or of the form `base-…`. Runs
 * inside the write's transaction; a concurrent writer taking the same slug meets the unique
 * index (409).
 */
export async function uniqueSlugs(tx: SqlDb, def: CollectionDef, accountId: string, wishes: readonly SlugWish[]): Promise<string[]> {
  if (wishes.length === 0) return [];
  const col = CONTENT_FIELD.slug;
  const bases = [...new Set(wishes.map((w) => w.base))];
  const q = tx.qb
    .selectFrom(def.name)
    .select(["id", sql<string>`${sql.ref(col)}`.as("slug")])
    .where("account_id", "=", accountId)
    .where((eb) => eb.or([eb(col, "in", bases), ...bases.map((b) => eb(col, "like", sql<string>`${`${escapeLike(b)}-%`} ESCAPE '\\'`))]));
  const holders = new Map<string, string>(); // slug → id of the document holding it
  for (const r of await tx.query<{ id: string; slug: string }>(q)) holders.set(r.slug, r.id);
  const given = new Set<string>();
  return wishes.map(({ base, exceptId }) => {
    const free = (s: string) => !given.has(s) && (!holders.has(s) || holders.get(s) === exceptId);
    let slug = base;
    for (let n = 2; !free(slug); n++) slug = `${base}-${n}`;
    given.add(slug);
    return slug;
  });
}

/** The unique slug of one document: {@link uniqueSlugs} for a batch of one. */
export async function uniqueSlug(tx: SqlDb, def: CollectionDef, accountId: string, base: string, exceptId?: string): Promise<string> {
  return (await uniqueSlugs(tx, def, accountId, [{ base, exceptId }]))[0]!;
}
