import { BlockList, isIP } from "node:net";
import { lookup as dnsLookup } from "node:dns/promises";

/** Resolves a host name to its addresses (injectable so tests can point `contoso.com` at 127.0.0.1). */
export type Resolver = (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;

/** The system resolver (getaddrinfo, like every other client on the machine). */
export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** Where EWS and autodiscover may go: https anywhere public; private/loopback/http only for listed hosts. */
export interface UrlPolicy {
  /** Host names, IP addresses and CIDRs from `EWS_ALLOWED_HOSTS`. */
  allowedHosts: string[];
  resolver?: Resolver;
}

/** Why a URL or address was refused; `code` is stable and mapped to remediation in errors.ts. */
export class UrlPolicyError extends Error {
  override readonly name = "UrlPolicyError";
  constructor(
    readonly code: "UrlNotHttps" | "UrlPrivateAddress" | "UrlMetadataAddress" | "UrlInvalid" | "DnsNotFound",
    message: string,
  ) {
    super(message);
  }
}

// Cloud instance metadata endpoints: never reachable, whatever EWS_ALLOWED_HOSTS says. 169.254.169.254
// (AWS, Azure IMDS, GCP, ...), Azure's WireServer, Alibaba Cloud's metadata service and EC2's IPv6 one.
const METADATA = new BlockList();
METADATA.addAddress("169.254.169.254", "ipv4");
METADATA.addAddress("168.63.129.16", "ipv4");
METADATA.addAddress("100.100.100.200", "ipv4");
METADATA.addAddress("fd00:ec2::254", "ipv6");

// Addresses that are not on the public internet.
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["192.0.0.0", 24],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10], // site-local (deprecated, still routed inside some networks)
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

/** The eight 16-bit words of a valid IPv6 address (zone id dropped, a dotted IPv4 tail folded in). */
function ipv6Words(ip: string): number[] {
  let text = ip.split("%")[0].toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((word) => parseInt(word, 16));
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 address carries, for the formats that route to it: IPv4-mapped
 * (`::ffff:0:0/96`), IPv4-translated (`::ffff:0:0:0/96`), IPv4-compatible (`::/96`), NAT64
 * (`64:ff9b::/96`; `64:ff9b:1::/48` with the address in the last 32 bits or, for a /48 prefix, around
 * the RFC 6052 u-octet) and 6to4 (`2002::/16`). Undefined for any other IPv6 address.
 */
function embeddedIpv4(ip: string): string | undefined {
  const w = ipv6Words(ip);
  const zero = (from: number, to: number) => w.slice(from, to).every((word) => word === 0);
  if (zero(0, 5) && w[5] === 0xffff) return ipv4Of(w[6], w[7]);
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) return ipv4Of(w[6], w[7]);
  if (zero(0, 6)) return ipv4Of(w[6], w[7]);
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return ipv4Of(w[6], w[7]);
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) {
    if (zero(3, 6)) return ipv4Of(w[6], w[7]);
    // /48 layout: bits 48-63 and 72-87 (bits 64-71 are the u-octet).
    return ipv4Of(w[3], ((w[4] & 0xff) << 8) | (w[5] >> 8));
  }
  if (w[0] === 0x2002) return ipv4Of(w[1], w[2]);
  return undefined;
}

/**
 * An address ready for the BlockLists: brackets removed, and an IPv6 address that carries an IPv4
 * one (mapped, NAT64, 6to4, ...) unwrapped, so it gets the IPv4 rules: `64:ff9b::a00:1` is 10.0.0.1.
 */
function normalize(ip: string): { ip: string; type: "ipv4" | "ipv6" } {
  const bare = ip.replace(/^\[|\]$/g, "");
  if (isIP(bare) !== 6) return { ip: bare, type: "ipv4" };
  const v4 = embeddedIpv4(bare);
  return v4 ? { ip: v4, type: "ipv4" } : { ip: bare, type: "ipv6" };
}

/** Compiled allow-list: exact host names plus a BlockList of IPs and CIDRs. */
class AllowList {
  private readonly names = new Set<string>();
  private readonly nets = new BlockList();
  constructor(entries: string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      const [base, prefix] = entry.split("/");
      const family = isIP(base ?? "");
      if (family && prefix !== undefined) {
        this.nets.addSubnet(base, Number(prefix), family === 6 ? "ipv6" : "ipv4");
      } else if (family) this.nets.addAddress(base, family === 6 ? "ipv6" : "ipv4");
      else this.names.add(entry);
    }
  }
  host(hostname: string): boolean {
    return (
      this.names.has(hostname.toLowerCase()) || (isIP(normalize(hostname).ip) !== 0 && this.address(hostname))
    );
  }
  address(ip: string): boolean {
    const n = normalize(ip);
    return this.nets.check(n.ip, n.type);
  }
}

