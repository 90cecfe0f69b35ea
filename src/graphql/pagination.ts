/**
 * Connection arguments → core list queries, and list results → Relay connections.
 * Forward (`first`/`after`), backward (`last`/`before`: the sort reversed, then the page
 * reversed back) and `offset` pagination; `totalCount` is counted only when selected.
 */
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Context } from "../core/context.ts";
import { BadRequestError } from "../core/errors.ts";
import { DEFAULT_PER_PAGE, listRecords, MAX_PER_PAGE } from "../core/records/read.ts";
import { toStorage, type RecordData } from "../core/records/values.ts";
import { FilterError, type Expr } from "../query/ast.ts";
import { collectionResolver } from "../query/fields.ts";
import type { SortTerm } from "../query/sort.ts";
import { GRAPHQL_TO_FIELD } from "./where.ts";
import { own } from "../lib/own.ts";

export type ColumnTerm = Extract<SortTerm, { column: string }>;
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
export function connectionOf(def: CollectionDef, terms: readonly ColumnTerm[], dialect: "sqlite" | "postgres", nodes: RecordData[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: number | null): Connection {
  return {
    nodes,
    cursor: (rec) => cursorOf(def, terms, rec, dialect),
    pageInfo: { hasNextPage, hasPreviousPage, start: nodes[0] ?? null, end: nodes[nodes.length - 1] ?? null },
    totalCount,
  };
}

/**
 * `[{ views: DESC }, { title: ASC }]` → sort terms, with the core's defaults applied
 * (newest first) and `id` appended as the tie-breaker, so cursors are stable.
 * @throws FilterError for an unknown or unsortable field.
 */
export function orderByToTerms(def: CollectionDef, orderBy: readonly OrderByInput[] | null | undefined): ColumnTerm[] {
  const resolve = collectionResolver(def);
  const terms: ColumnTerm[] = [];
  for (const item of orderBy ?? []) {
    for (const [key, dir] of Object.entries(item)) {
      if (dir == null) continue;
      const info = resolve(own(GRAPHQL_TO_FIELD, key) ?? key);
      if (!info || info.kind === "json") throw new FilterError(`cannot sort by '${key}'`);
      if (terms.some((t) => t.column === info.column)) throw new FilterError(`duplicate sort field '${key}'`);
      terms.push({ column: info.column, name: info.name, desc: dir === "DESC", kind: info.kind });
    }
  }
  if (terms.length === 0) terms.push({ column: "created", name: "created", desc: true, kind: "datetime" });
  if (!terms.some((t) => t.column === "id")) terms.push({ column: "id", name: "id", desc: terms[terms.length - 1]!.desc, kind: "text" });
  return terms;
}

/**
 * The cursor of a record for the sort terms: the same encoding as the core's `nextCursor`
 * (base64url JSON of the stored sort values), so any edge's cursor can be passed as `after`.
 */
export function cursorOf(def: CollectionDef, terms: readonly ColumnTerm[], rec: RecordData, dialect: "sqlite" | "postgres"): string {
  const values = terms.map((t) => {
    const f = def.fields.find((x) => x.name === t.name);
    const v = rec[t.name] ?? null;
    return f ? toStorage(f, v, dialect) : v;
  });
  return Buffer.from(JSON.stringify(values)).toString("base64url");
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
  let names = nodeFields.get(key);
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

/** Page size from first/last: default 30, 0…100. */
export function pageSize(args: ConnectionArgs): number {
  if (args.first != null && args.last != null) throw new BadRequestError("Pass either first or last, not both", { first: "Not with last" });
  const n = args.first ?? args.last ?? DEFAULT_PER_PAGE;
  const which = args.last != null ? "last" : "first";
  if (!Number.isInteger(n) || n < 0 || n > MAX_PER_PAGE) throw new BadRequestError(`${which} must be between 0 and ${MAX_PER_PAGE}`, { [which]: `Must be between 0 and ${MAX_PER_PAGE}` });
  return n;
}

export interface ListArgs extends ConnectionArgs {
  filter: Expr;
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
  const dialect = ctx.services.db.dialect;
  const base = { filter: args.filter, search: args.search ?? undefined, skipTotal: !withTotal };

  let items: RecordData[];
  let hasMore: boolean;
  let total: number | null;
  if (size === 0) {
    const r = await listRecords(ctx, def.name, { ...base, sort: terms, perPage: 1 });
    return connectionOf(def, terms, dialect, [], r.items.length > 0, false, r.total);
  }
  if (backward) {
    const reversed = terms.map((t) => ({ ...t, desc: !t.desc }));
    const r = await listRecords(ctx, def.name, { ...base, sort: reversed, perPage: size, after: args.before ?? undefined });
    items = r.items.reverse();
    hasMore = r.hasMore;
    total = r.total;
  } else if (offset > 0) {
    const r = await listRecords(ctx, def.name, { ...base, sort: terms, perPage: size, offset });
    items = r.items;
    hasMore = r.hasMore;
    total = r.total;
  } else {
    const r = await listRecords(ctx, def.name, { ...base, sort: terms, perPage: size, after: args.after ?? undefined });
    items = r.items;
    hasMore = r.hasMore;
    total = r.total;
  }
  return connectionOf(def, terms, dialect, items, backward ? args.before != null : hasMore, backward ? hasMore : args.after != null || offset > 0, total);
}
