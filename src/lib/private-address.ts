/**
 * Classifies IP addresses that an outgoing request to a user-given URL must not reach (SSRF):
 * loopback, private (RFC 1918, unique-local), carrier-grade NAT, link-local (which holds the cloud
 * metadata endpoints 169.254.169.254 and fd00:ec2::254), unspecified, multicast, broadcast,
 * reserved and documentation ranges. IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4
 * address they carry, so `::ffff:127.0.0.1` is loopback.
 */
import { BlockList, isIP } from "node:net";

const v4: [string, number, string][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local / metadata"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved / broadcast"],
];
const v6: [string, number, string][] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["100::", 64, "discard-only"],
  ["2001:db8::", 32, "documentation"],
  ["fc00::", 7, "unique-local (private)"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

const lists = new Map<string, BlockList>();
for (const [addr, prefix, label] of [...v4.map((r) => [...r, "ipv4"] as const), ...v6.map((r) => [...r, "ipv6"] as const)]) {
  let list = lists.get(label);
  if (!list) lists.set(label, (list = new BlockList()));
  list.addSubnet(addr, prefix, addr.includes(":") ? "ipv6" : "ipv4");
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`), else undefined. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(lower);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * What kind of non-public address `address` is (`"loopback"`, `"private"`, `"link-local /
 * metadata"`…), or undefined for a public address. Throws TypeError for a string that is not an
 * IP address.
 * @example privateAddressKind("10.1.2.3") // "private"
 */
export function privateAddressKind(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  const inner = family === 6 ? embeddedV4(bare) : undefined;
  const [addr, type] = inner ? [inner, "ipv4" as const] : [bare, family === 4 ? ("ipv4" as const) : ("ipv6" as const)];
  for (const [label, list] of lists) if (list.check(addr, type)) return label;
  return undefined;
}
