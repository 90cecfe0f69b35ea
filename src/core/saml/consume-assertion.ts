/**
 * The assertion consumer: checks an IdP's response and signs the user in to the account.
 * node-saml checks the XML signature against the account's IdP certificate (assertions must be
 * signed; a response signature alone does not do), the audience (this account's SP entity id), the time window (NotBefore/NotOnOrAfter, 60 s skew) and InResponseTo (a pending
 * request of ours, when the IdP names one). Cairn adds the issuer (the configured IdP's entity
 * id), the recipient (the assertion must be
 * addressed to this account's consumer URL) and replay protection (each assertion id once,
 * remembered in `_saml_assertions` until it expires); an IdP-initiated response (answering no
 * request of ours) only when the provider settings allow them. Any refusal → 401 and an audit entry
 * (`auth` / `saml_login_failed`). The user is linked or created by verified e-mail through the
 * same sign-in as OAuth (oauth/sign-in.ts).
 */
import { createHash } from "node:crypto";
import type { Profile } from "@node-saml/node-saml";
import type { Context } from "../context.ts";
import { AppError, BadRequestError, UnauthenticatedError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { signInWithOAuth, type OAuthSignIn } from "../oauth/sign-in.ts";
import { identityOf, type SamlFlavour } from "./flavours.ts";
import { readAssertion } from "./assertion-facts.ts";
import { requireFlavour } from "./settings.ts";
import { samlAccount, samlIdp, serviceProvider, spUrls } from "./service-provider.ts";

export interface ConsumeAssertionInput {
  account: string;
  provider: string;
  baseUrl: string;
  /** the base64 `SAMLResponse` form field */
  samlResponse: unknown;
}

/** How long an assertion id is remembered when the assertion names no end of validity. */
const DEFAULT_REPLAY_WINDOW_MS = 60 * 60_000;
const MAX_RESPONSE_LENGTH = 1_000_000;

type Reason = "signature" | "audience" | "recipient" | "expired" | "replayed" | "issuer" | "in_response_to" | "unsolicited" | "invalid";

function reasonOf(message: string): Reason {
  const m = message.toLowerCase();
  if (m.includes("signature") || m.includes("signed")) return "signature";
  if (m.includes("audience")) return "audience";
  if (m.includes("expired") || m.includes("not yet valid") || m.includes("subject confirmation") || m.includes("notbefore") || m.includes("notonorafter") || m.includes("clock")) return "expired";
  if (m.includes("inresponseto")) return "in_response_to";
  if (m.includes("issuer")) return "issuer";
  return "invalid";
}

function attributesOf(profile: Profile): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const attrs = (profile.attributes ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(attrs)) {
    const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
    if (list.length) out.set(k, list);
  }
  return out;
}

/**
 * Signs in with the IdP's response.
 * @throws UnauthenticatedError 401 (refused assertion, audited), BadRequestError 400 (no
 *   SAMLResponse, unknown flavour, no e-mail address in the assertion), NotFoundError 404
 *   (unknown account, provider not configured), plus signInWithOAuth's 401/403/409.
 */
export async function consumeAssertion(ctx: Context, input: ConsumeAssertionInput): Promise<OAuthSignIn> {
  const flavour = requireFlavour(input.provider);
  const account = await samlAccount(ctx, input.account);
  const idp = await samlIdp(ctx, account.id, flavour);
  if (typeof input.samlResponse !== "string" || !input.samlResponse || input.samlResponse.length > MAX_RESPONSE_LENGTH) {
    throw new BadRequestError("SAMLResponse is required", { SAMLResponse: "is required" });
  }
  const urls = spUrls(input.baseUrl, account.id, flavour);
  const refuse = (reason: Reason, detail: string): UnauthenticatedError => {
    void audit(ctx, {
      eventType: "auth",
      eventAction: "saml_login_failed",
      severity: "warning",
      outcome: "failure",
      userId: null,
      userEmail: null,
      resourceType: "account",
      resourceId: account.id,
      description: `SAML assertion refused: ${reason}`,
      details: { account_id: account.id, provider: flavour, reason },
      errorMessage: detail.slice(0, 500),
    });
    return new UnauthenticatedError(`SAML assertion refused: ${reason}`);
  };

  let profile: Profile | null;
  try {
    ({ profile } = await (await serviceProvider(ctx, urls, flavour, idp)).validatePostResponseAsync({ SAMLResponse: input.samlResponse }));
  } catch (e) {
    if (e instanceof AppError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw refuse(reasonOf(message), message);
  }
  if (!profile) throw refuse("invalid", "no assertion in the response");
  if (profile.issuer !== idp.entityId) throw refuse("issuer", `issuer '${String(profile.issuer)}' is not '${idp.entityId}'`);
  // an answer to none of our AuthnRequests (IdP-initiated) only where the account allows them
  if (!profile.inResponseTo && !idp.allowIdpInitiated) throw refuse("unsolicited", "IdP-initiated responses are not allowed for this provider (allow_idp_initiated)");
  const facts = readAssertion(profile.getAssertion?.());
  if (!facts.id) throw refuse("invalid", "the assertion has no ID");
  if (!facts.recipients.length || facts.recipients.some((r) => r !== urls.acsUrl)) throw refuse("recipient", `recipient ${JSON.stringify(facts.recipients)} is not ${urls.acsUrl}`);

  const now = ctx.services.now();
  const expiresAt = facts.notOnOrAfter && facts.notOnOrAfter.getTime() > now.getTime() ? facts.notOnOrAfter : new Date(now.getTime() + DEFAULT_REPLAY_WINDOW_MS);
  const key = createHash("sha256").update(`${account.id}\n${flavour}\n${idp.entityId}\n${facts.id}`).digest("hex");
  const { prisma } = ctx.services;
  await prisma.samlAssertion.deleteMany({ where: { expiresAt: { lt: now } } });
  try {
    await prisma.samlAssertion.create({ data: { id: key, accountId: account.id, expiresAt: new Date(expiresAt.getTime() + 2 * 60_000), created: now } });
  } catch (e) {
    if ((e as { code?: unknown }).code === "P2002") throw refuse("replayed", `assertion '${facts.id}' was already used`);
    throw e;
  }

  const who = identityOf(flavour as SamlFlavour, String(profile.nameID ?? ""), attributesOf(profile));
  if (!who.subject) throw refuse("invalid", "the assertion names no subject");
  return signInWithOAuth(ctx, { provider: `saml-${flavour}`, subject: `${account.id}:${who.subject}`, email: who.email, emailVerified: true, name: who.name, avatar: null }, account.id, "saml");
}
