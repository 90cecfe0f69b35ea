/**
 * Field value checks, ISO parsing, type-change conversions and plan computation.
 */
import { describe, expect, it } from "vitest";
import { checkFieldValue, parseIso } from "../../src/core/collections/check-value.ts";
import { acceptsValue, conversionFor } from "../../src/core/collections/conversions.ts";
import { planSchemaChange } from "../../src/core/collections/plan.ts";
import { ValidationError } from "../../src/core/errors.ts";
import type { CollectionDef, FieldDef, FieldType, FieldOptions } from "../../src/core/collections/types.ts";

const f = (type: FieldType, options: FieldOptions = {}, extra: Partial<FieldDef> = {}): FieldDef => ({ id: "x", name: "x", type, required: false, unique: false, index: false, options, ...extra });

describe("parseIso", () => {
  it.each([
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["2024-01-01T10:00", "2024-01-01T10:00:00.000Z"],
    ["2024-01-01 10:00:05.5Z", "2024-01-01T10:00:05.500Z"],
    ["2024-01-01T23:00:00-05:00", "2024-01-02T04:00:00.000Z"],
    ["0050-06-01", "0050-06-01T00:00:00.000Z"],
  ])("%s", (input, iso) => expect(parseIso(input)?.date.toISOString()).toBe(iso));
  it.each(["2023-02-29", "2024-13-01", "2024-1-1", "0000-01-01", "2024-01-01T24:00", "2024-01-01T10:00+0200", " 2024-01-01", "yesterday"])("rejects %s", (input) => expect(parseIso(input)).toBeNull());
});

describe("checkFieldValue", () => {
  it.each<[FieldDef, unknown, RegExp | null]>([
    [f("text", { minLength: 2, maxLength: 3 }), "a", /at least 2/],
    [f("text", { pattern: "[a-z]+" }), "abc1", null],
    [f("text", { pattern: "[a-z]+" }), "1abc", /pattern/],
    [f("number", { integer: true }), 1.5, /integer/],
    [f("number", { min: 0 }), -1, /at least 0/],
    [f("number"), true, /number/],
    [f("bool"), 0, /true or false/],
    [f("email"), "a@b.co", null],
    [f("url"), "ftp://x", /http/],
    [f("select", { values: ["a"] }), "b", /one of/],
    [f("select", { values: ["a", "b"], multiple: true }), ["a", "b"], null],
    [f("reference", { multiple: true }), "id", /list/],
    [f("geopoint"), { lat: 91, lng: 0 }, /lat/],
    [f("json"), { any: [1] }, null],
    [f("text"), null, null],
  ])("%#", (field, value, expected) => {
    const err = checkFieldValue(field, value);
    if (expected) expect(err).toMatch(expected);
    else expect(err).toBeNull();
  });
});

describe("conversionFor", () => {
  it.each<[FieldDef, FieldDef, string | null]>([
    [f("text"), f("email"), "none"],
    [f("tags"), f("json"), "none"],
    [f("number"), f("text"), "number_to_text"],
    [f("bool"), f("editor"), "bool_to_text"],
    [f("json"), f("text"), "json_to_text"],
    [f("datetime"), f("text"), "datetime_to_text"],
    [f("text"), f("number"), "text_to_number"],
    [f("text"), f("bool"), "text_to_bool"],
    [f("text"), f("date"), "text_to_date"],
    [f("date"), f("datetime"), "date_to_datetime"],
    [f("datetime"), f("date"), "datetime_to_date"],
    [f("select", { values: ["a"] }), f("select", { values: ["a"], multiple: true }), "single_to_list"],
    [f("reference", { multiple: true }), f("reference"), "list_to_single"],
    [f("select", { multiple: true }), f("text"), "json_to_text"],
    [f("number"), f("bool"), null],
    [f("text"), f("json"), null],
    [f("bool"), f("date"), null],
  ])("%#", (from, to, expected) => expect(conversionFor(from, to)).toBe(expected));
});

