/**
 * The types generated for each collection (DESIGN.md "GraphQL contract"): `Post implements
 * Node` with typed fields, references (through DataLoader) and reverse references as
 * connections (`Author.posts`), `PostConnection`/`PostEdge`, `PostChange`, plus the inputs of
 * collection-inputs.ts. Each is built for one role set's view (role-view.ts): fields it can never
 * read are absent, required fields it can always read are non-null, select fields are enums.
 *
 * Built with graphql-js directly around the Pothos system schema: the same collection types
 * through Pothos cost ~5× more per rebuild (≈250 ms vs ≈45 ms CPU for 100 collections × 20
 * fields), which rebuilding on every collection change cannot afford.
 */
import { GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString, type GraphQLFieldConfig, type GraphQLFieldConfigMap, type GraphQLOutputType } from "graphql";
import { isListField, type CollectionDef } from "../core/collections/types.ts";
import type { RecordData } from "../core/records/values.ts";
import { SYSTEM_FIELDS } from "../query/system-fields.ts";
import type { Delivery } from "../realtime/hub.ts";
import type { GraphqlContext } from "./builder.ts";
import { collectionInputs, scalarOf, type CollectionInputs } from "./collection-inputs.ts";
import { fileLoader, loadedRecord, recordLoader } from "./loaders.ts";
import { withFieldAliases } from "./rename-aliases.ts";
import { reverseConnectionField } from "./reverse-connection.ts";
import { fileIdsOf } from "../core/files/refs.ts";
import type { FileView } from "../core/files/types.ts";
import { collectionNames, RECORD_SYSTEM_FIELDS, type CollectionNames } from "./names.ts";
import type { Connection } from "./pagination.ts";
import { showsField, type FieldView } from "./role-view.ts";
import type { SelectEnum, SelectEnums } from "./select-enums.ts";
import type { SharedTypes } from "./system-schema.ts";

/** The types generated for one collection. */
export interface CollectionTypes extends CollectionInputs {
  def: CollectionDef;
  names: CollectionNames;
  view: FieldView;
  enums: ReadonlyMap<string, SelectEnum> | undefined;
  object: GraphQLObjectType<RecordData, GraphqlContext>;
  edge: GraphQLObjectType;
  connection: GraphQLObjectType<Connection, GraphqlContext>;
  change: GraphQLObjectType<Delivery, GraphqlContext>;
}

interface Reverse {
  name: string;
  child: CollectionTypes;
  field: string;
}

const nn = <T extends GraphQLOutputType>(t: T) => new GraphQLNonNull(t);
const listOf = <T extends GraphQLOutputType>(t: T) => new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(t)));

/**
 * Reverse fields per target: `Author.posts`, or `postsByEditor` when ambiguous or taken. Names
 * are decided over every reference, then the ones the view hides (child not listable, reference
 * field unreadable) are dropped, so a reverse field has one name in every role view.
 */
function reverseFields(byName: Map<string, CollectionTypes>): Map<string, Reverse[]> {
  const out = new Map<string, Reverse[]>();
  const claimed = new Map<string, Set<string>>();
  const candidates: { target: string; child: CollectionTypes; field: string }[] = [];
  for (const child of byName.values()) {
    for (const f of child.def.fields) {
      if (f.type !== "reference" || f.options.multiple || !f.options.collection) continue;
      const target = f.options.collection.toLowerCase();
      if (byName.has(target)) candidates.push({ target, child, field: f.name });
    }
  }
  for (const c of candidates) {
    if (!claimed.has(c.target)) claimed.set(c.target, new Set([...RECORD_SYSTEM_FIELDS, ...byName.get(c.target)!.def.fields.map((f) => f.name)]));
    const taken = claimed.get(c.target)!;
    const ambiguous = candidates.filter((o) => o.target === c.target && o.child === c.child).length > 1;
    const short = c.child.names.list;
    const long = `${short}By${c.field.charAt(0).toUpperCase()}${c.field.slice(1)}`;
    const name = !ambiguous && !taken.has(short) ? short : !taken.has(long) ? long : undefined;
    if (!name) continue;
    taken.add(name);
    if (!c.child.view.scope.list.allowed || !showsField(c.child.view, c.field)) continue;
    if (!out.has(c.target)) out.set(c.target, []);
    out.get(c.target)!.push({ name, child: c.child, field: c.field });
  }
  return out;
}

/** Object, edge, connection and change types of a collection (fields filled in later). */
function declare(
  def: CollectionDef,
  s: SharedTypes,
  view: FieldView,
  enums: ReadonlyMap<string, SelectEnum> | undefined,
  fields: (t: CollectionTypes) => GraphQLFieldConfigMap<RecordData, GraphqlContext>,
): CollectionTypes {
  const names = collectionNames(def.name);
  const types = { def, names, view, enums, ...collectionInputs(def, names, s, view, enums) } as CollectionTypes;
  types.object = new GraphQLObjectType<RecordData, GraphqlContext>({ name: names.type, interfaces: [s.Node], fields: () => fields(types) });
  types.edge = new GraphQLObjectType<{ node: RecordData; conn: Connection }, GraphqlContext>({
    name: names.edge,
    fields: () => ({
      cursor: { type: nn(GraphQLString), resolve: (e) => e.conn.cursor(e.node) },
      node: { type: nn(types.object), resolve: (e) => e.node },
    }),
  });
  types.connection = new GraphQLObjectType<Connection, GraphqlContext>({
    name: names.connection,
    fields: () => ({
      edges: { type: listOf(types.edge), resolve: (c) => c.nodes.map((node) => ({ node, conn: c })) },
      nodes: { type: listOf(types.object), resolve: (c) => c.nodes },
      pageInfo: { type: nn(s.PageInfo), resolve: (c) => ({ ...c.pageInfo, conn: c }) },
      totalCount: { type: nn(GraphQLInt), description: "Number of records matching the filter (counted only when selected)", resolve: (c) => c.totalCount ?? 0 },
    }),
  });
  types.change = new GraphQLObjectType<Delivery, GraphqlContext>({
    name: names.change,
    fields: () => ({
      action: { type: nn(s.ChangeAction), resolve: (d) => d.action },
      id: { type: nn(GraphQLID), resolve: (d) => d.id },
      record: { type: types.object, description: "the record; for DELETE, the last state you could see (id at least)", resolve: (d) => d.record },
    }),
  });
  return types;
}

