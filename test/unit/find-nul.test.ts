/**
 * The NUL finder's paths: the first string value or object key holding U+0000, through nested
 * objects and arrays, named as the request edges report it; nothing for clean data.
 */
import { describe, expect, it } from "vitest";
import { findNul } from "../../src/lib/find-nul.ts";

describe("findNul", () => {
  it.each([
    ["a clean body", { data: { title: "a", tags: ["x", "y"], n: 1, ok: true, none: null } }, "body", undefined],
    ["the value itself", "a\u0000b", "", ""],
    ["a nested string", { data: { title: "ok", tags: ["x", "y\u0000"] } }, "body", "body.data.tags[1]"],
    ["a key", { data: { "k\u0000": 1 } }, "body", "body.data.k\\u0000"],
    ["a key without a prefix", { "a\u0000": "v" }, "", "a\\u0000"],
    ["the first of two, in document order", { a: ["ok", "x\u0000"], b: "y\u0000" }, "", "a[1]"],
    ["a key before a later value", { "k\u0000": "ok", z: "y\u0000" }, "", "k\\u0000"],
    ["deep nesting", JSON.parse(`${"[".repeat(5000)}"\\u0000"${"]".repeat(5000)}`), "v", `v${"[0]".repeat(5000)}`],
  ])("%s", (_name, value, prefix, expected) => {
    expect(findNul(value, prefix)).toBe(expected);
  });
});
