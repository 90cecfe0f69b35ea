/**
 * SDL printing: sorted (lexicographicSortSchema) so snapshots diff cleanly. `schema/system.graphql`
 * is the system part (no collections); `cairn schema print` prints the live schema (`--role R`:
 * as the members of role R see it, `--role anonymous`: as anonymous callers do).
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import type { CollectionDef } from "../core/collections/types.ts";
import type { Prisma } from "../db/prisma.ts";
import type { RealtimeHub } from "../realtime/hub.ts";
import { buildSchema } from "./build-schema.ts";
import type { RoleSet } from "../core/rules/role-scope.ts";

/** The schema as sorted SDL, ending with a newline. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/**
 * SDL of the schema for these collections as `roleSet` sees it (default: everything). Printing
 * never resolves anything: no client or hub.
 */
export function printSchemaFor(defs: readonly CollectionDef[], roleSet?: RoleSet): string {
  return printSortedSchema(buildSchema(defs, { prisma: {} as Prisma, hub: {} as RealtimeHub, warn: (msg) => console.error(msg), roleSet }));
}

/** SDL of the system schema (what every Cairn serves before any collection exists). */
export function printSystemSchema(): string {
  return printSchemaFor([]);
}