const compiled = new WeakMap<UrlPolicy, AllowList>();
function allowListOf(policy: UrlPolicy): AllowList {
  let list = compiled.get(policy);
  if (!list) {
    list = new AllowList(policy.allowedHosts);
    compiled.set(policy, list);
  }
  return list;
}

/** True for cloud metadata addresses. */
export function isMetadataAddress(ip: string): boolean {
  const n = normalize(ip);
  return isIP(n.ip) !== 0 && METADATA.check(n.ip, n.type);
}

/** True for loopback, private, link-local, CGNAT, unspecified and multicast addresses. */
export function isPrivateAddress(ip: string): boolean {
  const n = normalize(ip);
  return isIP(n.ip) !== 0 && PRIVATE.check(n.ip, n.type);
}

/**
 * Checks a URL before any connection: http(s) only, https unless the host is allowed, never a metadata
 * address, and an IP literal in private space only when allowed. Returns the parsed URL.
 * @example checkUrl("https://mail.contoso.com/EWS/Exchange.asmx", { allowedHosts: [] })
 */
export function checkUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlPolicyError("UrlInvalid", `"${raw}" is not a URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UrlPolicyError("UrlInvalid", `Only https URLs are allowed (got ${url.protocol}).`);
  }
  if (url.username || url.password) {
    throw new UrlPolicyError("UrlInvalid", "The URL must not contain a user name or password.");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const allowed = allowListOf(policy).host(host);
  if (isIP(host)) checkAddress(host, host, policy);
  if (url.protocol === "http:" && !allowed) {
    throw new UrlPolicyError(
      "UrlNotHttps",
      `${url.host} must be reached over https (http is allowed only for hosts in EWS_ALLOWED_HOSTS).`,
    );
  }
  return url;
}

/**
 * Checks a resolved address for a host: metadata never; private only when the host or address is allowed.
 */
export function checkAddress(host: string, ip: string, policy: UrlPolicy): void {
  if (isMetadataAddress(ip)) {
    throw new UrlPolicyError(
      "UrlMetadataAddress",
      `${host} resolves to a cloud metadata address (${ip}), which is never allowed.`,
    );
  }
  if (isPrivateAddress(ip)) {
    const list = allowListOf(policy);
    if (!list.host(host) && !list.address(ip)) {
      throw new UrlPolicyError(
        "UrlPrivateAddress",
        `${host} resolves to a private, loopback or link-local address (${ip}). Add the host or its network to EWS_ALLOWED_HOSTS to allow on-premises Exchange.`,
      );
    }
  }
}

/**
 * Resolves a host once and checks the address; the caller connects to exactly this address (pinning),
 * so a second DNS answer can't swap in a forbidden one.
 */
export async function resolveChecked(
  host: string,
  policy: UrlPolicy,
): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family) {
    checkAddress(bare, bare, policy);
    return { address: bare, family: family === 6 ? 6 : 4 };
  }
  let answers: { address: string; family: 4 | 6 }[];
  try {
    answers = await (policy.resolver ?? systemResolver)(bare);
  } catch (error) {
    throw new UrlPolicyError(
      "DnsNotFound",
      `The name ${bare} could not be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
  if (answers.length === 0) {
    throw new UrlPolicyError("DnsNotFound", `The name ${bare} could not be resolved.`);
  }
  // Every answer must pass: otherwise a round-robin name could mix a public and a private address.
  for (const a of answers) checkAddress(bare, a.address, policy);
  return answers[0];
}

/**
 * True when a host name (or IP literal) is listed in the policy's allowed hosts (EWS_ALLOWED_HOSTS):
 * names exactly, IP literals also by CIDR. Stored credentials may go to such hosts.
 * @example isAllowedHost("mail.contoso.local", { allowedHosts: ["mail.contoso.local"] }) // true
 */
export function isAllowedHost(host: string, policy: UrlPolicy): boolean {
  return allowListOf(policy).host(host.replace(/^\[|\]$/g, ""));
}
