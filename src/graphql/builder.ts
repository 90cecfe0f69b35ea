/**
 * The Pothos builder with the Prisma plugin (system types from the Prisma models). A fresh
 * builder is made for every schema build, since collection types change at runtime. Node,
 * PageInfo and the connection types are defined in system-types.ts / collection-types.ts
 * rather than by the Relay plugin: its per-field hook (scanning every argument tree for global
 * ids, which we do not use) cost ~12% of a 100-collection build.
 */
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import type { Context } from "../core/context.ts";
import type { RecordData } from "../core/records/values.ts";
import type { StagedUpload } from "../core/files/upload.ts";
import type { StagedImport } from "./multipart.ts";
import type { Prisma } from "../db/prisma.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";

/** The GraphQL execution context: the core context plus per-request DataLoaders. */
export interface GraphqlContext {
  cairn: Context;
  /** per-request loaders, keyed by purpose, or by the field nodes of a reverse connection (see loaders.ts) */
  loaders: Map<unknown, unknown>;
  /** records loaded in this request, by collection and id (null: absent or hidden) — see loaders.ts */
  records: Map<string, Map<string, RecordData | null>>;
  /** files of a multipart request, stored and waiting for a mutation to claim them (multipart.ts) */
  uploads: Map<string, StagedUpload>;
  /** import files of a multipart request (`ImportUpload` variables), waiting for `importRecords` */
  importUploads: Map<string, StagedImport>;
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
    /** a file part of a multipart request, as the token multipart.ts put in its place */
    Upload: { Input: string; Output: never };
    /** an import file part of a multipart request, as the token multipart.ts put in its place */
    ImportUpload: { Input: string; Output: never };
  };
  DefaultFieldNullability: false;
}

export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>>;

const datamodel = getDatamodel();

/** A new builder bound to the Prisma client. */
export function createBuilder(prisma: Prisma): Builder {
  return new SchemaBuilder<SchemaTypes>({
    plugins: [PrismaPlugin],
    defaultFieldNullability: false,
    prisma: { client: prisma, dmmf: datamodel, exposeDescriptions: false, filterConnectionTotalCount: true, onUnusedQuery: null },
  }) as unknown as Builder;
}
