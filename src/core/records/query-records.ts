/**
 * The model query of the Fullfinity dialect as a core operation: a list read (`listRecords`:
 * rules, field access, one SELECT + one COUNT) whose filter may go through references
 * (traverse.ts) and whose projection names only known fields.
 */
import type { Expr } from "../../query/ast.ts";
import { collectionResolver } from "../../query/fields.ts";
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { listRecords, type ListResult } from "./read.ts";
import { resolveTraversals } from "./traverse.ts";

export interface RecordQuery {
  filter?: Expr;
  /** core sort string (`name,-created`) */
  sort?: string;
  /** rows, 0…100 (default 30) */
  limit?: number;
  offset?: number;
  /** fields to read (system fields always); names outside the collection → 400 */
  fields?: readonly string[];
}

/** Names that are not fields but may be asked for (computed by the dialect). */
const COMPUTED = new Set(["display_name"]);

/**
 * Lists records for a model query (see the module comment).
 * @throws BadRequestError naming an unknown field (filter, sort or projection) or a bad path;
 *   ValidationError (422, `pageSize`/`offset`) out of range; 401/403 as `listRecords`.
 * @example await queryRecords(ctx, "contacts", { filter: parseQ("Q(active=True)"), sort: "name", limit: 20 })
 */
export async function queryRecords(ctx: Context, collection: string, q: RecordQuery): Promise<ListResult> {
  const def = ctx.services.collections.require(collection);
  const resolve = collectionResolver(def);
  const unknown = q.fields?.filter((f) => !resolve(f) && !COMPUTED.has(f)) ?? [];
  if (unknown.length)
    throw new BadRequestError(`Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((f) => `'${f}'`).join(", ")} in '${def.name}'`, { fields: `Unknown field '${unknown[0]}'` });
  const filter = q.filter ? await resolveTraversals(ctx, def, q.filter) : undefined;
  return listRecords(ctx, def.name, {
    filter,
    sort: q.sort,
    pageSize: q.limit,
    offset: q.offset,
    ...(q.fields ? { fields: new Set(q.fields) } : {}),
  });
}
