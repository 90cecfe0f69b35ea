/**
 * Per-request DataLoaders, kept on the GraphQL context: reference fields load their targets
 * through one batched `WHERE id IN (…)` per collection and tick, reverse references (`Author.posts`)
 * load the first N children of every parent in one window-function statement.
 */
import DataLoader from "dataloader";
import { getRecordsByIds, listRecordsGrouped, type RecordGroup } from "../core/records/batch-read.ts";
import type { CollectionDef } from "../core/collections/types.ts";
import type { RecordData } from "../core/records/values.ts";
import type { Expr } from "../query/ast.ts";
import type { ColumnTerm } from "../core/records/list-query.ts";
import type { GraphqlContext } from "./builder.ts";
import { filesByIds } from "../core/files/read.ts";
import type { FileView } from "../core/files/types.ts";

const MAX_BATCH = 1000;

function cached<T>(g: GraphqlContext, key: unknown, make: () => T): T {
  let value = g.loaders.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    g.loaders.set(key, value);
  }
  return value;
}

/** The request's records of a collection already loaded (null: absent or hidden). */
function recordCache(g: GraphqlContext, collection: string): Map<string, RecordData | null> {
  let cache = g.records.get(collection);
  if (!cache) g.records.set(collection, (cache = new Map()));
  return cache;
}

/** A record loaded earlier in this request (null: absent or hidden), or undefined when not loaded. */
export function loadedRecord(g: GraphqlContext, collection: string, id: string): RecordData | null | undefined {
  return g.records.get(collection)?.get(id);
}

/**
 * Loads the records of `collection` with these ids in one statement, ahead of the fields that
 * will ask for them: those fields then resolve synchronously (`loadedRecord`) instead of
 * through one DataLoader promise each, which is most of what a reference costs GraphQL.
 */
export async function prefetchRecords(g: GraphqlContext, collection: string, ids: Iterable<string>): Promise<void> {
  const cache = recordCache(g, collection);
  const missing = [...new Set(ids)].filter((id) => !cache.has(id));
  if (missing.length === 0) return;
  const found = await getRecordsByIds(g.cairn, collection, missing);
  for (const id of missing) cache.set(id, found.get(id) ?? null);
}

/** Records of `collection` by id; unknown or unreadable ids load as null. */
export function recordLoader(g: GraphqlContext, collection: string): DataLoader<string, RecordData | null> {
  return cached(
    g,
    `record:${collection}`,
    () =>
      new DataLoader<string, RecordData | null>(
        async (ids) => {
          const found = await getRecordsByIds(g.cairn, collection, ids);
          const cache = recordCache(g, collection);
          return ids.map((id) => {
            const rec = found.get(id) ?? null;
            cache.set(id, rec);
            return rec;
          });
        },
        { maxBatchSize: MAX_BATCH },
      ),
  );
}

export interface GroupedArgs {
  filter: Expr;
  sort: ColumnTerm[];
  limit: number;
  offset: number;
  /** cursors and direction, as `listRecordsGrouped` takes them */
  after?: string;
  before?: string;
  fromEnd?: boolean;
  withTotal: boolean;
  /** the child fields the query selects (a projection) */
  fields: ReadonlySet<string>;
}

/**
 * The children of parents through a single reference field: one loader (and one statement per
 * batch) for each distinct argument set of the reverse field in a request.
 */
export function groupedLoader(g: GraphqlContext, collection: string, field: string, args: GroupedArgs): DataLoader<string, RecordGroup> {
  const { filter, sort, limit, offset, after, before, fromEnd, withTotal, fields } = args;
  const key = `group:${collection}:${field}:${JSON.stringify([filter, sort, limit, offset, after, before, fromEnd, withTotal, [...fields]])}`;
  return cached(
    g,
    key,
    () =>
      new DataLoader<string, RecordGroup>(
        async (parents) => {
          const groups = await listRecordsGrouped(g.cairn, collection, { field, parents, filter, sort, limit, offset, after, before, fromEnd, withTotal, fields });
          return parents.map((p) => groups.get(p) ?? { items: [], hasMore: false, hasPrevious: false, total: withTotal ? 0 : null });
        },
        { maxBatchSize: MAX_BATCH },
      ),
  );
}

/** A reverse connection field as resolved in one request: its loader and the order of its pages. */
export interface ReverseSelection {
  loader: DataLoader<string, RecordGroup>;
  sort: ColumnTerm[];
  offset: number;
}

/**
 * The reverse connection selected by `fieldNodes` in this request, worked out once: its arguments
 * (variables included) are the same for every parent, and the executor hands every parent of a
 * list the same `fieldNodes` array, so the arguments are read and the loader looked up once per
 * request instead of once per parent. `make` reads the arguments.
 */
export function reverseSelection(g: GraphqlContext, fieldNodes: readonly unknown[], make: () => { collection: string; field: string; args: GroupedArgs }): ReverseSelection {
  return cached(g, fieldNodes, () => {
    const { collection, field, args } = make();
    return { loader: groupedLoader(g, collection, field, args), sort: args.sort, offset: args.offset };
  });
}

/**
 * Prefetches the targets of the reference fields `selected` on these records (one statement per
 * referenced collection). Failures are left to the fields themselves: they fall back to the
 * DataLoader, which reports the error on each field.
 */
export async function prefetchReferences(g: GraphqlContext, def: CollectionDef, records: readonly RecordData[], selected: ReadonlySet<string>): Promise<void> {
  if (records.length === 0) return;
  const work: Promise<void>[] = [];
  for (const f of def.fields) {
    if (f.type !== "reference" || !f.options.collection || !selected.has(f.name)) continue;
    const ids: string[] = [];
    for (const r of records) {
      const v = r[f.name];
      if (typeof v === "string") ids.push(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === "string") ids.push(x);
    }
    if (ids.length) work.push(prefetchRecords(g, f.options.collection, ids).catch(() => {}));
  }
  await Promise.all(work);
}

/**
 * Files of the caller's account by id, for `file` fields: one query per batch (unknown ids load
 * as null). The records holding them were already read under the caller's rules.
 */
export function fileLoader(g: GraphqlContext): DataLoader<string, FileView | null> {
  return cached(
    g,
    "files",
    () =>
      new DataLoader<string, FileView | null>(
        async (ids) => {
          const found = await filesByIds(g.cairn, ids);
          return ids.map((id) => found.get(id) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      ),
  );
}
