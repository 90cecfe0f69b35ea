/**
 * Connection arguments → core list queries, and list results → Relay connections. The core
 * (`core/records/list-query.ts`) owns sorting, cursors in both directions and the ranges; this
 * module only renders GraphQL's argument names and the Relay shape. `totalCount` is counted only
 * when selected.
 */
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Context } from "../core/context.ts";
import { BadRequestError } from "../core/errors.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, recordCursor, withTieBreak, type ColumnTerm } from "../core/records/list-query.ts";
import { listRecords } from "../core/records/read.ts";
import type { RecordData } from "../core/records/values.ts";
import { FilterError, type Expr } from "../query/ast.ts";
import { collectionResolver } from "../query/fields.ts";
import { GRAPHQL_TO_FIELD } from "./where.ts";

export type { ColumnTerm };
export type OrderByInput = Record<string, "ASC" | "DESC" | null | undefined>;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  offset?: number | null;
}

/** A page of records; cursors are computed only when a client selects them. */
export interface Connection {
  nodes: RecordData[];
  /** the cursor of a record on this page */
  cursor: (rec: RecordData) => string;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; start: RecordData | null; end: RecordData | null };
  /** null when not counted (totalCount not selected) */
  totalCount: number | null;
}

/** A connection over `nodes` sorted by `terms`. */
export function connectionOf(
  def: CollectionDef,
  terms: readonly ColumnTerm[],
  dialect: "sqlite" | "postgres",
  nodes: RecordData[],
  hasNextPage: boolean,
  hasPreviousPage: boolean,
  totalCount: number | null,
): Connection {
  return {
    nodes,
    cursor: (rec) => recordCursor(def, terms, rec, dialect),
    pageInfo: { hasNextPage, hasPreviousPage, start: nodes[0] ?? null, end: nodes[nodes.length - 1] ?? null },
    totalCount,
  };
}

/**
 * `[{ views: DESC }, { title: ASC }]` → sort terms, with the core's default (newest first) and
 * `id` tie-break applied, so cursors are stable.
 * @throws FilterError for an unknown or unsortable field.
 */
export function orderByToTerms(def: CollectionDef, orderBy: readonly OrderByInput[] | null | undefined): ColumnTerm[] {
  const resolve = collectionResolver(def);
  const terms: ColumnTerm[] = [];
  for (const item of orderBy ?? []) {
    for (const [key, dir] of Object.entries(item)) {
      if (dir == null) continue;
      const info = resolve(GRAPHQL_TO_FIELD.get(key) ?? key);
      if (!info || info.kind === "json" || info.sortable === false) throw new FilterError(`cannot sort by '${key}'`);
      if (terms.some((t) => t.column === info.column)) throw new FilterError(`duplicate sort field '${key}'`);
      terms.push({ column: info.column, name: info.name, desc: dir === "DESC", kind: info.kind });
    }
  }
  return withTieBreak(terms);
}

const selected = new WeakMap<object, Map<string, boolean>>();

/**
 * True when the field's selection (any alias, fragments included) asks for `name`. Memoised per
 * field node: documents come from the parser cache, so a repeated query walks nothing.
 */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const key = info.fieldNodes[0]!;
  let byName = selected.get(key);
  if (!byName) selected.set(key, (byName = new Map()));
  let hit = byName.get(name);
  if (hit === undefined) byName.set(name, (hit = selectsUncached(info, name)));
  return hit;
}

const nodeFields = new WeakMap<object, ReadonlySet<string>>();

/**
 * Names of the fields selected on a connection's records — under `nodes { … }` and
 * `edges { node { … } }`, fragments included — memoised per field node.
 */
export function nodeFieldNames(info: GraphQLResolveInfo): ReadonlySet<string> {
  const key = info.fieldNodes[0]!;
  const names = nodeFields.get(key);
  if (names) return names;
  const out = new Set<string>();
  const fields = (set: SelectionSetNode | undefined, visit: (f: FieldNode) => void, seen = new Set<string>()) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === "Field") visit(s);
      else if (s.kind === "InlineFragment") fields(s.selectionSet, visit, seen);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        fields(info.fragments[s.name.value]?.selectionSet, visit, seen);
      }
    }
  };
  const collect = (set: SelectionSetNode | undefined) => fields(set, (f) => out.add(f.name.value));
  for (const node of info.fieldNodes) {
    fields(node.selectionSet, (f) => {
      if (f.name.value === "nodes") collect(f.selectionSet);
      else if (f.name.value === "edges") fields(f.selectionSet, (e) => e.name.value === "node" && collect(e.selectionSet));
    });
  }
  nodeFields.set(key, out);
  return out;
}

function selectsUncached(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean => {
    for (const s of set?.selections ?? []) {
      if (s.kind === "Field" && s.name.value === name) return true;
      if (s.kind === "InlineFragment" && walk(s.selectionSet)) return true;
      if (s.kind === "FragmentSpread" && !seen.has(s.name.value)) {
        seen.add(s.name.value);
        if (walk(info.fragments[s.name.value]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((n) => walk(n.selectionSet));
}

/** Page size from first/last: the core's default and range (0…100), refused with 400 under GraphQL's names. */
export function pageSize(args: ConnectionArgs): number {
  if (args.first != null && args.last != null) throw new BadRequestError("Pass either first or last, not both", { first: "Not with last" });
  const n = args.first ?? args.last ?? DEFAULT_PAGE_SIZE;
  const which = args.last != null ? "last" : "first";
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) throw new BadRequestError(`${which} must be between 0 and ${MAX_PAGE_SIZE}`, { [which]: `Must be between 0 and ${MAX_PAGE_SIZE}` });
  return n;
}

export interface ListArgs extends ConnectionArgs {
  filter: Expr;
  /** the record fields the query selects (a projection: others are not read) */
  fields?: ReadonlySet<string>;
  orderBy?: readonly OrderByInput[] | null;
  search?: string | null;
}

/** Resolves a top-level collection connection through `listRecords`. */
export async function listConnection(ctx: Context, def: CollectionDef, args: ListArgs, withTotal: boolean): Promise<Connection> {
  const size = pageSize(args);
  let terms: ColumnTerm[];
  try {
    terms = orderByToTerms(def, args.orderBy);
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid orderBy: ${e.message}`, { orderBy: e.message });
    throw e;
  }
  const backward = args.last != null || args.before != null;
  if (args.offset != null && (args.after != null || backward)) throw new BadRequestError("offset cannot be combined with after, last or before", { offset: "Use offset with first only" });
  if (args.after != null && backward) throw new BadRequestError("Pass either after or before/last, not both", { after: "Not with before/last" });
  const offset = args.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError("offset must not be negative", { offset: "Must not be negative" });
  const r = await listRecords(ctx, def.name, {
    filter: args.filter,
    search: args.search ?? undefined,
    skipTotal: !withTotal,
    sort: terms,
    pageSize: size,
    offset: backward ? undefined : offset,
    after: args.after ?? undefined,
    before: args.before ?? undefined,
    fromEnd: backward,
    fields: args.fields,
  });
  return connectionOf(def, r.terms, ctx.services.db.dialect, r.items, r.hasMore, r.hasPrevious, r.total);
}
