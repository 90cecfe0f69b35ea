/**
 * The system-field table (src/query/system-fields.ts) is the only list of system columns: this
 * walks it and checks that every consumer agrees — the DDL on both dialects, the columns a
 * record read selects and the row mapper, the filter/sort field resolver, the rule aliases, the
 * GraphQL record type and its where/orderBy inputs, and the keyset nullability. A new system
 * column added to the table shows up everywhere without another edit.
 */
import { getNamedType, GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { createTableSql } from "../../src/core/collections/ddl.ts";
import { SYSTEM_COLUMNS, type CollectionDef } from "../../src/core/collections/types.ts";
import { rowMapper, selectColumns } from "../../src/core/records/values.ts";
import type { Prisma } from "../../src/db/prisma.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { GRAPHQL_TO_FIELD } from "../../src/graphql/where.ts";
import type { RealtimeHub } from "../../src/realtime/hub.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { parseRule } from "../../src/query/parse-rule.ts";
import { parseSort } from "../../src/query/sort.ts";
import { isNotNullColumn, SYSTEM_FIELDS } from "../../src/query/system-fields.ts";
import { field } from "./query-fixtures.ts";

const def: CollectionDef = {
  id: "c1",
  name: "notes",
  type: "base",
  fields: [field("title", "text")],
  options: {},
  viewQuery: null,
  system: false,
  created: "2026-01-01T00:00:00.000Z",
  updated: "2026-01-01T00:00:00.000Z",
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
};

const schema: GraphQLSchema = buildSchema([def], { prisma: {} as Prisma, hub: {} as RealtimeHub });
const type = (name: string) => schema.getType(name);

describe.each(SYSTEM_FIELDS.map((f) => [f.name, f] as const))("system field %s", (_name, f) => {
  it("is a column of the table on both dialects, with its definition", () => {
    expect(SYSTEM_COLUMNS).toContain(f.column);
    expect(createTableSql("sqlite", def, "notes")).toContain(`"${f.column}" ${f.ddl.sqlite}`);
    expect(createTableSql("postgres", def, "notes")).toContain(`"${f.column}" ${f.ddl.postgres}`);
    expect(isNotNullColumn(f.column)).toBe(!f.nullable);
    expect(f.nullable).toBe(!/NOT NULL/.test(f.ddl.sqlite));
  });

  it("is read into records exactly when it is part of one", () => {
    expect(selectColumns(def).includes(f.column)).toBe(f.inRecord);
    const row: Record<string, unknown> = { title: "t" };
    for (const s of SYSTEM_FIELDS) row[s.column] = s.kind === "number" ? "7" : `v-${s.column}`;
    const rec = rowMapper(def, "sqlite")(row);
    expect(Object.hasOwn(rec, f.name)).toBe(f.inRecord);
    if (f.inRecord) expect(rec[f.name]).toBe(f.kind === "number" ? 7 : `v-${f.column}`);
  });

  it("resolves in filters and sorts as the table says", () => {
    const info = collectionResolver(def)(f.name);
    if (!f.filterable) {
      expect(info).toBeUndefined();
      expect(() => parseRule(`${f.name} = "x"`)).not.toThrow(); // parses; the resolver refuses it later
      return;
    }
    expect(info).toMatchObject({ name: f.name, column: f.column, kind: f.kind, fieldType: "system" });
    if (f.sortable) expect(parseSort(`-${f.name}`, collectionResolver(def))).toEqual([{ column: f.column, name: f.name, desc: true, kind: f.kind }]);
    else expect(() => parseSort(f.name, collectionResolver(def))).toThrow(/cannot be sorted/);
  });

  it("is reachable through its rule aliases", () => {
    for (const alias of f.aliases) expect(parseRule(`${alias} = "x"`)).toMatchObject({ left: { kind: "field", name: f.name } });
  });

  it("appears on the GraphQL record type and inputs as the table says", () => {
    const object = type("Note") as GraphQLObjectType;
    const where = type("NoteWhere") as GraphQLInputObjectType;
    const orderBy = type("NoteOrderBy") as GraphQLInputObjectType;
    if (!f.graphqlName) {
      expect(Object.keys(object.getFields())).not.toContain(f.name);
      return;
    }
    const out = object.getFields()[f.graphqlName]!;
    expect(getNamedType(out.type).name).toBe(f.graphqlType);
    expect(out.type instanceof GraphQLNonNull).toBe(!f.nullable);
    expect(Object.hasOwn(where.getFields(), f.graphqlName)).toBe(f.filterable);
    expect(Object.hasOwn(orderBy.getFields(), f.graphqlName)).toBe(f.graphqlSortable);
    expect(GRAPHQL_TO_FIELD.get(f.graphqlName) ?? f.graphqlName).toBe(f.name);
  });
});

it("no consumer knows a system column the table does not", () => {
  expect([...SYSTEM_COLUMNS]).toEqual(SYSTEM_FIELDS.map((f) => f.column));
  const object = type("Note") as GraphQLObjectType;
  const graphqlNames = new Set(SYSTEM_FIELDS.map((f) => f.graphqlName));
  expect(Object.keys(object.getFields()).filter((n) => n !== "title" && !graphqlNames.has(n))).toEqual([]);
  expect(selectColumns(def).filter((c) => c !== "title")).toEqual(SYSTEM_FIELDS.filter((f) => f.inRecord).map((f) => f.column));
});