/** Fields of a record type: system fields, typed fields, references, reverse connections. */
function recordFields(types: CollectionTypes, s: SharedTypes, byName: Map<string, CollectionTypes>, reverse: Reverse[]): GraphQLFieldConfigMap<RecordData, GraphqlContext> {
  const fields: GraphQLFieldConfigMap<RecordData, GraphqlContext> = {};
  for (const f of SYSTEM_FIELDS) {
    if (!f.graphqlName) continue;
    const type = f.graphqlType === "ID" ? GraphQLID : f.graphqlType === "DateTime" ? s.DateTime : GraphQLInt;
    const name = f.name;
    fields[f.graphqlName] = { type: f.nullable ? type : nn(type), description: f.description ?? undefined, resolve: (r) => r[name] };
  }
  const { view, enums } = types;
  for (const f of types.def.fields) {
    if (!showsField(view, f.name)) continue;
    const name = f.name;
    const description = f.hint ?? f.label ?? undefined;
    const required = <T extends GraphQLOutputType>(t: T) => (view.nonNull.has(name) ? nn(t) : t);
    const target = f.type === "reference" && f.options.collection ? byName.get(f.options.collection.toLowerCase()) : undefined;
    if (target && f.options.multiple) {
      const collection = target.def.name;
      fields[name] = {
        type: required(new GraphQLList(nn(target.object))),
        description,
        resolve: (r, _a, g) => {
          const ids = r[name] as string[] | null | undefined;
          if (!ids?.length) return ids ? [] : null;
          const loaded = ids.map((id) => loadedRecord(g, collection, id));
          if (loaded.every((x) => x !== undefined)) return loaded.filter((x): x is RecordData => x !== null);
          return recordLoader(g, collection)
            .loadMany(ids)
            .then((recs) => recs.filter((x): x is RecordData => !!x && !(x instanceof Error)));
        },
      };
    } else if (f.type === "file") {
      // Ids → File through one batched query per request tick (never one per row).
      fields[name] = {
        type: required(new GraphQLList(nn(s.File))),
        description,
        resolve: async (r, _a, g) => {
          const ids = fileIdsOf(r, name);
          if (r[name] === null || r[name] === undefined) return null;
          const files = await fileLoader(g).loadMany(ids);
          return files.filter((x): x is FileView => !!x && !(x instanceof Error));
        },
      };
    } else if (target) {
      const collection = target.def.name;
      // never non-null: the referenced record may be deleted, or hidden from the caller by a row rule
      fields[name] = {
        type: target.object,
        description,
        resolve: (r, _a, g) => {
          const id = r[name] as string | null | undefined;
          if (!id) return null;
          // Prefetched with the list (synchronous), else batched through the DataLoader.
          const loaded = loadedRecord(g, collection, id);
          return loaded !== undefined ? loaded : recordLoader(g, collection).load(id);
        },
      };
    } else {
      // Non-null only when required and always readable in this view (role-view.ts).
      const e = enums?.get(name);
      const element = e ? e.type : f.type === "reference" ? GraphQLID : GraphQLString;
      const type = f.type === "geopoint" ? s.GeoPoint : isListField(f) ? new GraphQLList(nn(element)) : e ? e.type : scalarOf(f, s);
      fields[name] = { type: required(type), description, resolve: (r) => r[name] ?? null };
    }
  }
  for (const rev of reverse) fields[rev.name] = reverseConnectionField(rev.child, rev.field) as GraphQLFieldConfig<RecordData, GraphqlContext>;
  return withFieldAliases(types.def, fields);
}

/**
 * The types of every collection in the role set's view, by lower-case collection name. `views`
 * holds each collection's view (collections without one are left out), `enums` the select enums.
 */
export function collectionTypes(defs: readonly CollectionDef[], s: SharedTypes, views: ReadonlyMap<string, FieldView>, enums: SelectEnums): Map<string, CollectionTypes> {
  const byName = new Map<string, CollectionTypes>();
  let reverse: Map<string, Reverse[]> | undefined;
  for (const def of defs) {
    const view = views.get(def.name.toLowerCase());
    if (!view) continue;
    byName.set(
      def.name.toLowerCase(),
      declare(def, s, view, enums.get(def.name.toLowerCase()), (types) => {
        reverse ??= reverseFields(byName);
        return recordFields(types, s, byName, reverse.get(def.name.toLowerCase()) ?? []);
      }),
    );
  }
  return byName;
}
