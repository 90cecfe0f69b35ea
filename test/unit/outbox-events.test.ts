/**
 * Outbox rows as events: `payload` and `previous` are decoded on first read, once; JSON (what
 * the pub/sub port sends) holds every field; an event whose payload nobody reads is never
 * parsed.
 */
import { describe, expect, it } from "vitest";
import { toStoredEvents } from "../../src/core/events/outbox.ts";

const row = (type: string, payload: unknown, previous: unknown = null) => ({
  seq: 7,
  type,
  account_id: "acc",
  collection: "posts",
  record_id: "r1",
  payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  previous: previous === null ? null : JSON.stringify(previous),
  created: "2026-01-01T00:00:00.000Z",
});

describe("toStoredEvents", () => {
  it("decodes a create's payload when read, and keeps the decoded object", () => {
    const [e] = toStoredEvents([row("record.create", { id: "r1", title: "a" })]);
    const fields = { seq: 7, type: "record.create", accountId: "acc", collection: "posts", recordId: "r1", payload: { id: "r1", title: "a" }, previous: null, created: "2026-01-01T00:00:00.000Z" };
    expect(e!.payload).toEqual(fields.payload);
    expect(e!.payload).toBe(e!.payload);
    expect(e!.previous).toBeNull();
    expect(JSON.stringify(e)).toBe(JSON.stringify(fields));
  });

  it("rebuilds an update's previous state from its delta, and a delete's from its payload", () => {
    const [update, del] = toStoredEvents([row("record.update", { id: "r1", title: "b", views: 2 }, { title: "a" }), row("record.delete", { id: "r1", title: "b" })]);
    expect(update!.previous).toEqual({ id: "r1", title: "a", views: 2 });
    expect(update!.previous).toBe(update!.previous);
    expect(del!.previous).toBe(del!.payload);
  });

  it("leaves a payload nobody reads undecoded", () => {
    const [e] = toStoredEvents([row("record.create", "{not json")]);
    expect(e!.type).toBe("record.create");
    expect(e!.collection).toBe("posts");
    expect(() => e!.payload).toThrow(SyntaxError);
  });
});
