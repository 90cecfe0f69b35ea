/**
 * Relay's object identification: `node(id: ID!): Node` and `nodes(ids: [ID!]!): [Node]!` over
 * every collection in the schema. A record's `id` is its global id (record ids are UUIDs from one
 * space), so clients pass the `id` they already have.
 *
 * Every `node`/`nodes` of a request goes through one DataLoader: one statement finds the
 * collections of all the ids (core/records/locate.ts), then each collection touched is read
 * once through the request's record loader, under the collection's view rule and field access,
 * exactly as `post(id:)` reads it. A record the caller may not see, a collection they may not
 * read and an unknown id all answer null alike.
 */
import DataLoader from "dataloader";
import { GraphQLID, GraphQLList, GraphQLNonNull, type GraphQLFieldConfigMap } from "graphql";
import { AppError, BadRequestError } from "../core/errors.ts";
import { locateRecords } from "../core/records/locate.ts";
import type { RecordData } from "../core/records/values.ts";
import type { GraphqlContext } from "./builder.ts";
import type { CollectionTypes } from "./collection-types.ts";
import { recordLoader } from "./loaders.ts";
import type { SharedTypes } from "./system-schema.ts";

/** Most ids one `nodes` call takes (as the bulk mutations). */
export const MAX_NODE_IDS = 100;

/** A record with the name of its GraphQL type, which the `Node` interface resolves to. */
type TypedRecord = RecordData & { __typename: string };

/** Type name per lower-case collection name, for the collections of one schema. */
type TypeNames = ReadonlyMap<string, string>;

/** The caller may not read the collection at all (401/403): their nodes read as null. */
const refused = (e: unknown) => e instanceof AppError && (e.status === 401 || e.status === 403);

/** The request's node loader: ids → records of any collection in this schema (null when absent or hidden). */
function nodeLoader(g: GraphqlContext, typeNames: TypeNames): DataLoader<string, TypedRecord | null> {
  let loader = g.loaders.get(nodeLoader) as DataLoader<string, TypedRecord | null> | undefined;
  if (loader) return loader;
  loader = new DataLoader<string, TypedRecord | null>(
    async (ids) => {
      const where = await locateRecords(g.cairn, ids);
      const byCollection = new Map<string, string[]>();
      for (const [id, collection] of where) {
        if (!typeNames.has(collection.toLowerCase())) continue;
        if (!byCollection.has(collection)) byCollection.set(collection, []);
        byCollection.get(collection)!.push(id);
      }
      const found = new Map<string, TypedRecord>();
      await Promise.all(
        [...byCollection].map(async ([collection, list]) => {
          const __typename = typeNames.get(collection.toLowerCase())!;
          const recs = await recordLoader(g, collection).loadMany(list);
          recs.forEach((rec, i) => {
            if (rec instanceof Error) {
              if (!refused(rec)) throw rec;
            } else if (rec) found.set(list[i]!, { ...rec, __typename });
          });
        }),
      );
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: 1000 },
  );
  g.loaders.set(nodeLoader, loader);
  return loader;
}

/** The `node` and `nodes` query fields for the collections of one schema. */
export function nodeRootFields(collections: Iterable<CollectionTypes>, s: SharedTypes): GraphQLFieldConfigMap<unknown, GraphqlContext> {
  const typeNames = new Map<string, string>();
  for (const c of collections) typeNames.set(c.def.name.toLowerCase(), c.names.type);
  return {
    node: {
      type: s.Node,
      description: "The record with this id, whatever its collection (null when absent or not readable by you)",
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: (_r, args, g) => nodeLoader(g, typeNames).load(String(args.id)),
    },
    nodes: {
      type: new GraphQLNonNull(new GraphQLList(s.Node)),
      description: `The records with these ids, in the same order (null for each absent or not readable by you); at most ${MAX_NODE_IDS} ids`,
      args: { ids: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLID))) } },
      resolve: (_r, args: { ids: string[] }, g) => {
        if (args.ids.length > MAX_NODE_IDS) throw new BadRequestError(`nodes takes at most ${MAX_NODE_IDS} ids`, { ids: `At most ${MAX_NODE_IDS}` });
        return nodeLoader(g, typeNames).loadMany(args.ids.map(String));
      },
    },
  };
}
