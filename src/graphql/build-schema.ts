/**
 * Builds the whole GraphQL schema for a set of collection definitions: the Pothos system
 * schema (built once per Prisma client) plus each collection's types and root fields, merged
 * into new root types. Shared types are reused by every schema built.
 */
import { GraphQLObjectType, GraphQLSchema, type GraphQLFieldConfigMap, type GraphQLNamedType } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Prisma } from "../db/prisma.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { collectionRootFields } from "./collection-fields.ts";
import { collectionTypes } from "./collection-types.ts";
import { GraphqlNameClaims } from "./names.ts";
import { nodeRootFields } from "./relay-node.ts";
import { collectionAliases, deprecateAliasRootFields } from "./rename-aliases.ts";
import { systemSchema } from "./system-schema.ts";

export interface BuildOptions {
  prisma: Prisma;
  hub: RealtimeHub;
  /** logs collections left out of the schema (name collisions that predate the check) */
  warn?: (msg: string) => void;
}

/**
 * Drops collections whose generated names collide with earlier ones (or with system names), so
 * one bad definition cannot take the whole API down; creation normally rejects them first.
 */
function usable(defs: readonly CollectionDef[], warn?: (msg: string) => void): CollectionDef[] {
  const claims = new GraphqlNameClaims();
  const kept: CollectionDef[] = [];
  for (const def of defs) {
    const conflict = claims.claim(def);
    if (conflict) warn?.(`GraphQL: collection '${def.name}' left out of the schema: ${conflict}`);
    else kept.push(def);
  }
  return kept;
}

/** A root type with the system fields first, then the collections' (none: the system type itself). */
function root(name: string, system: GraphQLObjectType | null | undefined, extra: GraphQLFieldConfigMap<any, any>): GraphQLObjectType | undefined {
  if (Object.keys(extra).length === 0) return system ?? undefined;
  const config = system?.toConfig();
  return new GraphQLObjectType({ ...config, name, fields: { ...config?.fields, ...extra } });
}

/** The schema for `defs` (the system schema itself when empty). */
export function buildSchema(defs: readonly CollectionDef[], opts: BuildOptions): GraphQLSchema {
  const system = systemSchema(opts.prisma);
  const kept = usable(
    [...defs].sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name)),
    opts.warn,
  );
  if (kept.length === 0) return system.schema;
  // old names of renamed collections, in their grace period, after every current name
  const aliases = collectionAliases(kept).filter((a) => usable([...kept, a.def]).length === kept.length + 1);
  const types = collectionTypes([...kept, ...aliases.map((a) => a.def)], system.shared);
  const fields = collectionRootFields(types.values(), opts.hub, system.shared);
  for (const a of aliases) deprecateAliasRootFields(a, [fields.query, fields.mutation, fields.subscription]);
  const s = system.schema;
  const roots = new Set([s.getQueryType(), s.getMutationType(), s.getSubscriptionType()]);
  const shared = Object.values(s.getTypeMap()).filter((t): t is GraphQLNamedType => !t.name.startsWith("__") && !roots.has(t as GraphQLObjectType));
  const generated = [...types.values()].flatMap((t) => [t.object, t.edge, t.connection, t.change, t.where, t.orderBy, ...(t.createInput ? [t.createInput, t.updateInput!] : [])]);
  return new GraphQLSchema({
    query: root("Query", s.getQueryType(), { ...fields.query, ...nodeRootFields(types.values(), system.shared) }),
    mutation: root("Mutation", s.getMutationType(), fields.mutation),
    subscription: root("Subscription", s.getSubscriptionType(), fields.subscription),
    types: [...shared, ...generated],
  });
}
