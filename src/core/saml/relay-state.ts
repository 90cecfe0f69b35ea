/**
 * Where the browser goes after a SAML sign-in. A `RelayState` that is a path (`/app/done`) or an
 * absolute http(s) URL is a redirect target: allowed when it resolves to this server's own
 * origin or to an origin listed in the superadmin setting `saml_allowed_redirects`
 * (`["https://app.example.com"]`), refused with 400 otherwise — never an open redirect. The
 * assertion consumer then answers 303 to it with the session in the URL fragment (which
 * browsers neither send to servers nor put in Referer headers). Any other RelayState is an opaque
 * value handed back in the JSON answer.
 */
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";

export const SAML_REDIRECTS_SETTING = "saml_allowed_redirects";

/** True for a RelayState meant as a redirect target (a path, or an absolute http(s) URL). */
export function isRedirectTarget(relayState: string): boolean {
  return relayState.startsWith("/") || /^https?:/i.test(relayState);
}

/** Why a `saml_allowed_redirects` value is unusable, or undefined. */
export function redirectOriginsProblem(v: unknown): string | undefined {
  const ok = Array.isArray(v) && v.length <= 100 && v.every((x) => typeof x === "string" && URL.canParse(x) && /^https?:$/.test(new URL(x).protocol) && new URL(x).origin === x.replace(/\/$/, ""));
  return ok ? undefined : "must be a list of at most 100 http(s) origins such as https://app.example.com (no path)";
}

/**
 * The redirect target named by `relayState`, or null when it is absent or opaque.
 * @throws BadRequestError (400) when it names a target outside this server and the allowed list.
 */
export function relayRedirect(ctx: Context, relayState: string | null | undefined, baseUrl: string): URL | null {
  if (!relayState || !isRedirectTarget(relayState)) return null;
  const own = new URL(baseUrl).origin;
  const target = URL.canParse(relayState, baseUrl) ? new URL(relayState, baseUrl) : null;
  const listed = ctx.services.settings.get<unknown>(SAML_REDIRECTS_SETTING, []);
  const allowed = new Set([own, ...(Array.isArray(listed) ? listed.filter((x): x is string => typeof x === "string").map((x) => x.replace(/\/$/, "")) : [])]);
  if (!target || !/^https?:$/.test(target.protocol) || !allowed.has(target.origin)) {
    throw new BadRequestError(`RelayState is not an allowed redirect: use a path on this server or an origin listed in the '${SAML_REDIRECTS_SETTING}' setting`, {
      RelayState: "not an allowed redirect",
    });
  }
  return target;
}

/** `target` with `values` as its fragment (replacing any fragment it had). */
export function withFragment(target: URL, values: Record<string, string>): string {
  const out = new URL(target);
  out.hash = new URLSearchParams(values).toString();
  return out.toString();
}
