/**
 * The Pothos builder: Prisma plugin (system types from the Prisma models), Relay plugin (Node,
 * PageInfo, connections with `nodes`). A fresh builder is made for every schema build, since
 * collection types change at runtime.
 */
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import type DataLoader from "dataloader";
import type { Context } from "../core/context.ts";
import type { Prisma } from "../db/prisma.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";

/** The GraphQL execution context: the core context plus per-request DataLoaders. */
export interface GraphqlContext {
  cairn: Context;
  /** per-request loaders, keyed by purpose (see loaders.ts) */
  loaders: Map<string, DataLoader<any, any>>;
}

export interface SchemaTypes {
  Context: GraphqlContext;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: string; Output: string | Date };
    Date: { Input: string; Output: string | Date };
    JSON: { Input: unknown; Output: unknown };
    EmailAddress: { Input: string; Output: string };
    URL: { Input: string; Output: string };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}

export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>>;

const datamodel = getDatamodel();

/** A new builder bound to the Prisma client. */
export function createBuilder(prisma: Prisma): Builder {
  return new SchemaBuilder<SchemaTypes>({
    plugins: [PrismaPlugin, RelayPlugin],
    defaultFieldNullability: false,
    prisma: { client: prisma, dmmf: datamodel, exposeDescriptions: false, filterConnectionTotalCount: true, onUnusedQuery: null },
    relay: {
      clientMutationId: "omit",
      cursorType: "String",
      nodeQueryOptions: false,
      nodesQueryOptions: false,
      nodesOnConnection: true,
      edgesFieldOptions: { nullable: { list: false, items: false } },
      nodeFieldOptions: { nullable: false },
      // Record ids are UUIDv7 (unique across collections): they are used as they are.
      encodeGlobalID: (_typename: string, id: string | number | bigint) => String(id),
      decodeGlobalID: (id: string) => ({ typename: "", id }),
    },
  }) as unknown as Builder;
}
