/**
 * Root fields per collection: `post`/`posts` queries, create/update/delete (single and bulk)
 * mutations, and `postCreated`/`postUpdated`/`postDeleted`/`postChanged` subscriptions, less
 * those the schema's role set may not use (role-view.ts).
 * Each resolver parses its arguments, calls the core operation, and shapes the result.
 */
import { GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString, type GraphQLFieldConfigMap, type GraphQLInputType, type GraphQLOutputType } from "graphql";
import { AppError, NotFoundError, renameInputs } from "../core/errors.ts";
import { getRecord } from "../core/records/read.ts";
import { bulkCreateRecords, bulkDeleteRecords, bulkUpdateRecords, createRecord, deleteRecord, updateRecord } from "../core/records/write.ts";
import type { HubMessage, RealtimeHub, SubscriptionKind } from "../realtime/hub.ts";
import type { GraphqlContext } from "./builder.ts";
import type { CollectionTypes } from "./collection-types.ts";
import { prefetchReferences } from "./loaders.ts";
import { listConnection, nodeFieldNames, selects } from "./pagination.ts";
import { whereToExpr } from "./where.ts";
import { addContentFields } from "./collection-content-fields.ts";
import { pruneRootFields } from "./role-view.ts";
import type { SharedTypes } from "./system-schema.ts";

type Fields = GraphQLFieldConfigMap<unknown, GraphqlContext>;

const nn = <T extends GraphQLOutputType>(t: T) => new GraphQLNonNull(t);
const req = <T extends GraphQLInputType>(t: T) => new GraphQLNonNull(t);
const ids = req(new GraphQLList(req(GraphQLID)));

/** GraphQL names of the core's bulk inputs: errors name the `ids` argument. */
const ARG_NAMES: ReadonlyMap<string, string> = new Map([["recordIds", "ids"]]);
const asGraphqlArgs = <T>(p: Promise<T>): Promise<T> =>
  p.catch((e: unknown) => {
    throw e instanceof AppError ? renameInputs(e, ARG_NAMES) : e;
  });

const nullIfMissing = async <T>(p: Promise<T>): Promise<T | null> => {
  try {
    return await p;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
};

/** The value of a subscription event (the root value), or the error that ends the subscription. */
function unwrap(m: HubMessage): Exclude<HubMessage, Error> {
  if (m instanceof Error) throw m;
  return m;
}

export interface RootFields {
  query: Fields;
  mutation: Fields;
  subscription: Fields;
}

/** The root fields of every collection. */
export function collectionRootFields(collections: Iterable<CollectionTypes>, hub: RealtimeHub, shared: SharedTypes): RootFields {
  const query: Fields = {};
  const mutation: Fields = {};
  const subscription: Fields = {};
  for (const c of collections) {
    const { def, names } = c;
    const name = def.name;

    query[names.single] = {
      type: c.object,
      description: `One ${name} record by id (null when absent)`,
      args: { id: { type: req(GraphQLID) } },
      resolve: (_r, args, g) => nullIfMissing(getRecord(g.cairn, name, String(args.id))),
    };
    query[names.list] = {
      type: nn(c.connection),
      description: `${name} records: filter with where, sort with orderBy, full-text search with search; page with first/after, last/before or first/offset (at most 100 per page)`,
      args: {
        where: { type: c.where },
        orderBy: { type: new GraphQLList(req(c.orderBy)) },
        search: { type: GraphQLString },
        first: { type: GraphQLInt },
        after: { type: GraphQLString },
        last: { type: GraphQLInt },
        before: { type: GraphQLString },
        offset: { type: GraphQLInt },
      },
      resolve: async (_r, args, g, info) => {
        const fields = nodeFieldNames(info);
        const conn = await listConnection(g.cairn, def, { ...args, filter: whereToExpr(args.where), fields }, selects(info, "totalCount"));
        await prefetchReferences(g, def, conn.nodes, fields);
        return conn;
      },
    };

    mutation[names.create] = {
      type: nn(c.object),
      args: c.createInput ? { data: { type: req(c.createInput) } } : {},
      resolve: (_r, args, g) => createRecord(g.cairn, name, args.data ?? {}),
    };
    if (c.updateInput) {
      mutation[names.update] = {
        type: nn(c.object),
        description: "Changes the fields present in data; with expectedVersion, fails with CONFLICT unless the record is still at that version",
        args: { id: { type: req(GraphQLID) }, data: { type: req(c.updateInput) }, expectedVersion: { type: GraphQLInt } },
        resolve: (_r, args, g) => updateRecord(g.cairn, name, String(args.id), args.data, args.expectedVersion == null ? {} : { expectedVersion: args.expectedVersion }),
      };
    }
    mutation[names.delete] = {
      type: c.object,
      description: "Deletes a record; returns it as it was, or null when absent",
      args: { id: { type: req(GraphQLID) } },
      resolve: (_r, args, g) => nullIfMissing(deleteRecord(g.cairn, name, String(args.id))),
    };
    if (c.createInput) {
      mutation[names.createMany] = {
        type: nn(new GraphQLList(nn(c.object))),
        description: "Creates up to 100 records, all or nothing",
        args: { data: { type: req(new GraphQLList(req(c.createInput))) } },
        resolve: (_r, args, g) => bulkCreateRecords(g.cairn, name, args.data),
      };
    }
    if (c.updateInput) {
      mutation[names.updateMany] = {
        type: nn(GraphQLInt),
        description: "Applies data to up to 100 records, all or nothing; returns how many were updated",
        args: { ids: { type: ids }, data: { type: req(c.updateInput) } },
        resolve: async (_r, args, g) => (await asGraphqlArgs(bulkUpdateRecords(g.cairn, name, args.ids.map(String), args.data))).length,
      };
    }
    mutation[names.deleteMany] = {
      type: nn(GraphQLInt),
      description: "Deletes up to 100 records, all or nothing; returns how many were deleted",
      args: { ids: { type: ids } },
      resolve: async (_r, args, g) => (await asGraphqlArgs(bulkDeleteRecords(g.cairn, name, args.ids.map(String)))).length,
    };

    addContentFields(c, query, mutation, shared);

    const open = (kind: SubscriptionKind) => (_r: unknown, args: { where?: Record<string, unknown> | null }, g: GraphqlContext) => hub.subscribe(g.cairn, name, kind, whereToExpr(args.where));
    const where = { where: { type: c.where } };
    subscription[names.created] = { type: nn(c.object), args: where, subscribe: open("created"), resolve: (m: any) => unwrap(m).record };
    subscription[names.updated] = { type: nn(c.object), args: where, subscribe: open("updated"), resolve: (m: any) => unwrap(m).record };
    subscription[names.deleted] = {
      type: nn(c.object),
      description: "Deleted records you could read, as you last could see them (for cache eviction: id and __typename at least)",
      subscribe: open("deleted"),
      resolve: (m: any) => unwrap(m).record,
    };
    subscription[names.changed] = {
      type: nn(c.change),
      description: "Every change; a record that stops matching where (or readable) arrives as DELETE with the last state you could see",
      args: where,
      subscribe: open("changed"),
      resolve: (m: any) => unwrap(m),
    };
    pruneRootFields(names, c.view, { query, mutation, subscription });
  }
  return { query, mutation, subscription };
}
