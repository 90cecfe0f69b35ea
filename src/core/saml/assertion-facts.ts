/**
 * Facts node-saml does not check, read from the assertion it verified (its parsed form, as
 * `profile.getAssertion()` returns it: xml2js with namespace prefixes stripped): the assertion
 * ID (for replay protection), the end of its validity and the bearer confirmations' Recipients.
 */

export interface AssertionFacts {
  id: string | null;
  /** Conditions/@NotOnOrAfter, else the first bearer confirmation's */
  notOnOrAfter: Date | null;
  /** SubjectConfirmationData/@Recipient values ("" for a confirmation without one) */
  recipients: string[];
}

type Node = { $?: Record<string, unknown> } & Record<string, unknown>;

function children(node: Node | undefined, name: string): Node[] {
  const v = node?.[name];
  return Array.isArray(v) ? (v as Node[]) : [];
}

function attr(node: Node | undefined, name: string): string | null {
  const v = node?.$?.[name];
  return typeof v === "string" && v ? v : null;
}

function time(v: string | null): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Reads the facts from the parsed, verified assertion (`{Assertion: {…}}`). */
export function readAssertion(parsed: Record<string, unknown> | undefined): AssertionFacts {
  const assertion = parsed?.Assertion as Node | undefined;
  const recipients: string[] = [];
  let confirmationEnd: Date | null = null;
  for (const subject of children(assertion, "Subject")) {
    for (const confirmation of children(subject, "SubjectConfirmation")) {
      for (const data of children(confirmation, "SubjectConfirmationData")) {
        recipients.push(attr(data, "Recipient") ?? "");
        confirmationEnd ??= time(attr(data, "NotOnOrAfter"));
      }
    }
  }
  const conditions = children(assertion, "Conditions")[0];
  return { id: attr(assertion, "ID"), notOnOrAfter: time(attr(conditions, "NotOnOrAfter")) ?? confirmationEnd, recipients };
}
