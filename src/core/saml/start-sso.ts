/**
 * Step one of a SAML sign-in: an AuthnRequest for the account's IdP (HTTP-Redirect binding),
 * its id remembered for the InResponseTo check, and the IdP URL to send the browser to.
 */
import type { Context } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { requireFlavour } from "./settings.ts";
import { samlAccount, samlIdp, serviceProvider, spUrls } from "./service-provider.ts";
import { relayRedirect } from "./relay-state.ts";

export interface StartSsoInput {
  /** slug, code or id */
  account: string;
  /** azure, okta or generic */
  provider: string;
  /** this server's public origin, e.g. `https://cms.example.com` */
  baseUrl: string;
  /** value the IdP hands back (SAML allows 80 bytes): opaque, or where to go afterwards (relay-state.ts) */
  relayState?: string | null;
}

/**
 * The IdP URL carrying the AuthnRequest.
 * @throws BadRequestError 400 (unknown flavour), NotFoundError 404 (unknown account, provider
 *   not configured or disabled), ValidationError 422 (`relayState` over 80 bytes),
 *   BadRequestError 400 (`relayState` a redirect target that is not allowed).
 */
export async function startSso(ctx: Context, input: StartSsoInput): Promise<{ redirectUrl: string }> {
  const flavour = requireFlavour(input.provider);
  const account = await samlAccount(ctx, input.account);
  const idp = await samlIdp(ctx, account.id, flavour);
  const relayState = input.relayState ?? "";
  if (Buffer.byteLength(relayState) > 80) throw new ValidationError("Invalid relayState: must be at most 80 bytes", { relayState: "must be at most 80 bytes" });
  relayRedirect(ctx, relayState, input.baseUrl);
  const sp = await serviceProvider(ctx, spUrls(input.baseUrl, account.id, flavour), flavour, idp);
  return { redirectUrl: await sp.getAuthorizeUrlAsync(relayState, undefined, {}) };
}
