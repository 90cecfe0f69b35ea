/**
 * SDL printing: sorted (lexicographicSortSchema) so snapshots diff cleanly. `schema/system.graphql`
 * is the system part (no collections); `cairn schema print` prints the live schema.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Prisma } from "../db/prisma.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { buildSchema } from "./build-schema.ts";

/** The schema as sorted SDL, ending with a newline. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** SDL of the schema for these collections (printing never resolves anything: no client or hub). */
export function printSchemaFor(defs: readonly CollectionDef[]): string {
  return printSortedSchema(buildSchema(defs, { prisma: {} as Prisma, hub: {} as RealtimeHub, warn: (msg) => console.error(msg) }));
}

/** SDL of the system schema (what every Cairn serves before any collection exists). */
export function printSystemSchema(): string {
  return printSchemaFor([]);
}
