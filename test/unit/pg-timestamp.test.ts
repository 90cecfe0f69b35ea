/**
 * PostgreSQL timestamps come back as the same ISO-8601 strings as on SQLite (what
 * `Date#toISOString` prints). The common shape (a UTC time in PostgreSQL's ISO output) is
 * rewritten as text; every other shape goes through Date. Both must give what Date gives.
 */
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/db/postgres.ts";

/** What a Date round trip gives (the reference for every input PostgreSQL prints in UTC). */
const viaDate = (v: string) => new Date(`${v.replace(" ", "T").replace(/\+00$/, "")}Z`).toISOString();

describe("parseTimestamp", () => {
  it("rewrites UTC times with 0 to 6 fraction digits, with and without the +00 of timestamptz", () => {
    for (const v of [
      "2026-12-04 09:32:45.869+00",
      "2026-12-04 09:32:45.869",
      "2026-12-04 09:32:45+00",
      "2026-12-04 09:32:45",
      "2026-12-04 09:32:45.8+00",
      "2026-12-04 09:32:45.86+00",
      "2026-12-04 09:32:45.8691+00",
      "2026-12-04 09:32:45.869123+00",
      "2026-12-04 09:32:45.999999",
      "1000-01-01 00:00:00+00",
      "9999-12-31 23:59:59.999+00",
    ])
      expect(parseTimestamp(v), v).toBe(viaDate(v));
  });

  it("sends other offsets, years outside 1000-9999 and BC dates through Date", () => {
    expect(parseTimestamp("2026-12-04 10:32:45.869+01")).toBe("2026-12-04T09:32:45.869Z");
    expect(parseTimestamp("2026-12-04 15:02:45+05:30")).toBe("2026-12-04T09:32:45.000Z");
    expect(parseTimestamp("0999-01-01 00:00:00+00")).toBe(new Date("0999-01-01T00:00:00Z").toISOString());
    expect(parseTimestamp("2026-12-04T09:32:45.869Z")).toBe("2026-12-04T09:32:45.869Z");
  });
});
