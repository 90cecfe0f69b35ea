/**
 * GraphQL for the model operations of issue 12 that have no per-collection field: grouped
 * aggregation (`aggregateRecords`), display-name search (`nameSearch`), `cloneRecord` and
 * `resequenceRecord`. Filters are written in the filter language (`status = "won" &&
 * partner.name ~ "acme"`, paths through references allowed). Resolvers call the core and shape
 * nothing else.
 */
import { BadRequestError } from "../core/errors.ts";
import { aggregateRecords, type AggregateFn, type AggregateResult } from "../core/records/aggregate.ts";
import { cloneRecord } from "../core/records/clone.ts";
import { nameSearch, type NameMatch } from "../core/records/name-search.ts";
import { resequenceRecord, type ResequenceResult } from "../core/records/resequence.ts";
import { FilterError, type Expr } from "../query/ast.ts";
import { parseExpression } from "../query/parse-expression.ts";
import type { Builder } from "./builder.ts";

function parseFilter(text: string | null | undefined): Expr | undefined {
  if (!text?.trim()) return undefined;
  try {
    return parseExpression(text);
  } catch (e) {
    if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message, ...(e.position !== undefined ? { position: e.position } : {}) });
    throw e;
  }
}

/** Adds `aggregateRecords`, `nameSearch`, `cloneRecord` and `resequenceRecord`. */
export function addModelFields(b: Builder): void {
  const aggregateInput = b.inputType("AggregateInput", {
    fields: (t) => ({ field: t.string({ required: true }), fn: t.string({ required: true, description: "sum, avg, min or max" }) }),
  });
  const groupOrder = b.inputType("GroupOrder", {
    fields: (t) => ({ key: t.string({ required: true, description: "a group field, count or an aggregate key (price_sum)" }), desc: t.boolean() }),
  });
  const aggregateResult = b.objectRef<AggregateResult>("AggregateResult").implement({
    description: "One row per group: the group fields, count and the aggregate keys (<field>_<fn>).",
    fields: (t) => ({
      groups: t.field({ type: "JSON", resolve: (r) => r.groups.map((g) => ({ ...g.key, count: g.count, ...g.values })) }),
      total: t.exposeInt("total", { description: "number of groups" }),
    }),
  });
  const nameMatch = b.objectRef<NameMatch>("NameMatch").implement({
    fields: (t) => ({ id: t.exposeID("id"), displayName: t.exposeString("displayName") }),
  });
  const resequenced = b.objectRef<ResequenceResult>("ResequenceResult").implement({
    fields: (t) => ({ sequence: t.exposeInt("sequence"), changed: t.idList({ resolve: (r) => r.changed }) }),
  });

  b.queryFields((t) => ({
    aggregateRecords: t.field({
      type: aggregateResult,
      description: "Groups the records you may list: count and sum/avg/min/max per group, computed in SQL.",
      args: {
        collection: t.arg.string({ required: true }),
        groupBy: t.arg.stringList({ required: true }),
        aggregates: t.arg({ type: [aggregateInput] }),
        filter: t.arg.string(),
        orderBy: t.arg({ type: [groupOrder] }),
        limit: t.arg.int(),
        offset: t.arg.int(),
      },
      resolve: (_r, a, { cairn }) =>
        aggregateRecords(cairn, a.collection, {
          filter: parseFilter(a.filter),
          groupBy: a.groupBy,
          aggregates: (a.aggregates ?? []).map((x) => ({ field: x.field, fn: x.fn as AggregateFn })),
          sort: (a.orderBy ?? []).map((o) => ({ key: o.key, desc: !!o.desc })),
          limit: a.limit ?? undefined,
          offset: a.offset ?? undefined,
        }),
    }),
    nameSearch: t.field({
      type: [nameMatch],
      description: "Records by display name: prefix matches first, then other matches.",
      args: { collection: t.arg.string({ required: true }), term: t.arg.string({ required: true }), limit: t.arg.int(), filter: t.arg.string() },
      resolve: (_r, a, { cairn }) => nameSearch(cairn, a.collection, { term: a.term, limit: a.limit ?? undefined, filter: parseFilter(a.filter) }),
    }),
  }));

  b.mutationFields((t) => ({
    cloneRecord: t.field({
      type: "JSON",
      description: "Copies a record under a new id (unique values made unique, files shared); the copy as you may view it.",
      args: { collection: t.arg.string({ required: true }), id: t.arg.id({ required: true }) },
      resolve: (_r, a, { cairn }) => cloneRecord(cairn, a.collection, String(a.id)),
    }),
    resequenceRecord: t.field({
      type: resequenced,
      description: "Moves a record right after another (first without afterId) in a number field's order, renumbering 1…n.",
      args: { collection: t.arg.string({ required: true }), id: t.arg.id({ required: true }), afterId: t.arg.id(), field: t.arg.string({ description: "default sequence" }) },
      resolve: (_r, a, { cairn }) =>
        resequenceRecord(cairn, a.collection, { id: String(a.id), afterId: a.afterId === null || a.afterId === undefined ? null : String(a.afterId), field: a.field ?? undefined }),
    }),
  }));
}
