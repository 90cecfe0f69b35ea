/**
 * Root fields per collection: `post`/`posts` queries, create/update/delete (single and bulk)
 * mutations, and `postCreated`/`postUpdated`/`postDeleted`/`postChanged` subscriptions.
 * Each resolver parses its arguments, calls the core operation, and shapes the result.
 */
import { NotFoundError } from "../core/errors.ts";
import { getRecord } from "../core/records/read.ts";
import { bulkCreateRecords, bulkDeleteRecords, bulkUpdateRecords, createRecord, deleteRecord, updateRecord } from "../core/records/write.ts";
import type { HubMessage, RealtimeHub, SubscriptionKind } from "../realtime/hub.ts";
import type { Builder, GraphqlContext } from "./builder.ts";
import type { CollectionRefs } from "./collection-types.ts";
import { listConnection, selects } from "./pagination.ts";
import { whereToExpr } from "./where.ts";

const nullIfMissing = async <T>(p: Promise<T>): Promise<T | null> => {
  try {
    return await p;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
};

/** The value of a subscription event, or the error that ends the subscription. */
function unwrap(m: HubMessage): Exclude<HubMessage, Error> {
  if (m instanceof Error) throw m;
  return m;
}

/** Adds the query, mutation and subscription fields of every collection. */
export function addCollectionFields(b: Builder, collections: Iterable<CollectionRefs>, hub: RealtimeHub): void {
  const all = [...collections];
  if (all.length === 0) return;

  b.queryFields((t: any) => {
    const fields: Record<string, any> = {};
    for (const refs of all) {
      const { def, names } = refs;
      fields[names.single] = t.field({
        type: refs.object,
        nullable: true,
        description: `One ${def.name} record by id (null when absent)`,
        args: { id: t.arg.id({ required: true }) },
        resolve: (_r: unknown, args: { id: string }, g: GraphqlContext) => nullIfMissing(getRecord(g.cairn, def.name, String(args.id))),
      });
      fields[names.list] = t.connection(
        {
          type: refs.object,
          nullable: false,
          description: `${def.name} records: filter with where, sort with orderBy, full-text search with search; page with first/after, last/before or first/offset (at most 100 per page)`,
          args: {
            where: t.arg({ type: refs.where }),
            orderBy: t.arg({ type: [refs.orderBy] }),
            search: t.arg.string(),
            offset: t.arg.int(),
          },
          resolve: (_r: unknown, args: any, g: GraphqlContext, info: any) =>
            listConnection(g.cairn, def, { ...args, filter: whereToExpr(args.where) }, selects(info, "totalCount")),
        },
        refs.connection,
      );
    }
    return fields;
  });

  b.mutationFields((t: any) => {
    const fields: Record<string, any> = {};
    for (const refs of all) {
      const { def, names } = refs;
      const name = def.name;
      const data = refs.createInput ? { data: t.arg({ type: refs.createInput, required: true }) } : {};
      fields[names.create] = t.field({
        type: refs.object,
        nullable: false,
        args: data,
        resolve: (_r: unknown, args: any, g: GraphqlContext) => createRecord(g.cairn, name, args.data ?? {}),
      });
      if (refs.updateInput) {
        fields[names.update] = t.field({
          type: refs.object,
          nullable: false,
          description: "Changes the fields present in data; with expectedVersion, fails with CONFLICT unless the record is still at that version",
          args: { id: t.arg.id({ required: true }), data: t.arg({ type: refs.updateInput, required: true }), expectedVersion: t.arg.int() },
          resolve: (_r: unknown, args: any, g: GraphqlContext) =>
            updateRecord(g.cairn, name, String(args.id), args.data, args.expectedVersion == null ? {} : { expectedVersion: args.expectedVersion }),
        });
      }
      fields[names.delete] = t.field({
        type: refs.object,
        nullable: true,
        description: "Deletes a record; returns it as it was, or null when absent",
        args: { id: t.arg.id({ required: true }) },
        resolve: (_r: unknown, args: any, g: GraphqlContext) => nullIfMissing(deleteRecord(g.cairn, name, String(args.id))),
      });
      if (refs.createInput) {
        fields[names.createMany] = t.field({
          type: [refs.object],
          nullable: false,
          description: "Creates up to 100 records, all or nothing",
          args: { data: t.arg({ type: [refs.createInput], required: true }) },
          resolve: (_r: unknown, args: any, g: GraphqlContext) => bulkCreateRecords(g.cairn, name, args.data),
        });
        fields[names.updateMany] = t.field({
          type: "Int",
          nullable: false,
          description: "Applies data to up to 100 records, all or nothing; returns how many were updated",
          args: { ids: t.arg.idList({ required: true }), data: t.arg({ type: refs.updateInput, required: true }) },
          resolve: async (_r: unknown, args: any, g: GraphqlContext) => (await bulkUpdateRecords(g.cairn, name, args.ids.map(String), args.data)).length,
        });
      }
      fields[names.deleteMany] = t.field({
        type: "Int",
        nullable: false,
        description: "Deletes up to 100 records, all or nothing; returns how many were deleted",
        args: { ids: t.arg.idList({ required: true }) },
        resolve: async (_r: unknown, args: any, g: GraphqlContext) => (await bulkDeleteRecords(g.cairn, name, args.ids.map(String))).length,
      });
    }
    return fields;
  });

  b.subscriptionType({});
  b.subscriptionFields((t: any) => {
    const fields: Record<string, any> = {};
    for (const refs of all) {
      const { def, names } = refs;
      const open = (kind: SubscriptionKind) => (_r: unknown, args: any, g: GraphqlContext) => hub.subscribe(g.cairn, def.name, kind, whereToExpr(args.where));
      const where = { where: t.arg({ type: refs.where }) };
      fields[names.created] = t.field({ type: refs.object, nullable: false, args: where, subscribe: open("created"), resolve: (m: HubMessage) => unwrap(m).record });
      fields[names.updated] = t.field({ type: refs.object, nullable: false, args: where, subscribe: open("updated"), resolve: (m: HubMessage) => unwrap(m).record });
      fields[names.deleted] = t.field({ type: "ID", nullable: false, description: "ids of deleted records you could read", subscribe: open("deleted"), resolve: (m: HubMessage) => unwrap(m).id });
      fields[names.changed] = t.field({
        type: refs.change,
        nullable: false,
        description: "Every change; a record that stops matching where (or readable) arrives as DELETE with only its id",
        args: where,
        subscribe: open("changed"),
        resolve: (m: HubMessage) => unwrap(m),
      });
    }
    return fields;
  });
}
