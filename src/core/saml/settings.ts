/**
 * The SAML identity providers of an account (one per flavour): entity id, SSO URL and signing
 * certificate, managed by superadmins and the account's admins through the accounts API. The
 * certificate is parsed when stored (a broken one is a 422 now, not a failed sign-in later)
 * and kept as PEM.
 */
import { X509Certificate } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { findManagedAccount } from "../accounts/view.ts";
import { isSamlFlavour, SAML_FLAVOURS, type SamlFlavour } from "./flavours.ts";

export interface SamlProviderView {
  accountId: string;
  provider: SamlFlavour;
  entityId: string;
  ssoUrl: string;
  /** PEM */
  certificate: string;
  /** SHA-256 fingerprint of the certificate (colon-separated hex) */
  certificateFingerprint: string;
  certificateExpires: Date;
  enabled: boolean;
  /** accept IdP-initiated (unsolicited) responses */
  allowIdpInitiated: boolean;
  created: Date;
  updated: Date;
}

export interface SamlProviderInput {
  entityId: string;
  ssoUrl: string;
  /** PEM, or the base64 body of one (as IdP metadata shows it) */
  certificate: string;
  enabled?: boolean;
  /** accept IdP-initiated (unsolicited) responses; default false */
  allowIdpInitiated?: boolean;
}

interface Row {
  accountId: string;
  provider: string;
  entityId: string;
  ssoUrl: string;
  certificate: string;
  enabled: boolean;
  allowIdpInitiated: boolean;
  created: Date;
  updated: Date;
}

/** The flavour named by `provider`; throws BadRequestError (400) otherwise. */
export function requireFlavour(provider: unknown): SamlFlavour {
  if (!isSamlFlavour(provider)) throw new BadRequestError(`Unknown SAML provider '${String(provider ?? "")}' (allowed: ${SAML_FLAVOURS.join(", ")})`, { provider: "unknown provider" });
  return provider;
}

/** The certificate as PEM, or undefined when it does not parse. */
export function certificatePem(text: string): { pem: string; cert: X509Certificate } | undefined {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length > 20_000) return undefined;
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    return { pem, cert: new X509Certificate(pem) };
  } catch {
    return undefined;
  }
}

export function toSamlProviderView(row: Row): SamlProviderView {
  const parsed = certificatePem(row.certificate);
  return {
    accountId: row.accountId,
    provider: row.provider as SamlFlavour,
    entityId: row.entityId,
    ssoUrl: row.ssoUrl,
    certificate: row.certificate,
    certificateFingerprint: parsed?.cert.fingerprint256 ?? "",
    certificateExpires: parsed ? new Date(parsed.cert.validTo) : new Date(0),
    enabled: row.enabled,
    allowIdpInitiated: row.allowIdpInitiated,
    created: row.created,
    updated: row.updated,
  };
}

/** The account's providers. Throws 401/403, NotFoundError (404: account outside the caller's scope). */
export async function listSamlProviders(ctx: Context, account: string): Promise<SamlProviderView[]> {
  const { row } = await findManagedAccount(ctx, account);
  const rows = await ctx.services.prisma.samlProvider.findMany({ where: { accountId: row.id }, orderBy: { provider: "asc" } });
  return rows.map(toSamlProviderView);
}

/**
 * Creates or replaces the account's settings for `provider`.
 * Throws 401/403, NotFoundError (404 account), BadRequestError (400 unknown flavour),
 * ValidationError (422 naming `entityId`, `ssoUrl` or `certificate`).
 */
export async function setSamlProvider(ctx: Context, account: string, provider: string, input: SamlProviderInput): Promise<SamlProviderView> {
  const flavour = requireFlavour(provider);
  const { row: acc } = await findManagedAccount(ctx, account);
  const problems: Record<string, string> = {};
  const entityId = typeof input.entityId === "string" ? input.entityId.trim() : "";
  if (!entityId || entityId.length > 1000) problems.entityId = "is required (at most 1000 characters)";
  const ssoUrl = typeof input.ssoUrl === "string" ? input.ssoUrl.trim() : "";
  if (!URL.canParse(ssoUrl) || !/^https?:$/.test(new URL(ssoUrl).protocol) || ssoUrl.length > 2000) problems.ssoUrl = "must be an absolute http(s) URL of at most 2000 characters";
  const cert = typeof input.certificate === "string" ? certificatePem(input.certificate) : undefined;
  if (!cert) problems.certificate = "must be an X.509 certificate (PEM or base64 DER)";
  if (Object.keys(problems).length) {
    throw new ValidationError(
      `Invalid SAML provider settings: ${Object.entries(problems)
        .map(([k, v]) => `${k} ${v}`)
        .join("; ")}`,
      problems,
    );
  }
  const data = { entityId, ssoUrl, certificate: cert!.pem, enabled: input.enabled ?? true, allowIdpInitiated: input.allowIdpInitiated ?? false };
  const row = await ctx.services.prisma.samlProvider.upsert({
    where: { accountId_provider: { accountId: acc.id, provider: flavour } },
    create: { id: uuidv7(), accountId: acc.id, provider: flavour, ...data },
    update: data,
  });
  void audit(ctx, {
    eventType: "admin",
    eventAction: "saml_provider_set",
    resourceType: "account",
    resourceId: acc.id,
    details: { provider: flavour, entity_id: entityId, enabled: data.enabled, allow_idp_initiated: data.allowIdpInitiated },
  });
  return toSamlProviderView(row);
}

/** Removes the account's settings for `provider`. Throws 401/403, 400 (flavour), NotFoundError (404). */
export async function deleteSamlProvider(ctx: Context, account: string, provider: string): Promise<void> {
  const flavour = requireFlavour(provider);
  const { row: acc } = await findManagedAccount(ctx, account);
  const { count } = await ctx.services.prisma.samlProvider.deleteMany({ where: { accountId: acc.id, provider: flavour } });
  if (count === 0) throw new NotFoundError(`SAML provider '${flavour}' is not configured for this account`);
  void audit(ctx, { eventType: "admin", eventAction: "saml_provider_delete", resourceType: "account", resourceId: acc.id, details: { provider: flavour } });
}
