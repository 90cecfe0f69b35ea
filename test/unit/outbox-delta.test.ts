/**
 * The previous-state delta the outbox keeps for updates: only changed fields with their old
 * values, fields new in the record as null, field names kept as plain keys (even `__proto__`),
 * and nothing kept when the delta is over the bound.
 */
import { describe, expect, it } from "vitest";
import { MAX_PREVIOUS_CHARS, previousDelta } from "../../src/core/events/outbox.ts";

describe("previousDelta", () => {
  const before = { id: "r1", title: "a", tags: ["x", "y"], meta: { k: 1 }, views: 3, gone: null };
  it.each([
    ["one scalar changed", { ...before, title: "b" }, { title: "a" }],
    ["nothing changed", { ...before }, {}],
    ["array and object compared by value", { ...before, tags: ["x", "y"], meta: { k: 2 } }, { meta: { k: 1 } }],
    ["a field new in the record", { ...before, extra: 5 }, { extra: null }],
    ["a value set to null", { ...before, views: null }, { views: 3 }],
  ])("%s", (_name, after, expected) => {
    expect(JSON.parse(previousDelta(after as Record<string, unknown>, before)!)).toEqual(expected);
  });

  it("keeps __proto__ as a plain field name", () => {
    const old = JSON.parse('{"id":"r1","__proto__":"old"}') as Record<string, unknown>;
    const now = JSON.parse('{"id":"r1","__proto__":"new"}') as Record<string, unknown>;
    const delta = JSON.parse(previousDelta(now, old)!);
    expect(Object.keys(delta)).toEqual(["__proto__"]);
    expect({ ...now, ...delta }).toEqual(old);
  });

  it("keeps nothing when the delta is over the bound", () => {
    const big = "x".repeat(MAX_PREVIOUS_CHARS);
    expect(previousDelta({ id: "r1", body: "short" }, { id: "r1", body: big })).toBeNull();
    expect(previousDelta({ id: "r1", body: big }, { id: "r1", body: "short" })).not.toBeNull();
  });
});
