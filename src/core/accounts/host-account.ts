/**
 * Which account a request's host names, for dialects whose clients pick their tenant by host
 * (Fullfinity: "the database is selected by host/subdomain"). In Cairn every tenant shares one
 * database and is an account, so a subdomain maps onto the account with that slug:
 * `acme.cms.example.com` → `acme`. Only a host of three labels or more has a subdomain; IP
 * addresses and `localhost` have none.
 */
import type { Context } from "../context.ts";

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The first label of `host` (port and case dropped) when it is a subdomain, else undefined.
 * @example subdomainOf("Acme.cms.example.com:8000") // "acme"
 */
export function subdomainOf(host: string | undefined): string | undefined {
  if (!host || host.startsWith("[")) return undefined;
  const name = host.replace(/:\d+$/, "").replace(/\.$/, "").toLowerCase();
  if (IPV4.test(name)) return undefined;
  const labels = name.split(".");
  return labels.length >= 3 && labels[0] !== "" ? labels[0] : undefined;
}

/**
 * The slug of the account `host`'s subdomain names, or undefined when the host has no subdomain
 * or no account has that slug (`www.example.com` then signs in as without a host).
 */
export async function accountForHost(ctx: Context, host: string | undefined): Promise<string | undefined> {
  const label = subdomainOf(host);
  if (!label) return undefined;
  const account = await ctx.services.prisma.account.findUnique({ where: { slug: label }, select: { slug: true } });
  return account?.slug;
}
