/**
 * GraphQL over HTTP conformance: graphql-http's server audits against the live /graphql.
 * Every MUST passes; SHOULD/MAY results are checked too, except those our hardening answers
 * differently on purpose (listed below with the reason).
 */
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t?.close());

/** Audits we deliberately answer otherwise (none today: anonymous GET queries pass the CSRF check). */
const EXPECTED_DIFFERENT: Record<string, string> = {};

describe("graphql-http server audits", () => {
  const audits = serverAudits({ url: () => `${t.url}/graphql` });
  it.each(audits.map((a) => [a.name, a] as const))("%s", async (_name, audit) => {
    const result = await audit.fn();
    if (audit.name.startsWith("MUST")) {
      expect(result.status, `${audit.id}: ${result.status !== "ok" ? result.reason : ""}`).toBe("ok");
    } else if (!EXPECTED_DIFFERENT[audit.id]) {
      expect(result.status, `${audit.id}: ${result.status !== "ok" ? result.reason : ""}`).not.toBe("error");
    }
  });
});
