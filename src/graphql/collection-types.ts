/**
 * The types generated for each collection (DESIGN.md "GraphQL contract"): the object type
 * (`Post implements Node`) with typed fields, references (through DataLoader) and reverse
 * references as connections (`Author.posts`), `PostConnection`/`PostEdge`, `PostWhere`,
 * `PostOrderBy`, `PostCreateInput`, `PostUpdateInput` and `PostChange`.
 */
import type { ObjectRef } from "@pothos/core";
import type { CollectionDef, FieldDef } from "../core/collections/types.ts";
import type { RecordData } from "../core/records/values.ts";
import type { Delivery } from "../realtime/hub.ts";
import type { Builder } from "./builder.ts";
import { groupedLoader, recordLoader } from "./loaders.ts";
import { collectionNames, RECORD_SYSTEM_FIELDS, type CollectionNames } from "./names.ts";
import { cursorOf, orderByToTerms, selects, type Connection, type OrderByInput } from "./pagination.ts";
import type { SharedTypes } from "./system-types.ts";
import { whereToExpr, type WhereInput } from "./where.ts";

/** The refs generated for one collection. */
export interface CollectionRefs {
  def: CollectionDef;
  names: CollectionNames;
  object: ObjectRef<any, RecordData>;
  connection: ObjectRef<any, Connection>;
  where: any;
  orderBy: any;
  /** absent for a collection without fields (GraphQL input objects need at least one field) */
  createInput?: any;
  updateInput?: any;
  change: ObjectRef<any, Delivery>;
}

const INT32 = 2 ** 31;

/** Scalar type name of a non-reference field. */
function scalarOf(f: FieldDef): string {
  switch (f.type) {
    case "email":
      return "EmailAddress";
    case "url":
      return "URL";
    case "number":
      return f.options.integer && f.options.min !== undefined && f.options.max !== undefined && f.options.min >= -INT32 && f.options.max < INT32 ? "Int" : "Float";
    case "bool":
      return "Boolean";
    case "date":
      return "Date";
    case "datetime":
      return "DateTime";
    case "json":
      return "JSON";
    case "reference":
      return "ID";
    default:
      return "String";
  }
}

const isList = (f: FieldDef) => f.type === "tags" || f.type === "file" || ((f.type === "select" || f.type === "reference") && !!f.options.multiple);

/** The GraphQL type (in Pothos notation) of a field's input value. */
function inputTypeOf(f: FieldDef, shared: SharedTypes): unknown {
  if (f.type === "geopoint") return shared.geoPointInput;
  const scalar = f.type === "tags" || f.type === "file" || f.type === "select" ? "String" : scalarOf(f);
  return isList(f) ? [scalar] : scalar;
}

/** The filter input for a field, or undefined when it cannot be filtered. */
function filterOf(f: FieldDef, shared: SharedTypes): unknown {
  const fl = shared.filters;
  if (isList(f)) return fl.stringList;
  switch (f.type) {
    case "number":
      return scalarOf(f) === "Int" ? fl.int : fl.float;
    case "bool":
      return fl.boolean;
    case "date":
      return fl.date;
    case "datetime":
      return fl.dateTime;
    case "reference":
      return fl.id;
    case "json":
    case "geopoint":
      return fl.json;
    default:
      return fl.string;
  }
}

const sortable = (f: FieldDef) => !isList(f) && f.type !== "json" && f.type !== "geopoint";

/** Names of the reverse fields each target collection gets: `Author.posts`, or `postsByEditor` when ambiguous. */
function reverseFields(defs: readonly CollectionDef[], byName: Map<string, CollectionRefs>): Map<string, { name: string; child: CollectionRefs; field: string }[]> {
  const out = new Map<string, { name: string; child: CollectionRefs; field: string }[]>();
  const candidates: { target: string; child: CollectionRefs; field: string }[] = [];
  for (const def of defs) {
    for (const f of def.fields) {
      if (f.type !== "reference" || f.options.multiple || !f.options.collection) continue;
      const target = f.options.collection.toLowerCase();
      if (byName.has(target)) candidates.push({ target, child: byName.get(def.name.toLowerCase())!, field: f.name });
    }
  }
  for (const c of candidates) {
    const targetDef = byName.get(c.target)!.def;
    const taken = new Set([...RECORD_SYSTEM_FIELDS, ...targetDef.fields.map((f) => f.name), ...(out.get(c.target) ?? []).map((r) => r.name)]);
    const ambiguous = candidates.filter((o) => o.target === c.target && o.child === c.child).length > 1;
    const short = c.child.names.list;
    const long = `${short}By${c.field.charAt(0).toUpperCase()}${c.field.slice(1)}`;
    const name = !ambiguous && !taken.has(short) ? short : !taken.has(long) ? long : undefined;
    if (!name) continue;
    if (!out.has(c.target)) out.set(c.target, []);
    out.get(c.target)!.push({ name, child: c.child, field: c.field });
  }
  return out;
}

