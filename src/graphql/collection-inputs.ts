/**
 * How collection fields map to GraphQL types, and the input types of a collection:
 * `PostWhere` (AND/OR/NOT plus a per-kind filter per field), `PostOrderBy`, `PostCreateInput`
 * (required fields without a default are non-null) and `PostUpdateInput` (all optional).
 * Select fields use their enum (select-enums.ts); a role set's view (role-view.ts) decides which
 * fields `where`/`orderBy` and the inputs hold.
 */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLScalarType,
} from "graphql";
import { isListField, type CollectionDef, type FieldDef } from "../core/collections/types.ts";
import { SYSTEM_FIELDS, type SystemField } from "../query/system-fields.ts";
import type { CollectionNames } from "./names.ts";
import { showsField, takesField, type FieldView } from "./role-view.ts";
import type { SelectEnum } from "./select-enums.ts";
import { withFieldAliases } from "./rename-aliases.ts";
import type { SharedTypes } from "./system-schema.ts";

const INT32 = 2 ** 31;

/**
 * The scalar of a field's value (of its elements, for list fields). Numbers are Int only when
 * declared integer with bounds inside 32 bits (GraphQL's Int), else Float.
 */
export function scalarOf(f: FieldDef, s: SharedTypes): GraphQLScalarType {
  switch (f.type) {
    case "email":
      return s.EmailAddress;
    case "url":
      return s.URL;
    case "number":
      return f.options.integer && f.options.min !== undefined && f.options.max !== undefined && f.options.min >= -INT32 && f.options.max < INT32 ? GraphQLInt : GraphQLFloat;
    case "bool":
      return GraphQLBoolean;
    case "date":
      return s.Date;
    case "datetime":
      return s.DateTime;
    case "json":
      return s.JSON;
    case "reference":
      return GraphQLID;
    default:
      return GraphQLString;
  }
}

const listOf = <T extends GraphQLInputType>(t: T) => new GraphQLList(new GraphQLNonNull(t));

/** The GraphQL type of a field's input value (nullable); `e` is the field's select enum. */
function inputTypeOf(f: FieldDef, s: SharedTypes, e: SelectEnum | undefined): GraphQLInputType {
  if (f.type === "geopoint") return s.GeoPointInput;
  if (e) return isListField(f) ? listOf(e.type) : e.type;
  if (isListField(f)) return listOf(f.type === "reference" ? GraphQLID : GraphQLString);
  return f.type === "select" ? GraphQLString : scalarOf(f, s);
}

/** The filter input of a field. */
function filterOf(f: FieldDef, s: SharedTypes, e: SelectEnum | undefined): GraphQLInputObjectType {
  if (e) return isListField(f) ? e.listFilter : e.filter;
  if (isListField(f)) return s.StringListFilter;
  switch (f.type) {
    case "number":
      return scalarOf(f, s) === GraphQLInt ? s.IntFilter : s.FloatFilter;
    case "bool":
      return s.BooleanFilter;
    case "date":
      return s.DateFilter;
    case "datetime":
      return s.DateTimeFilter;
    case "reference":
      return s.IDFilter;
    case "json":
    case "geopoint":
      return s.JSONFilter;
    default:
      return s.StringFilter;
  }
}

const sortable = (f: FieldDef) => !isListField(f) && f.type !== "json" && f.type !== "geopoint";

export interface CollectionInputs {
  where: GraphQLInputObjectType;
  orderBy: GraphQLInputObjectType;
  /** absent without fields to take (GraphQL input objects need at least one field) */
  createInput?: GraphQLInputObjectType;
  /** absent without fields to take */
  updateInput?: GraphQLInputObjectType;
}

/** The where-filter input of a system field, by its GraphQL type. */
function systemFilter(f: SystemField, s: SharedTypes): GraphQLInputObjectType {
  return f.graphqlType === "ID" ? s.IDFilter : f.graphqlType === "DateTime" ? s.DateTimeFilter : s.IntFilter;
}

/** The input types of one collection as `view` shows it; `enums` are its select enums by field. */
export function collectionInputs(def: CollectionDef, names: CollectionNames, s: SharedTypes, view: FieldView, enums?: ReadonlyMap<string, SelectEnum>): CollectionInputs {
  const readable = def.fields.filter((f) => showsField(view, f.name));
  const creatable = def.fields.filter((f) => takesField(view.create, f.name));
  const updatable = def.fields.filter((f) => takesField(view.update, f.name));
  const where: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: names.where,
    fields: () => {
      const fields: GraphQLInputFieldConfigMap = {
        AND: { type: listOf(where) },
        OR: { type: listOf(where) },
        NOT: { type: where },
      };
      for (const f of SYSTEM_FIELDS) if (f.graphqlName && f.filterable) fields[f.graphqlName] = { type: systemFilter(f, s) };
      for (const f of readable) fields[f.name] = { type: filterOf(f, s, enums?.get(f.name)) };
      return withFieldAliases(def, fields, true);
    },
  });
  const orderBy = new GraphQLInputObjectType({
    name: names.orderBy,
    description: "One field per object: the list gives the order of the sort keys.",
    fields: () => {
      const fields: GraphQLInputFieldConfigMap = {};
      for (const f of SYSTEM_FIELDS) if (f.graphqlName && f.graphqlSortable) fields[f.graphqlName] = { type: s.SortOrder };
      for (const f of readable) if (sortable(f)) fields[f.name] = { type: s.SortOrder };
      return withFieldAliases(def, fields, true);
    },
  });
  const out: CollectionInputs = { where, orderBy };
  if (creatable.length > 0) {
    out.createInput = new GraphQLInputObjectType({
      name: names.createInput,
      fields: () =>
        withFieldAliases(
          def,
          Object.fromEntries(
            creatable.map((f) => {
              const type = inputTypeOf(f, s, enums?.get(f.name));
              return [f.name, { type: f.required && f.default === undefined ? new GraphQLNonNull(type) : type, description: f.hint ?? undefined }];
            }),
          ),
          true,
        ),
    });
  }
  if (updatable.length > 0) {
    out.updateInput = new GraphQLInputObjectType({
      name: names.updateInput,
      description: "Only the fields present are changed; null clears a field.",
      fields: () => withFieldAliases(def, Object.fromEntries(updatable.map((f) => [f.name, { type: inputTypeOf(f, s, enums?.get(f.name)) }])), true),
    });
  }
  return out;
}
