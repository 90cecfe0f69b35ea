/**
 * Webhook targets and the SSRF guard. A target is an http(s) URL; unless
 * `CAIRN_WEBHOOK_ALLOW_PRIVATE=true`, a target whose host is (or resolves to) a loopback,
 * private, link-local/metadata or otherwise non-public address is refused — when the webhook is
 * saved, and again before every delivery attempt. At delivery the host name is resolved once,
 * every address is checked, and the connection goes to the checked address (the sender passes it
 * as the socket's lookup result), so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot reach an internal address. Redirects are never followed (sender.ts).
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { privateAddressKind } from "../../lib/private-address.ts";
import { ValidationError } from "../errors.ts";

/** Largest accepted URL, characters. */
export const MAX_URL_LENGTH = 2048;
/** How long saving a webhook waits for its host name to resolve before accepting it unchecked. */
const CREATE_RESOLVE_TIMEOUT_MS = 3000;

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (the default is the system resolver). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A target the guard refused (its message names the address and why). */
export class TargetRefusedError extends Error {
  override name = "TargetRefusedError";
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/**
 * Parses a webhook target.
 * @throws ValidationError (field `url`) unless it is an absolute http(s) URL of at most
 *   2048 characters with a host.
 */
export function parseTargetUrl(raw: unknown): URL {
  const bad = (why: string) => new ValidationError(`Invalid webhook url: ${why}`, { url: why });
  if (typeof raw !== "string" || raw.trim() === "") throw bad("is required: an http:// or https:// URL");
  if (raw.length > MAX_URL_LENGTH) throw bad(`must be at most ${MAX_URL_LENGTH} characters`);
  if (!URL.canParse(raw)) throw bad(`'${raw.slice(0, 100)}' is not a URL`);
  const url = new URL(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad(`must use http or https, not ${url.protocol.replace(":", "")}`);
  if (!url.hostname) throw bad("must name a host");
  return url;
}

function refusal(host: string, address: string, kind: string): TargetRefusedError {
  const shown = host === address ? address : `${host} (${address})`;
  return new TargetRefusedError(`${shown} is not a public address (${kind}); webhook targets must be public (set CAIRN_WEBHOOK_ALLOW_PRIVATE=true to allow private networks)`);
}

/**
 * Resolves the URL's host and checks every address; returns the address to connect to.
 * @throws TargetRefusedError when an address is not public (and `allowPrivate` is off), or the
 *   host does not resolve (the resolver's error otherwise).
 */
export async function resolveTarget(url: URL, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<ResolvedAddress> {
  const host = hostOf(url);
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await resolve(host);
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  if (!allowPrivate) {
    for (const a of addresses) {
      const kind = privateAddressKind(a.address);
      if (kind) throw refusal(host, a.address, kind);
    }
  }
  return addresses[0]!;
}

/**
 * The check when a webhook is saved: an IP literal, or a name that resolves (within 3 s), must
 * be public unless private targets are allowed. A name that does not resolve now is accepted:
 * every delivery checks again.
 * @throws ValidationError (field `url`) for a refused target.
 */
export async function checkTargetOnSave(url: URL, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<void> {
  if (allowPrivate) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), CREATE_RESOLVE_TIMEOUT_MS)));
  try {
    await Promise.race([resolveTarget(url, false, resolve), timeout]);
  } catch (e) {
    if (e instanceof TargetRefusedError) throw new ValidationError(`Invalid webhook url: ${e.message}`, { url: e.message });
    // does not resolve (yet): deliveries check again
  } finally {
    clearTimeout(timer);
  }
}