describe("acceptsValue", () => {
  it.each<[string, unknown, boolean]>([
    ["text_to_number", " 12.5 ", true],
    ["text_to_number", "1e3", true],
    ["text_to_number", ".5", true],
    ["text_to_number", "", true],
    ["text_to_number", "12abc", false],
    ["text_to_number", "0x10", false],
    ["text_to_number", "1e999", false],
    ["text_to_number", "NaN", false],
    ["text_to_bool", "TRUE", true],
    ["text_to_bool", "0", true],
    ["text_to_bool", "yes", false],
    ["text_to_date", "2024-01-01T10:00:00Z", true],
    ["text_to_date", "2024-02-30", false],
    ["text_to_datetime", " 2024-01-01 ", true],
    ["list_to_single", '["a"]', true],
    ["list_to_single", "[]", true],
    ["list_to_single", '["a","b"]', false],
    ["list_to_single", ["a", "b"], false],
  ])("%s %j → %s", (kind, value, ok) => expect(acceptsValue(kind as never, value)).toBe(ok));
});

describe("planSchemaChange", () => {
  const def = (fields: FieldDef[], name = "posts"): CollectionDef => ({
    id: "c",
    name,
    type: "base",
    fields,
    options: {},
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    viewQuery: null,
    system: false,
    created: "",
    updated: "",
  });
  const a = f("text", {}, { id: "a", name: "a" });
  const b = f("number", {}, { id: "b", name: "b" });

  it("classifies adds, drops, renames and conversions", () => {
    const c = f("bool", {}, { id: "c", name: "c" });
    const plan = planSchemaChange("sqlite", def([a, b]), def([{ ...a, name: "a2" }, { ...b, type: "text" }, c], "articles"));
    expect(plan.added.map((x) => x.id)).toEqual(["c"]);
    expect(plan.dropped).toEqual([]);
    expect(plan.renamed.map((k) => k.to.name)).toEqual(["a2"]);
    expect(plan.converted.map((k) => k.conversion)).toEqual(["number_to_text"]);
    expect(plan.renameTable).toBe(true);
    expect(plan.structural).toBe(true);
  });

  it("is not structural for metadata-only changes", () => {
    const plan = planSchemaChange(
      "postgres",
      def([a, b]),
      def([
        { ...a, required: true, type: "email" },
        { ...b, options: { min: 1 } },
      ]),
    );
    expect(plan.structural).toBe(false);
  });

  it("marks new unique constraints and index changes as structural", () => {
    const plan = planSchemaChange("sqlite", def([a]), def([{ ...a, unique: true }]));
    expect(plan.newlyUnique.map((u) => u.index)).toEqual([0]);
    expect(plan.structural).toBe(true);
  });

  it("recreates only the derived objects a change touches", () => {
    const t = f("text", {}, { id: "t", name: "t" });
    const n = f("number", {}, { id: "n", name: "n", unique: true });
    const base = def([t, n]);
    // adding a plain field touches nothing
    expect(planSchemaChange("postgres", base, def([t, n, f("bool", {}, { id: "b", name: "b" })])).derived).toEqual({ all: false, drop: [], create: [] });
    // renaming a searchable field: PostgreSQL follows it, SQLite's FTS table must be recreated
    const renamed = def([{ ...t, name: "t2" }, n]);
    expect(planSchemaChange("postgres", base, renamed).derived.create).toEqual([]);
    expect(planSchemaChange("sqlite", base, renamed).derived.create.join(";")).toMatch(/fts5\("t2", content[\s\S]*'rebuild'/);
    // converting the unique field recreates its index on PostgreSQL; SQLite rebuilds everything
    const converted = def([t, { ...n, type: "text" }]);
    const pg = planSchemaChange("postgres", base, converted).derived;
    // (the converted field becomes text, so it also joins the search document)
    expect(pg.drop).toEqual([`ALTER TABLE "posts" DROP COLUMN IF EXISTS "_search"`, `DROP INDEX IF EXISTS "posts__uq_n"`]);
    expect(planSchemaChange("sqlite", base, converted).derived.all).toBe(true);
    expect(planSchemaChange("postgres", base, def([t, n], "renamed")).derived.all).toBe(true);
  });

  it("rejects an incompatible type change naming the field", () => {
    try {
      planSchemaChange("sqlite", def([a, b]), def([a, { ...b, type: "bool" }]));
      throw new Error("expected a ValidationError");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields["schema[1].type"]).toMatch(/cannot change field 'b' from number \(number\) to bool/);
    }
  });
});
