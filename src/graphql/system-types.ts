/**
 * Types shared by the whole schema: scalars, enums, the per-kind filter inputs, GeoPoint, and
 * the system object types built from the Prisma models (User, Account, Collection).
 */
import type { Collection as PrismaCollection } from "../generated/prisma/client.ts";
import { publicRole } from "../core/auth/session.ts";
import type { CollectionDef, FieldDef } from "../core/collections/types.ts";
import type { Builder } from "./builder.ts";
import type { Connection } from "./pagination.ts";
import { DateScalar, DateTimeScalar, EmailAddressScalar, JSONScalar, URLScalar } from "./scalars.ts";

/** Pothos refs of the shared and system types (system-fields.ts uses them). */
export interface SystemRefs {
  node: ReturnType<typeof addRelayTypes>["node"];
  pageInfo: ReturnType<typeof addRelayTypes>["pageInfo"];
  sortOrder: ReturnType<typeof addEnums>["sortOrder"];
  changeAction: ReturnType<typeof addEnums>["changeAction"];
  filters: ReturnType<typeof addFilters>;
  geoPoint: ReturnType<typeof addGeoPoint>["geoPoint"];
  geoPointInput: ReturnType<typeof addGeoPoint>["geoPointInput"];
  user: ReturnType<typeof addSystemObjects>["user"];
  account: ReturnType<typeof addSystemObjects>["account"];
  collection: ReturnType<typeof addSystemObjects>["collection"];
}

function addScalars(b: Builder) {
  b.addScalarType("DateTime", DateTimeScalar);
  b.addScalarType("Date", DateScalar);
  b.addScalarType("JSON", JSONScalar);
  b.addScalarType("EmailAddress", EmailAddressScalar);
  b.addScalarType("URL", URLScalar);
}

/** Relay's Node interface and PageInfo (connections are per collection, collection-types.ts). */
function addRelayTypes(b: Builder) {
  const node = b.interfaceRef<{ id: string }>("Node").implement({ fields: (t) => ({ id: t.exposeID("id") }) });
  const pageInfo = b.objectRef<Connection["pageInfo"] & { conn: Connection }>("PageInfo").implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean("hasNextPage"),
      hasPreviousPage: t.exposeBoolean("hasPreviousPage"),
      startCursor: t.string({ nullable: true, resolve: (p) => (p.start ? p.conn.cursor(p.start) : null) }),
      endCursor: t.string({ nullable: true, resolve: (p) => (p.end ? p.conn.cursor(p.end) : null) }),
    }),
  });
  return { node, pageInfo };
}

function addEnums(b: Builder) {
  const sortOrder = b.enumType("SortOrder", { values: { ASC: { value: "ASC" }, DESC: { value: "DESC" } } as const });
  const changeAction = b.enumType("ChangeAction", {
    description: "What happened to a record. DELETE also means the record left the subscription's `where` or what the subscriber may read.",
    values: { CREATE: { value: "CREATE" }, UPDATE: { value: "UPDATE" }, DELETE: { value: "DELETE" } } as const,
  });
  return { sortOrder, changeAction };
}

type FilterScalar = "ID" | "String" | "Int" | "Float" | "Boolean" | "DateTime" | "Date";

/** The per-kind filter inputs: StringFilter { eq ne in notIn contains startsWith endsWith isNull }, … */
function addFilters(b: Builder) {
  const make = (name: string, scalar: FilterScalar, ops: { list?: boolean; text?: boolean; range?: boolean }) =>
    b.inputType(name, {
      fields: (t) => ({
        eq: t.field({ type: scalar as any }),
        ne: t.field({ type: scalar as any }),
        ...(ops.list ? { in: t.field({ type: [scalar as any] }), notIn: t.field({ type: [scalar as any] }) } : {}),
        ...(ops.text ? { contains: t.string(), startsWith: t.string(), endsWith: t.string() } : {}),
        ...(ops.range ? { gt: t.field({ type: scalar as any }), gte: t.field({ type: scalar as any }), lt: t.field({ type: scalar as any }), lte: t.field({ type: scalar as any }) } : {}),
        isNull: t.boolean(),
      }),
    });
  return {
    id: make("IDFilter", "ID", { list: true }),
    string: make("StringFilter", "String", { list: true, text: true }),
    int: make("IntFilter", "Int", { list: true, range: true }),
    float: make("FloatFilter", "Float", { list: true, range: true }),
    boolean: make("BooleanFilter", "Boolean", {}),
    dateTime: make("DateTimeFilter", "DateTime", { list: true, range: true }),
    date: make("DateFilter", "Date", { list: true, range: true }),
    stringList: b.inputType("StringListFilter", {
      description: "Filters a list field (tags, multiple select or reference, files).",
      fields: (t) => ({
        has: t.string({ description: "at least one element equals this" }),
        hasSome: t.stringList({ description: "at least one element is one of these" }),
        isNull: t.boolean(),
      }),
    }),
    json: b.inputType("JSONFilter", { fields: (t) => ({ isNull: t.boolean() }) }),
  };
}

