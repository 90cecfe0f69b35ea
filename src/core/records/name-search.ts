/**
 * Name search: the records whose display name (display-name.ts) contains a term, prefix
 * matches first, then the other matches, each part in display-name order. Both parts are
 * ordinary list reads (`listRecords`: the caller's list rule and field access, the trigram or
 * b-tree index of the display field), at most two statements and never a scan of a page.
 */
import { and, type Expr } from "../../query/ast.ts";
import type { Context } from "../context.ts";
import { BadRequestError, ValidationError } from "../errors.ts";
import { displayField, displayName } from "./display-name.ts";
import { MAX_PAGE_SIZE } from "./list-query.ts";
import { listRecords } from "./read.ts";
import { resolveTraversals } from "./traverse.ts";

export interface NameSearchQuery {
  /** the text to look for (case-insensitive); empty: every record */
  term: string;
  /** 1…100, default 10 */
  limit?: number;
  /** parsed filter in any syntax (paths through references allowed) */
  filter?: Expr;
}

export interface NameMatch {
  id: string;
  displayName: string;
}

/**
 * Finds records by display name (see the module comment).
 * @throws BadRequestError when the collection has no text field to search; ValidationError for
 *   a limit out of range; 400 for a bad filter; 401/403 when the caller may not list.
 * @example await nameSearch(ctx, "contacts", { term: "ac", limit: 5 })
 */
export async function nameSearch(ctx: Context, collection: string, q: NameSearchQuery): Promise<NameMatch[]> {
  const def = ctx.services.collections.require(collection);
  const limit = q.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new ValidationError(`limit must be between 1 and ${MAX_PAGE_SIZE}`, { limit: `Must be between 1 and ${MAX_PAGE_SIZE}` });
  const field = displayField(def);
  if (!field) throw new BadRequestError(`Collection '${def.name}' has no text field to search by name (set the collection option display_field)`);
  const filter = q.filter ? await resolveTraversals(ctx, def, q.filter) : undefined;
  const name = { kind: "field", name: field.name } as const;
  const term = { kind: "value", value: q.term } as const;
  const read = (extra: Expr | undefined, pageSize: number) => listRecords(ctx, def.name, { filter: and(filter, extra), sort: field.name, pageSize, skipTotal: true, fields: new Set([field.name]) });
  if (q.term === "") return (await read(undefined, limit)).items.map((r) => ({ id: r.id, displayName: displayName(def, r) }));
  const prefix: Expr = { kind: "compare", op: "startsWith", left: name, right: term };
  const first = await read(prefix, limit);
  const rest = first.items.length < limit ? await read(and({ kind: "compare", op: "contains", left: name, right: term }, { kind: "not", expr: prefix }), limit - first.items.length) : undefined;
  return [...first.items, ...(rest?.items ?? [])].map((r) => ({ id: r.id, displayName: displayName(def, r) }));
}
