/**
 * Builds the whole GraphQL schema for a set of collection definitions: the system types and
 * operations, then each collection's types and root fields.
 */
import type { GraphQLSchema } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Prisma } from "../db/prisma.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { createBuilder } from "./builder.ts";
import { addCollectionFields } from "./collection-fields.ts";
import { addCollectionTypes } from "./collection-types.ts";
import { GraphqlNameClaims } from "./names.ts";
import { addSystemFields } from "./system-fields.ts";
import { addSharedTypes } from "./system-types.ts";

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

/** The schema for `defs` (system part only when empty). */
export function buildSchema(defs: readonly CollectionDef[], opts: BuildOptions): GraphQLSchema {
  const b = createBuilder(opts.prisma);
  const shared = addSharedTypes(b);
  addSystemFields(b, shared);
  const kept = usable([...defs].sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name)), opts.warn);
  const refs = addCollectionTypes(b, shared, kept);
  addCollectionFields(b, refs.values(), opts.hub);
  // Printing sorts (print-schema.ts); serving does not need a sorted schema.
  return b.toSchema({ sortSchema: false });
}