function addGeoPoint(b: Builder) {
  const geoPoint = b.objectRef<{ lat: number; lng: number; alt?: number }>("GeoPoint").implement({
    fields: (t) => ({ lat: t.exposeFloat("lat"), lng: t.exposeFloat("lng"), alt: t.float({ nullable: true, resolve: (p) => p.alt ?? null }) }),
  });
  const geoPointInput = b.inputType("GeoPointInput", {
    fields: (t) => ({ lat: t.float({ required: true }), lng: t.float({ required: true }), alt: t.float() }),
  });
  return { geoPoint, geoPointInput };
}

const parsed = <T>(v: unknown, fallback: T): T => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? fallback));

/**
 * A registry definition passed where the Prisma `Collection` shape is expected: the field
 * resolvers below accept both (JSON columns as text, or parsed).
 */
export const asCollectionRow = (def: CollectionDef): PrismaCollection => def as unknown as PrismaCollection;

function addSystemObjects(b: Builder) {
  const account = b.prismaObject("Account", {
    fields: (t) => ({
      id: t.exposeID("id"),
      slug: t.exposeString("slug"),
      name: t.exposeString("name"),
      created: t.expose("created", { type: "DateTime" }),
    }),
  });
  const user = b.prismaObject("User", {
    fields: (t) => ({
      id: t.exposeID("id"),
      email: t.exposeString("email"),
      name: t.exposeString("name", { nullable: true }),
      avatar: t.exposeString("avatar", { nullable: true }),
      role: t.string({ description: "`admin` (account admins and superadmins) or `user`", resolve: (u) => publicRole(u) }),
      superadmin: t.exposeBoolean("superadmin"),
      verified: t.exposeBoolean("verified"),
      created: t.expose("created", { type: "DateTime" }),
      updated: t.expose("updated", { type: "DateTime" }),
      account: t.relation("account"),
    }),
  });
  const field = b.objectRef<FieldDef>("CollectionField").implement({
    fields: (t) => ({
      id: t.exposeID("id"),
      name: t.exposeString("name"),
      type: t.exposeString("type"),
      required: t.exposeBoolean("required"),
      unique: t.exposeBoolean("unique"),
      index: t.exposeBoolean("index"),
      default: t.field({ type: "JSON", nullable: true, resolve: (f) => f.default ?? null }),
      options: t.field({ type: "JSON", resolve: (f) => f.options }),
      label: t.string({ nullable: true, resolve: (f) => f.label ?? null }),
      hint: t.string({ nullable: true, resolve: (f) => f.hint ?? null }),
      hidden: t.boolean({ resolve: (f) => !!f.hidden }),
    }),
  });
  const collection = b.prismaObject("Collection", {
    fields: (t) => ({
      id: t.exposeID("id"),
      name: t.exposeString("name"),
      type: t.exposeString("type"),
      fields: t.field({ type: [field], resolve: (c) => parsed<FieldDef[]>(c.fields, []) }),
      options: t.field({ type: "JSON", resolve: (c) => parsed<Record<string, unknown>>(c.options, {}) }),
      listRule: t.exposeString("listRule", { nullable: true }),
      viewRule: t.exposeString("viewRule", { nullable: true }),
      createRule: t.exposeString("createRule", { nullable: true }),
      updateRule: t.exposeString("updateRule", { nullable: true }),
      deleteRule: t.exposeString("deleteRule", { nullable: true }),
      viewQuery: t.exposeString("viewQuery", { nullable: true }),
      system: t.exposeBoolean("system"),
      created: t.expose("created", { type: "DateTime" }),
      updated: t.expose("updated", { type: "DateTime" }),
    }),
  });
  return { account, user, collection };
}

/** Adds the shared types to a builder and returns their refs. */
export function addSharedTypes(b: Builder): SystemRefs {
  addScalars(b);
  const relay = addRelayTypes(b);
  const enums = addEnums(b);
  const geo = addGeoPoint(b);
  return { ...relay, ...enums, filters: addFilters(b), ...geo, ...addSystemObjects(b) };
}
