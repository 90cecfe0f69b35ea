/**
 * The FastCMS/PocketBase sort parameter: `-created,+title,views`, `@random`.
 */
import { FilterError } from "./ast.ts";
import type { FieldResolver } from "./fields.ts";
import type { StorageKind } from "./field-kinds.ts";

/** One ORDER BY term: a resolved column, or random order. */
export type SortTerm = { column: string; name: string; desc: boolean; kind: StorageKind } | { random: true };

/** Limits for {@link parseSort}. */
export const MAX_SORT_TERMS = 8;
const MAX_SORT_LENGTH = 1024;
const NAME = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

/**
 * Parses a comma-separated sort list: `-name` descending, `+name` or `name` ascending, `@random`.
 * Whitespace around terms is ignored; a blank string gives `[]` (the caller applies its default,
 * `-created` for FastCMS). JSON fields (lists, json, geopoint) are not sortable: their order
 * differs between SQLite and PostgreSQL. Text order is the database's: callers that need the
 * filter's code-point order on PostgreSQL add `COLLATE "C"`.
 * @throws FilterError for an empty term, an unknown or unsortable field (naming it), a relation
 *   path, a duplicate, more than {@link MAX_SORT_TERMS} terms or more than 1024 characters.
 * @example parseSort("-created, title", resolve) // [{column:"created",desc:true,…},{column:"title",desc:false,…}]
 */
export function parseSort(src: string, resolve: FieldResolver): SortTerm[] {
  if (src.length > MAX_SORT_LENGTH) throw new FilterError(`sort is too long (max ${MAX_SORT_LENGTH} characters)`);
  if (src.trim() === "") return [];
  const parts = src.split(",").map((p) => p.trim());
  if (parts.length > MAX_SORT_TERMS) throw new FilterError(`too many sort fields (max ${MAX_SORT_TERMS})`);
  const seen = new Set<string>();
  const terms: SortTerm[] = [];
  for (const part of parts) {
    if (part === "") throw new FilterError(`empty sort field in '${src.trim()}'`);
    const desc = part.startsWith("-");
    const name = part.startsWith("-") || part.startsWith("+") ? part.slice(1).trim() : part;
    if (seen.has(name)) throw new FilterError(`duplicate sort field '${name}'`);
    seen.add(name);
    if (name === "@random") {
      terms.push({ random: true });
      continue;
    }
    if (!NAME.test(name)) throw new FilterError(`invalid sort field '${name.slice(0, 60)}'`);
    const info = name.includes(".") ? undefined : resolve(name);
    if (!info) {
      const head = name.split(".")[0]!;
      if (head !== name && resolve(head)) throw new FilterError(`sorting through relations ('${name}') is not supported`);
      throw new FilterError(`unknown sort field '${name}'`);
    }
    if (info.sortable === false) throw new FilterError(`field '${name}' cannot be sorted`);
    if (info.kind === "json") throw new FilterError(`field '${name}' cannot be sorted (${info.list ? "list" : "json"})`);
    terms.push({ column: info.column, name: info.name, desc, kind: info.kind });
  }
  return terms;
}
