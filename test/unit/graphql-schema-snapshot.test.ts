/**
 * The system GraphQL schema (no collections) must match the checked-in snapshot
 * schema/system.graphql (sorted SDL). After an intended change, regenerate it with
 * `npx cairn schema print --system > schema/system.graphql` and review the diff.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printSystemSchema } from "../../src/graphql/print-schema.ts";

describe("system schema snapshot", () => {
  it("equals schema/system.graphql", () => {
    const checkedIn = readFileSync(new URL("../../schema/system.graphql", import.meta.url), "utf8");
    expect(printSystemSchema()).toBe(checkedIn);
  });
});
