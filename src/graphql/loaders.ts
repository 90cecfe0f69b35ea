/**
 * Per-request DataLoaders, kept on the GraphQL context: reference fields load their targets
 * through one batched `WHERE id IN (…)` per collection and tick, reverse references (`Author.posts`)
 * load the first N children of every parent in one window-function statement.
 */
import DataLoader from "dataloader";
import { getRecordsByIds, listRecordsGrouped, type RecordGroup } from "../core/records/batch-read.ts";
import type { RecordData } from "../core/records/values.ts";
import type { Expr } from "../query/ast.ts";
import type { SortTerm } from "../query/sort.ts";
import type { GraphqlContext } from "./builder.ts";

const MAX_BATCH = 1000;

function cached<K, V>(g: GraphqlContext, key: string, make: () => DataLoader<K, V>): DataLoader<K, V> {
  let loader = g.loaders.get(key) as DataLoader<K, V> | undefined;
  if (!loader) {
    loader = make();
    g.loaders.set(key, loader);
  }
  return loader;
}

/** Records of `collection` by id; unknown or unreadable ids load as null. */
export function recordLoader(g: GraphqlContext, collection: string): DataLoader<string, RecordData | null> {
  return cached(g, `record:${collection}`, () =>
    new DataLoader<string, RecordData | null>(
      async (ids) => {
        const found = await getRecordsByIds(g.cairn, collection, ids);
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
  );
}

export interface GroupedArgs {
  filter: Expr;
  sort: SortTerm[];
  limit: number;
  offset: number;
  withTotal: boolean;
}

/**
 * The children of parents through a single reference field: one loader (and one statement per
 * batch) for each distinct argument set of the reverse field in a request.
 */
export function groupedLoader(g: GraphqlContext, collection: string, field: string, args: GroupedArgs): DataLoader<string, RecordGroup> {
  const key = `group:${collection}:${field}:${JSON.stringify(args)}`;
  return cached(g, key, () =>
    new DataLoader<string, RecordGroup>(
      async (parents) => {
        const groups = await listRecordsGrouped(g.cairn, collection, { field, parents, filter: args.filter, sort: args.sort, limit: args.limit, offset: args.offset, withTotal: args.withTotal });
        return parents.map((p) => groups.get(p) ?? { items: [], hasMore: false, total: args.withTotal ? 0 : null });
      },
      { maxBatchSize: MAX_BATCH },
    ),
  );
}
