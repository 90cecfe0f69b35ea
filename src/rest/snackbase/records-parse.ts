/**
 * Parsing for the SnackBase records routes (compat/snackbase.md §3): the list query (`skip`,
 * `limit`, `sort`, `fields`, every other parameter an equality filter — query/parse-params.ts)
 * and the flat record body (system fields refused). Names are SnackBase's; the results are the
 * core's domain terms.
 */
import type { CollectionDef } from "../../core/collections/types.ts";
import { AppError, BadRequestError } from "../../core/errors.ts";
import { FilterError, type Expr } from "../../query/ast.ts";
import { collectionResolver } from "../../query/fields.ts";
import { parseParams, withSystemAliases, type QueryParams } from "../../query/parse-params.ts";
import { parseSort, type SortTerm } from "../../query/sort.ts";

/** The list's own parameters; every other one is a filter. */
export const LIST_PARAMS: ReadonlySet<string> = new Set(["skip", "limit", "sort", "fields"]);

/**
 * Keys of a SnackBase record the server sets: sending one → 422. Cairn's own names of the same
 * columns (`owner_id`, `created`, `updated`, `version`) are refused alike.
 */
export const SNACKBASE_SYSTEM_FIELDS: readonly string[] = ["id", "account_id", "created_at", "created_by", "updated_at", "updated_by", "account_name", "owner_id", "created", "updated", "version"];
const SYSTEM: ReadonlySet<string> = new Set(SNACKBASE_SYSTEM_FIELDS);

/** A SnackBase list request in the core's terms. */
export interface SnackListQuery {
  offset: number;
  pageSize: number;
  filter: Expr | undefined;
  sort: SortTerm[];
  /** the collection fields asked for by `fields` (system fields are always returned); undefined: all */
  fields: ReadonlySet<string> | undefined;
}

function bad(what: string, e: unknown): never {
  if (e instanceof FilterError) throw new BadRequestError(`Invalid ${what}: ${e.message}`, { [what]: e.message });
  throw e;
}

/**
 * `fields=title,views,created_at` → the collection fields named (system fields are always sent,
 * so naming one is allowed and changes nothing).
 * @throws BadRequestError (400) naming an unknown field.
 */
export function parseFieldList(src: string | undefined, def: CollectionDef): ReadonlySet<string> | undefined {
  if (src === undefined || src.trim() === "") return undefined;
  const resolve = withSystemAliases(collectionResolver(def));
  const own = new Set(def.fields.map((f) => f.name));
  const out = new Set<string>();
  for (const raw of src.split(",")) {
    const name = raw.trim();
    if (name === "") continue;
    if (own.has(name)) out.add(name);
    else if (!SYSTEM.has(name) && !resolve(name)) throw new BadRequestError(`Invalid fields: unknown field '${name.slice(0, 100)}'`, { fields: `unknown field '${name.slice(0, 100)}'` });
  }
  return out;
}

/**
 * The list query of `GET /records/{c}`. `skip` and `limit` arrive checked by the route schema
 * (422 outside their ranges).
 * @throws BadRequestError (400) for an unknown sort, fields or filter field, or a filter value
 *   that does not fit its field.
 */
export function parseListQuery(def: CollectionDef, qs: QueryParams & { skip: number; limit: number; sort?: string; fields?: string }): SnackListQuery {
  const resolve = collectionResolver(def);
  let sort: SortTerm[] = [];
  if (qs.sort !== undefined && qs.sort.trim() !== "") {
    try {
      sort = parseSort(qs.sort, withSystemAliases(resolve));
    } catch (e) {
      bad("sort", e);
    }
    if (sort.some((t) => "random" in t)) throw new BadRequestError("Invalid sort: random order is not available here", { sort: "unknown field '@random'" });
  }
  let filter: Expr | undefined;
  try {
    filter = parseParams(qs, resolve, LIST_PARAMS);
  } catch (e) {
    bad("filter", e);
  }
  return { offset: qs.skip, pageSize: qs.limit, filter, sort, fields: parseFieldList(qs.fields, def) };
}

/**
 * The flat body of a create or update, checked for system fields.
 * @throws AppError 422 `Cannot create system fields via API: id, created_at` (details name them).
 */
export function parseRecordBody(body: unknown): Record<string, unknown> {
  const data = (body ?? {}) as Record<string, unknown>;
  const system = Object.keys(data).filter((k) => SYSTEM.has(k));
  if (system.length) throw new AppError("VALIDATION_ERROR", 422, `Cannot create system fields via API: ${system.join(", ")}`, { system_fields: system });
  return data;
}