/** Declares the refs of every collection's types (phase 1: so references can point anywhere). */
function declare(b: Builder, def: CollectionDef): CollectionRefs {
  const names = collectionNames(def.name);
  const object = b.objectRef<RecordData>(names.type);
  const connection = b.connectionObject(
    {
      type: object,
      name: names.connection,
      fields: (t: any) => ({
        totalCount: t.int({
          nullable: false,
          description: "Number of records matching the filter (counted only when selected)",
          resolve: (c: Connection) => c.totalCount ?? 0,
        }),
      }),
    } as any,
    { name: names.edge },
  ) as unknown as ObjectRef<any, Connection>;
  const where = b.inputRef<WhereInput>(names.where);
  const orderBy = b.inputRef<OrderByInput>(names.orderBy);
  const change = b.objectRef<Delivery>(names.change);
  const refs: CollectionRefs = { def, names, object, connection, where, orderBy, change };
  if (def.fields.length > 0) {
    refs.createInput = b.inputRef<Record<string, unknown>>(names.createInput);
    refs.updateInput = b.inputRef<Record<string, unknown>>(names.updateInput);
  }
  return refs;
}

/** Object type fields: system fields, typed fields, references, reverse connections. */
function implementObject(b: Builder, shared: SharedTypes, refs: CollectionRefs, byName: Map<string, CollectionRefs>, reverse: { name: string; child: CollectionRefs; field: string }[]): void {
  const { def } = refs;
  b.objectType(refs.object, {
    // No `node(id)` query returns the interface, so no type resolution is needed.
    interfaces: [b.nodeInterfaceRef()],
    fields: (t: any) => {
      const fields: Record<string, unknown> = {
        id: t.id({ nullable: false, resolve: (r: RecordData) => r.id }),
        ownerId: t.id({ nullable: true, description: "the user who created the record", resolve: (r: RecordData) => r.owner_id }),
        created: t.field({ type: "DateTime", nullable: false, resolve: (r: RecordData) => r.created }),
        updated: t.field({ type: "DateTime", nullable: false, resolve: (r: RecordData) => r.updated }),
        version: t.int({ nullable: false, description: "increases on every update (pass it as expectedVersion)", resolve: (r: RecordData) => r.version }),
      };
      for (const f of def.fields) {
        const name = f.name;
        const description = f.hint ?? f.label ?? undefined;
        const target = f.type === "reference" && f.options.collection ? byName.get(f.options.collection.toLowerCase()) : undefined;
        if (target) {
          const collection = target.def.name;
          fields[name] = f.options.multiple
            ? t.field({
                type: [target.object],
                nullable: true,
                description,
                resolve: async (r: RecordData, _a: unknown, g: any) => {
                  const ids = r[name] as string[] | null;
                  if (!ids?.length) return ids ? [] : null;
                  const recs = await recordLoader(g, collection).loadMany(ids);
                  return recs.filter((x): x is RecordData => !!x && !(x instanceof Error));
                },
              })
            : t.field({
                type: target.object,
                nullable: true,
                description,
                resolve: (r: RecordData, _a: unknown, g: any) => (r[name] ? recordLoader(g, collection).load(r[name] as string) : null),
              });
          continue;
        }
        const type = f.type === "geopoint" ? shared.geoPoint : isList(f) ? [f.type === "reference" ? "ID" : "String"] : scalarOf(f);
        // Always nullable in results, required or not: field permissions can hide a field from a
        // caller (the core hands it out redacted), and one hidden field must not null the query.
        // Required-ness shows in PostCreateInput.
        const nullable = isList(f) ? { list: true, items: false } : true;
        fields[name] = t.field({ type, nullable, description, resolve: (r: RecordData) => r[name] ?? null });
      }
      for (const rev of reverse) {
        const child = rev.child;
        fields[rev.name] = t.field({
          type: child.connection,
          nullable: false,
          description: `${child.def.name} whose '${rev.field}' references this record`,
          args: {
            where: t.arg({ type: child.where }),
            orderBy: t.arg({ type: [child.orderBy] }),
            first: t.arg.int({ description: "per parent, at most 100 (default 30)" }),
            offset: t.arg.int(),
          },
          resolve: async (r: RecordData, args: any, g: any, info: any) => {
            const terms = orderByToTerms(child.def, args.orderBy);
            const limit = args.first ?? 30;
            const offset = args.offset ?? 0;
            const withTotal = selects(info, "totalCount");
            const group = await groupedLoader(g, child.def.name, rev.field, { filter: whereToExpr(args.where), sort: terms, limit, offset, withTotal }).load(r.id);
            const dialect = g.cairn.services.db.dialect;
            const edges = group.items.map((node) => ({ node, cursor: cursorOf(child.def, terms, node, dialect) }));
            return {
              edges,
              pageInfo: { hasNextPage: group.hasMore, hasPreviousPage: offset > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
              totalCount: group.total,
            } satisfies Connection;
          },
        });
      }
      return fields;
    },
  } as any);
}

function implementInputs(b: Builder, shared: SharedTypes, refs: CollectionRefs): void {
  const { def } = refs;
  b.inputType(refs.where, {
    fields: (t: any) => {
      const fields: Record<string, unknown> = {
        AND: t.field({ type: [refs.where] }),
        OR: t.field({ type: [refs.where] }),
        NOT: t.field({ type: refs.where }),
        id: t.field({ type: shared.filters.id }),
        ownerId: t.field({ type: shared.filters.id }),
        created: t.field({ type: shared.filters.dateTime }),
        updated: t.field({ type: shared.filters.dateTime }),
        version: t.field({ type: shared.filters.int }),
      };
      for (const f of def.fields) fields[f.name] = t.field({ type: filterOf(f, shared) });
      return fields;
    },
  } as any);
  b.inputType(refs.orderBy, {
    description: "One field per object: the list gives the order of the sort keys.",
    fields: (t: any) => {
      const fields: Record<string, unknown> = {};
      for (const n of ["id", "created", "updated", "version"]) fields[n] = t.field({ type: shared.sortOrder });
      for (const f of def.fields) if (sortable(f)) fields[f.name] = t.field({ type: shared.sortOrder });
      return fields;
    },
  } as any);
  if (refs.createInput) {
    b.inputType(refs.createInput, {
      fields: (t: any) => Object.fromEntries(def.fields.map((f) => [f.name, t.field({ type: inputTypeOf(f, shared), required: f.required && f.default === undefined, description: f.hint ?? undefined })])),
    } as any);
    b.inputType(refs.updateInput, {
      description: "Only the fields present are changed; null clears a field.",
      fields: (t: any) => Object.fromEntries(def.fields.map((f) => [f.name, t.field({ type: inputTypeOf(f, shared) })])),
    } as any);
  }
  b.objectType(refs.change, {
    fields: (t: any) => ({
      action: t.field({ type: shared.changeAction, nullable: false, resolve: (d: Delivery) => d.action }),
      id: t.id({ nullable: false, resolve: (d: Delivery) => d.id }),
      record: t.field({ type: refs.object, nullable: true, description: "null for DELETE", resolve: (d: Delivery) => d.record }),
    }),
  } as any);
}

/** Adds every collection's types; returns their refs by lower-case collection name. */
export function addCollectionTypes(b: Builder, shared: SharedTypes, defs: readonly CollectionDef[]): Map<string, CollectionRefs> {
  const byName = new Map<string, CollectionRefs>();
  for (const def of defs) byName.set(def.name.toLowerCase(), declare(b, def));
  const reverse = reverseFields(defs, byName);
  for (const refs of byName.values()) {
    implementObject(b, shared, refs, byName, reverse.get(refs.def.name.toLowerCase()) ?? []);
    implementInputs(b, shared, refs);
  }
  return byName;
}
