/**
 * The SP metadata XML an IdP administrator loads (entity id, assertion consumer URL, NameID
 * format, signed assertions wanted, and whether AuthnRequests are signed with which
 * certificate). It needs no IdP settings, so it is there before them.
 */
import type { Context } from "../context.ts";
import { requireFlavour } from "./settings.ts";
import { loadNodeSaml, samlAccount, spConfig, spUrls } from "./service-provider.ts";
import { spSigning } from "./sp-signing.ts";

/**
 * The metadata of the account's SP for `provider`.
 * @throws BadRequestError 400 (unknown flavour), NotFoundError 404 (unknown account).
 */
export async function spMetadata(ctx: Context, input: { account: string; provider: string; baseUrl: string }): Promise<string> {
  const flavour = requireFlavour(input.provider);
  const account = await samlAccount(ctx, input.account);
  const config = spConfig(spUrls(input.baseUrl, account.id, flavour), flavour);
  const { generateServiceProviderMetadata } = await loadNodeSaml();
  // with the SP key pair: AuthnRequestsSigned="true" and the certificate as the signing key
  const signing = spSigning(ctx);
  return generateServiceProviderMetadata({
    ...config,
    issuer: config.issuer,
    callbackUrl: config.callbackUrl,
    ...(signing ? { privateKey: signing.privateKey, publicCerts: signing.certificate } : {}),
  });
}
