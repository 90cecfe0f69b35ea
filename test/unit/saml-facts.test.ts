/**
 * The pure parts of SAML sign-on: who an assertion names, read each flavour's way
 * (core/saml/flavours.ts); the facts read from a verified assertion (assertion-facts.ts); and
 * the certificate check of the IdP settings (settings.ts), with hostile input.
 */
import { describe, expect, it } from "vitest";
import { identityOf } from "../../src/core/saml/flavours.ts";
import { readAssertion } from "../../src/core/saml/assertion-facts.ts";
import { certificatePem } from "../../src/core/saml/settings.ts";

const CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const attrs = (o: Record<string, string[]>) => new Map(Object.entries(o));

describe("identityOf", () => {
  it.each<[string, "azure" | "okta" | "generic", string, Record<string, string[]>, { subject: string; email: string | null; name: string | null }]>([
    [
      "azure claims, object id as subject",
      "azure",
      "opaque-id",
      { [`${CLAIMS}/emailaddress`]: ["Ada@Example.com"], "http://schemas.microsoft.com/identity/claims/objectidentifier": ["oid-1"], [`${CLAIMS}/givenname`]: ["Ada"], [`${CLAIMS}/surname`]: ["L"] },
      { subject: "oid-1", email: "ada@example.com", name: "Ada L" },
    ],
    ["azure without claims: the NameID when it is an address", "azure", "bob@example.com", {}, { subject: "bob@example.com", email: "bob@example.com", name: null }],
    ["okta names", "okta", "olga@example.com", { email: ["olga@example.com"], firstName: ["Olga"], lastName: ["K"] }, { subject: "olga@example.com", email: "olga@example.com", name: "Olga K" }],
    [
      "generic oid mail and displayName",
      "generic",
      "g-1",
      { "urn:oid:0.9.2342.19200300.100.1.3": ["gen@example.com"], displayName: ["Gene"] },
      { subject: "g-1", email: "gen@example.com", name: "Gene" },
    ],
    ["a malformed address is no address", "okta", "not-an-address", { email: ["nope"] }, { subject: "not-an-address", email: null, name: null }],
    ["blank values are skipped", "okta", "x@example.com", { email: ["  ", "second@example.com"] }, { subject: "x@example.com", email: "second@example.com", name: null }],
    [
      "prototype-named attributes are just names",
      "generic",
      "p@example.com",
      JSON.parse('{"__proto__": ["x"], "constructor": ["y"], "email": ["__proto__"]}') as Record<string, string[]>,
      { subject: "p@example.com", email: "p@example.com", name: null },
    ],
  ])("%s", (_label, flavour, nameId, attributes, expected) => {
    expect(identityOf(flavour, nameId, attrs(attributes))).toEqual(expected);
  });
});

describe("readAssertion", () => {
  const parsed = {
    Assertion: {
      $: { ID: "_a1" },
      Subject: [{ SubjectConfirmation: [{ SubjectConfirmationData: [{ $: { Recipient: "https://sp/acs", NotOnOrAfter: "2030-01-01T00:00:00Z" } }] }] }],
      Conditions: [{ $: { NotOnOrAfter: "2030-01-01T00:05:00Z" } }],
    },
  };

  it("reads the ID, the recipients and the end of validity", () => {
    expect(readAssertion(parsed)).toEqual({ id: "_a1", recipients: ["https://sp/acs"], notOnOrAfter: new Date("2030-01-01T00:05:00Z") });
  });

  it.each<[string, Record<string, unknown> | undefined]>([
    ["nothing", undefined],
    ["no Assertion", { Response: {} }],
    ["wrong shapes", { Assertion: { $: { ID: 5 }, Subject: "x", Conditions: [null] } }],
    ["a confirmation without Recipient", { Assertion: { $: { ID: "_b" }, Subject: [{ SubjectConfirmation: [{ SubjectConfirmationData: [{ $: {} }] }] }] } }],
    ["a bad date", { Assertion: { $: { ID: "_c" }, Conditions: [{ $: { NotOnOrAfter: "tomorrow" } }] } }],
  ])("survives %s", (_label, input) => {
    const facts = readAssertion(input);
    expect(facts.notOnOrAfter === null || facts.notOnOrAfter instanceof Date).toBe(true);
    expect(Array.isArray(facts.recipients)).toBe(true);
    expect(facts.recipients.every((r) => typeof r === "string")).toBe(true);
  });
});

describe("certificatePem", () => {
  it.each(["", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "<script>", "A".repeat(30_000), "\u0000"])("refuses %j", (text) => {
    expect(certificatePem(text.slice(0, 200))).toBeUndefined();
  });
});
