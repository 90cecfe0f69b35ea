/**
 * The SAML provider flavours SnackBase names (`azure`, `okta`, `generic`) and what differs
 * between them: the NameID format asked for, and where each IdP puts the e-mail address, the
 * display name and the stable subject in its assertions. Everything else (signatures, audience,
 * recipient, time window, replay) is the same SAML 2.0 check for all of them.
 */
import { emailProblem, normalizeEmail } from "../auth/email.ts";

export type SamlFlavour = "azure" | "okta" | "generic";

export const SAML_FLAVOURS: readonly SamlFlavour[] = ["azure", "okta", "generic"];

export function isSamlFlavour(v: unknown): v is SamlFlavour {
  return typeof v === "string" && (SAML_FLAVOURS as readonly string[]).includes(v);
}

const CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const MS_CLAIMS = "http://schemas.microsoft.com/identity/claims";

interface FlavourSpec {
  nameIdFormat: string;
  /** attributes holding the e-mail address, in order of preference (then the NameID) */
  email: readonly string[];
  /** attributes holding a display name, in order of preference */
  name: readonly string[];
  /** given- and family-name attributes, joined when no display name is sent */
  givenName: readonly string[];
  familyName: readonly string[];
  /** attributes holding an immutable user id, preferred over the NameID as the link subject */
  subject: readonly string[];
}

const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

const SPECS: Readonly<Record<SamlFlavour, FlavourSpec>> = {
  azure: {
    nameIdFormat: EMAIL_FORMAT,
    email: [`${CLAIMS}/emailaddress`, `${CLAIMS}/name`, `${CLAIMS}/upn`],
    name: [`${MS_CLAIMS}/displayname`],
    givenName: [`${CLAIMS}/givenname`],
    familyName: [`${CLAIMS}/surname`],
    subject: [`${MS_CLAIMS}/objectidentifier`],
  },
  okta: {
    nameIdFormat: EMAIL_FORMAT,
    email: ["email", "Email", "mail"],
    name: ["displayName", "name"],
    givenName: ["firstName", "givenName"],
    familyName: ["lastName", "surname"],
    subject: ["userId", "uid"],
  },
  generic: {
    nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    email: ["email", "mail", "urn:oid:0.9.2342.19200300.100.1.3", `${CLAIMS}/emailaddress`],
    name: ["displayName", "name", "cn", "urn:oid:2.16.840.1.113730.3.1.241", "urn:oid:2.5.4.3"],
    givenName: ["givenName", "firstName", "urn:oid:2.5.4.42"],
    familyName: ["sn", "lastName", "surname", "urn:oid:2.5.4.4"],
    subject: [],
  },
};

/** The NameID format the SP asks the flavour's IdP for. */
export function nameIdFormat(flavour: SamlFlavour): string {
  return SPECS[flavour].nameIdFormat;
}

export interface SamlIdentity {
  /** the stable id at the IdP (an id attribute, else the NameID) */
  subject: string;
  email: string | null;
  name: string | null;
}

function first(attributes: ReadonlyMap<string, readonly string[]>, names: readonly string[]): string | null {
  for (const n of names) {
    const v = attributes.get(n)?.find((x) => x.trim() !== "");
    if (v) return v.trim();
  }
  return null;
}

function cleanEmail(v: string | null): string | null {
  if (!v) return null;
  const e = normalizeEmail(v);
  return emailProblem(e) ? null : e;
}

/** Who the assertion names, read the flavour's way. */
export function identityOf(flavour: SamlFlavour, nameId: string, attributes: ReadonlyMap<string, readonly string[]>): SamlIdentity {
  const spec = SPECS[flavour];
  const email = cleanEmail(first(attributes, spec.email)) ?? cleanEmail(nameId);
  const joined = [first(attributes, spec.givenName), first(attributes, spec.familyName)].filter(Boolean).join(" ");
  return { subject: first(attributes, spec.subject) ?? nameId, email, name: first(attributes, spec.name) ?? (joined || null) };
}
