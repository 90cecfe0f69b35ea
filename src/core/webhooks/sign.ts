/**
 * Delivery signatures. Every delivery carries two:
 * - `X-Webhook-Signature`: lowercase hex HMAC-SHA256 of the exact request body, keyed with the
 *   secret's UTF-8 bytes (compat/fastcms.md §12);
 * - the Standard Webhooks headers `webhook-id`, `webhook-timestamp` (Unix seconds of this
 *   attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), made
 *   with the `standardwebhooks` package. The key is the secret's base64 part when the secret has
 *   the Standard Webhooks form `whsec_<base64>` (generated secrets do), else its UTF-8 bytes.
 */
import { createHmac, randomBytes } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";

const PREFIX = "whsec_";

/** A new secret in the Standard Webhooks form (`whsec_` + 32 random bytes, base64). */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString("base64");
}

/** The problem with a secret's form, or undefined when it is usable. */
export function secretProblem(secret: string): string | undefined {
  if (secret.length < 1 || secret.length > 256) return "must be 1-256 characters";
  if (secret.startsWith(PREFIX)) {
    const b64 = secret.slice(PREFIX.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0 || Buffer.from(b64, "base64").length < 16) {
      return "starting with whsec_ must continue with the base64 of at least 16 bytes";
    }
  }
  return undefined;
}

/** The Standard Webhooks key bytes of a secret (see the module comment). */
export function standardKey(secret: string): Uint8Array {
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), "base64") : Buffer.from(secret, "utf8");
}

const signers = new Map<string, StandardWebhook>();

function signer(secret: string): StandardWebhook {
  let s = signers.get(secret);
  if (!s) {
    if (signers.size >= 1000) signers.clear();
    s = new StandardWebhook(standardKey(secret), { format: "raw" });
    signers.set(secret, s);
  }
  return s;
}

/** The signature headers of one attempt. */
export function signatureHeaders(secret: string, messageId: string, body: string, at: Date): Record<string, string> {
  return {
    "x-webhook-signature": createHmac("sha256", secret).update(body).digest("hex"),
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signer(secret).sign(messageId, at, body),
  };
}
