/**
 * Builds the whole GraphQL schema for a set of collection definitions and one role set: the
 * Pothos system schema (built once per Prisma client) plus each collection's types and root
 * fields as the role set sees them (role-view.ts), merged into new root types. Shared types are
 * reused by every schema built. Without a role set the schema shows everything (superadmins).
 */
import { GraphQLObjectType, GraphQLSchema, type GraphQLFieldConfigMap, type GraphQLNamedType } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Prisma } from "../db/prisma.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { collectionRootFields } from "./collection-fields.ts";
import { collectionTypes } from "./collection-types.ts";
import { collectionScope, type RoleSet } from "../core/rules/role-scope.ts";
import { collectionNames, GraphqlNameClaims } from "./names.ts";
import { nodeRootFields } from "./relay-node.ts";
import { collectionAliases, deprecateAliasRootFields } from "./rename-aliases.ts";
import { fieldView, inView, type FieldView } from "./role-view.ts";
import { selectEnums, type SelectEnums } from "./select-enums.ts";
import { systemSchema } from "./system-schema.ts";

export interface BuildOptions {
  prisma: Prisma;
  hub: RealtimeHub;
  /** logs collections left out of the schema (name collisions that predate the check) */
  warn?: (msg: string) => void;
  /** whose schema (default: everything) */
  roleSet?: RoleSet;
  /** the clock rules are folded with (default: the system clock) */
  now?: () => Date;
}

/** Each collection's view for the role set, by lower-case name; collections it may not use are absent. */
function views(defs: readonly CollectionDef[], set: RoleSet, now: () => Date): Map<string, FieldView> {
  const out = new Map<string, FieldView>();
  for (const def of defs) {
    const v = fieldView(def.fields, collectionScope(def, set, now));
    if (inView(v)) out.set(def.name.toLowerCase(), v);
  }
  return out;
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

/** An old collection name shares its collection's select enums (one enum type per field). */
function withAliasEnums(enums: SelectEnums, kept: readonly CollectionDef[], aliases: readonly CollectionDef[]): SelectEnums {
  if (aliases.length === 0) return enums;
  const out = new Map(enums);
  for (const alias of aliases) {
    const current = kept.find((d) => d.id === alias.id);
    const fields = current && enums.get(current.name.toLowerCase());
    if (fields) out.set(alias.name.toLowerCase(), fields);
  }
  return out;
}

/** The schema for `defs` (the system schema itself when empty). */
export function buildSchema(defs: readonly CollectionDef[], opts: BuildOptions): GraphQLSchema {
  const system = systemSchema(opts.prisma);
  const kept = usable(
    [...defs].sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name)),
    opts.warn,
  );
  if (kept.length === 0) return system.schema;
  const s = system.schema;
  // old names of renamed collections, in their grace period, after every current name
  const aliases = collectionAliases(kept).filter((a) => usable([...kept, a.def]).length === kept.length + 1);
  const all = [...kept, ...aliases.map((a) => a.def)];
  // enum names are decided over every collection, so they are the same in every role view
  const taken = new Set([...Object.keys(s.getTypeMap()), ...all.flatMap((d) => Object.values(collectionNames(d.name)))]);
  const enums = withAliasEnums(
    selectEnums(kept, taken),
    kept,
    aliases.map((a) => a.def),
  );
  const types = collectionTypes(all, system.shared, views(all, opts.roleSet ?? { kind: "all" }, opts.now ?? (() => new Date())), enums);
  if (types.size === 0) return system.schema;
  const fields = collectionRootFields(types.values(), opts.hub, system.shared);
  for (const a of aliases) deprecateAliasRootFields(a, [fields.query, fields.mutation, fields.subscription]);
  const roots = new Set([s.getQueryType(), s.getMutationType(), s.getSubscriptionType()]);
  const shared = Object.values(s.getTypeMap()).filter((t): t is GraphQLNamedType => !t.name.startsWith("__") && !roots.has(t as GraphQLObjectType));
  const generated = [...types.values()].flatMap((t) => [
    t.object,
    t.edge,
    t.connection,
    t.change,
    t.where,
    t.orderBy,
    ...(t.createInput ? [t.createInput] : []),
    ...(t.updateInput ? [t.updateInput] : []),
  ]);
  return new GraphQLSchema({
    query: root("Query", s.getQueryType(), { ...fields.query, ...nodeRootFields(types.values(), system.shared) }),
    mutation: root("Mutation", s.getMutationType(), fields.mutation),
    subscription: root("Subscription", s.getSubscriptionType(), fields.subscription),
    types: [...shared, ...generated],
  });
}
