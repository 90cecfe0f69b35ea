import { describe, expect, it } from "vitest";
import { FilterError } from "../../src/query/ast.ts";
import { collectionResolver } from "../../src/query/fields.ts";
import { parseSort, type SortTerm } from "../../src/query/sort.ts";
import { ITEMS } from "./query-fixtures.ts";

const resolve = collectionResolver(ITEMS);
const term = (name: string, desc: boolean, kind: string): SortTerm => ({ column: name, name, desc, kind }) as SortTerm;

describe("parseSort", () => {
  const cases: [string, SortTerm[]][] = [
    ["", []],
    ["   ", []],
    ["-created", [term("created", true, "datetime")]],
    ["-created,+title,views", [term("created", true, "datetime"), term("title", false, "text"), term("views", false, "number")]],
    [" -created , title ", [term("created", true, "datetime"), term("title", false, "text")]],
    // `+` arrives as a space when a query string is decoded
    [" title", [term("title", false, "text")]],
    ["- views", [term("views", true, "number")]],
    ["@random", [{ random: true }]],
    ["published,-@random", [term("published", false, "bool"), { random: true }]],
    [
      "id,updated,version,owner_id,birthday,status,author",
      [
        term("id", false, "text"),
        term("updated", false, "datetime"),
        term("version", false, "number"),
        term("owner_id", false, "text"),
        term("birthday", false, "date"),
        term("status", false, "text"),
        term("author", false, "text"),
      ],
    ],
  ];
  it.each(cases)("%j", (src, expected) => {
    expect(parseSort(src, resolve)).toEqual(expected);
  });

  const errors: [string, string][] = [
    ["nope", "unknown sort field 'nope'"],
    ["-created,nope", "unknown sort field 'nope'"],
    ["account_id", "unknown sort field 'account_id'"],
    ["author.name", "sorting through relations ('author.name') is not supported"],
    ["title,-title", "duplicate sort field 'title'"],
    ["@random,@random", "duplicate sort field '@random'"],
    ["title,,views", "empty sort field in 'title,,views'"],
    ["title,", "empty sort field in 'title,'"],
    ["-", "invalid sort field ''"],
    ["title desc", "invalid sort field 'title desc'"],
    ["title;drop", "invalid sort field 'title;drop'"],
    ['"title"', `invalid sort field '"title"'`],
    ["tags", "field 'tags' cannot be sorted (list)"],
    ["-categories", "field 'categories' cannot be sorted (list)"],
    ["meta", "field 'meta' cannot be sorted (json)"],
    ["a,b,c,d,e,f,g,h,i", "too many sort fields (max 8)"],
    ["x".repeat(2000), "sort is too long (max 1024 characters)"],
  ];
  it.each(errors)("%j fails", (src, message) => {
    expect(() => parseSort(src, resolve)).toThrow(FilterError);
    expect(() => parseSort(src, resolve)).toThrow(message);
  });

  it("accepts exactly 8 terms", () => {
    expect(parseSort("id,title,body,views,price,published,birthday,due", resolve)).toHaveLength(8);
  });
});
