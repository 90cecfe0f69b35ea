/**
 * The service provider's own signing key pair, from the superadmin settings
 * `saml_sp_private_key` and `saml_sp_certificate` (PEM). With both set, every AuthnRequest is
 * signed (HTTP-Redirect binding: `SigAlg` and `Signature` query parameters, RSA-SHA256) and the
 * SP metadata advertises `AuthnRequestsSigned="true"` with the certificate as its signing key.
 * Without them requests go unsigned, as before. Each value is checked when it is stored
 * (settings/manage.ts), so a broken key is a 422 then, not a failed sign-in later.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { Context } from "../context.ts";
import { certificatePem } from "./settings.ts";

export const SP_KEY_SETTING = "saml_sp_private_key";
export const SP_CERT_SETTING = "saml_sp_certificate";

export interface SpSigning {
  /** PEM private key */
  privateKey: string;
  /** PEM certificate */
  certificate: string;
}

/** The configured key pair, or null when requests are not to be signed. */
export function spSigning(ctx: Context): SpSigning | null {
  const key = ctx.services.settings.get<unknown>(SP_KEY_SETTING, null);
  const cert = ctx.services.settings.get<unknown>(SP_CERT_SETTING, null);
  if (typeof key !== "string" || typeof cert !== "string" || !key || !cert) return null;
  const pem = certificatePem(cert);
  return pem ? { privateKey: key, certificate: pem.pem } : null;
}

/** Why a `saml_sp_private_key` value is unusable, or undefined. */
export function privateKeyProblem(v: unknown): string | undefined {
  if (typeof v !== "string" || !v.includes("PRIVATE KEY")) return "must be a PEM private key";
  try {
    const key = createPrivateKey(v);
    return key.asymmetricKeyType === "rsa" ? undefined : "must be an RSA private key";
  } catch {
    return "must be a PEM private key";
  }
}

/** Why a `saml_sp_certificate` value is unusable, or undefined. */
export function certificateProblem(v: unknown): string | undefined {
  const pem = typeof v === "string" ? certificatePem(v) : undefined;
  return pem && pem.cert instanceof X509Certificate ? undefined : "must be an X.509 certificate (PEM or base64 DER)";
}
