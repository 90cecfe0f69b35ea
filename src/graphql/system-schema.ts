/**
 * The system schema, built with Pothos and its Prisma plugin (system types from the Prisma
 * models, system operations), once per Prisma client: it does not change at runtime. Collection
 * types are added around it on every rebuild (build-schema.ts) and reuse its shared types
 * (scalars, filters, enums, Node, PageInfo, GeoPoint) — GraphQL types can belong to many
 * schemas, so a rebuild never touches them.
 */
import type { GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLNamedType, GraphQLObjectType, GraphQLScalarType, GraphQLSchema } from "graphql";
import type { Prisma } from "../db/prisma.ts";
import { createBuilder } from "./builder.ts";
import { addSystemFields } from "./system-fields.ts";
import { addBackupFields } from "./system-backups.ts";
import { addJobFields } from "./system-jobs.ts";
import { addTransferFields } from "./system-transfer.ts";
import { addActionFields } from "./system-actions.ts";
import { addModelFields } from "./system-models.ts";
import { addSharedTypes } from "./system-types.ts";
import { addFileFields } from "./system-files.ts";
import { addWebhookFields } from "./system-webhooks.ts";
import { addAccountFields } from "./system-accounts.ts";
import { addInstallFields } from "./system-install.ts";

/** The system types collection types are built from. */
export interface SharedTypes {
  DateTime: GraphQLScalarType;
  Date: GraphQLScalarType;
  JSON: GraphQLScalarType;
  EmailAddress: GraphQLScalarType;
  URL: GraphQLScalarType;
  Node: GraphQLInterfaceType;
  PageInfo: GraphQLObjectType;
  SortOrder: GraphQLEnumType;
  ChangeAction: GraphQLEnumType;
  GeoPoint: GraphQLObjectType;
  GeoPointInput: GraphQLInputObjectType;
  IDFilter: GraphQLInputObjectType;
  StringFilter: GraphQLInputObjectType;
  IntFilter: GraphQLInputObjectType;
  FloatFilter: GraphQLInputObjectType;
  BooleanFilter: GraphQLInputObjectType;
  DateTimeFilter: GraphQLInputObjectType;
  DateFilter: GraphQLInputObjectType;
  StringListFilter: GraphQLInputObjectType;
  JSONFilter: GraphQLInputObjectType;
  File: GraphQLObjectType;
}

export interface SystemSchema {
  schema: GraphQLSchema;
  shared: SharedTypes;
}

const SHARED_NAMES: (keyof SharedTypes)[] = [
  ...(["DateTime", "Date", "JSON", "EmailAddress", "URL", "Node", "PageInfo", "SortOrder", "ChangeAction", "GeoPoint", "GeoPointInput"] as const),
  ...(["IDFilter", "StringFilter", "IntFilter", "FloatFilter", "BooleanFilter", "DateTimeFilter", "DateFilter", "StringListFilter", "JSONFilter"] as const),
  "File",
];

const cache = new WeakMap<object, SystemSchema>();

/** The system schema for a Prisma client (built on first use, then cached). */
export function systemSchema(prisma: Prisma): SystemSchema {
  let built = cache.get(prisma);
  if (!built) {
    const b = createBuilder(prisma);
    const { authPayload } = addSystemFields(b, addSharedTypes(b));
    addAccountFields(b, authPayload);
    addInstallFields(b, authPayload);
    addFileFields(b);
    addWebhookFields(b);
    addBackupFields(b);
    addTransferFields(b, addJobFields(b));
    addActionFields(b);
    addModelFields(b);
    const schema = b.toSchema({ sortSchema: false });
    const shared = {} as Record<keyof SharedTypes, GraphQLNamedType>;
    for (const name of SHARED_NAMES) {
      const type = schema.getType(name);
      if (!type) throw new Error(`system schema lacks the shared type ${name}`);
      shared[name] = type;
    }
    built = { schema, shared: shared as unknown as SharedTypes };
    cache.set(prisma, built);
  }
  return built;
}
