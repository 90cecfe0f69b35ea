/**
 * Cairn as a SAML 2.0 service provider (SP), through @node-saml/node-saml. Each account and
 * flavour is its own SP: entity id `<base>/api/v1/auth/saml/metadata?account=<id>&provider=<p>`
 * (also its metadata URL), assertion consumer `<base>/api/v1/auth/saml/acs?account=…&provider=…`.
 * A per-account entity id makes an assertion made for one account useless for another (its
 * audience differs). Pending AuthnRequest ids live in `_saml_requests`, shared by every
 * instance, for the InResponseTo check.
 */
import type { CacheProvider, SAML, SamlConfig } from "@node-saml/node-saml";
import type { Context } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { nameIdFormat, type SamlFlavour } from "./flavours.ts";
import { spSigning } from "./sp-signing.ts";

/** How long an AuthnRequest id waits for its answer. */
export const REQUEST_TTL_MS = 10 * 60_000;
/** Tolerated clock difference with the IdP. */
export const CLOCK_SKEW_MS = 60_000;

export interface SpUrls {
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
}

/** The SP's URLs for an account (by id) and flavour under `baseUrl` (e.g. `https://cms.example.com`). */
export function spUrls(baseUrl: string, accountId: string, flavour: SamlFlavour): SpUrls {
  const q = `account=${encodeURIComponent(accountId)}&provider=${flavour}`;
  const base = baseUrl.replace(/\/+$/, "");
  const metadataUrl = `${base}/api/v1/auth/saml/metadata?${q}`;
  return { entityId: metadataUrl, acsUrl: `${base}/api/v1/auth/saml/acs?${q}`, metadataUrl };
}

/** The account named by a public SAML request (id, code or slug). Throws NotFoundError (404). */
export async function samlAccount(ctx: Context, account: unknown): Promise<{ id: string; slug: string }> {
  const v = typeof account === "string" ? account.trim() : "";
  const row = v ? await ctx.services.prisma.account.findFirst({ where: { OR: [{ id: v }, { code: v }, { slug: v.toLowerCase() }] }, select: { id: true, slug: true } }) : null;
  if (!row) throw new NotFoundError(`Account '${v}' not found`);
  return row;
}

/** The configured, enabled IdP of the account. Throws NotFoundError (404) when there is none. */
export async function samlIdp(ctx: Context, accountId: string, flavour: SamlFlavour) {
  const row = await ctx.services.prisma.samlProvider.findUnique({ where: { accountId_provider: { accountId, provider: flavour } } });
  if (!row || !row.enabled) throw new NotFoundError(`SAML provider '${flavour}' is not configured for this account`);
  return row;
}

/** node-saml's request-id cache on `_saml_requests`. */
function requestCache(ctx: Context): CacheProvider {
  const { prisma } = ctx.services;
  const now = () => ctx.services.now();
  return {
    async saveAsync(key: string, value: string) {
      const at = now();
      await prisma.samlRequest.deleteMany({ where: { expiresAt: { lt: at } } });
      await prisma.samlRequest.upsert({ where: { id: key }, create: { id: key, value, expiresAt: new Date(at.getTime() + REQUEST_TTL_MS) }, update: {} });
      return { value, createdAt: at.getTime() };
    },
    async getAsync(key: string) {
      const row = await prisma.samlRequest.findUnique({ where: { id: key } });
      return row && row.expiresAt.getTime() > now().getTime() ? row.value : null;
    },
    async removeAsync(key: string | null) {
      if (!key) return null;
      const row = await prisma.samlRequest.findUnique({ where: { id: key } });
      if (!row) return null;
      await prisma.samlRequest.deleteMany({ where: { id: key } });
      return row.value;
    },
  };
}

/** The SP configuration shared by the sign-in steps (everything but the IdP's settings). */
export function spConfig(urls: SpUrls, flavour: SamlFlavour): Omit<SamlConfig, "idpCert" | "entryPoint"> {
  return {
    callbackUrl: urls.acsUrl,
    issuer: urls.entityId,
    audience: urls.entityId,
    identifierFormat: nameIdFormat(flavour),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: "sha256",
  };
}

/**
 * node-saml and its XML signature stack load on the first SAML request, not at start-up (idle
 * memory: most servers never see one).
 */
export const loadNodeSaml = () => import("@node-saml/node-saml");

/**
 * A node-saml SP for the account's IdP (cheap to build: it only holds the options). Its
 * AuthnRequests are signed when the SP key pair is configured (sp-signing.ts).
 */
export async function serviceProvider(ctx: Context, urls: SpUrls, flavour: SamlFlavour, idp: { entityId: string; ssoUrl: string; certificate: string }): Promise<SAML> {
  const { SAML, ValidateInResponseTo } = await loadNodeSaml();
  const signing = spSigning(ctx);
  return new SAML({
    ...spConfig(urls, flavour),
    ...(signing ? { privateKey: signing.privateKey, publicCert: signing.certificate } : {}),
    entryPoint: idp.ssoUrl,
    idpCert: idp.certificate,
    idpIssuer: idp.entityId,
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: requestCache(ctx),
  });
}
