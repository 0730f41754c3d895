// Egress policy for receiver URLs: the service must not be turned against private networks.
// The WHATWG URL parser has already normalised odd IPv4 forms (0x7f.1, 2130706433) to dotted quads.

export interface UrlPolicy {
  /** Allow `http:` and loopback hosts (local development and tests only). */
  allowInsecure: boolean;
}

const MAX_URL_LENGTH = 2048;

function ipv4ToInt(host: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

function inCidr(ip: number, base: string, bits: number): boolean {
  const b = ipv4ToInt(base)!;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((b & mask) >>> 0);
}

const LOOPBACK_V4: [string, number] = ['127.0.0.0', 8];
/** IANA's IPv4 special-purpose ranges: everything else is public unicast, and only that is allowed. */
const REFUSED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

type HostKind = 'loopback' | 'refused' | 'public';

function classifyV4(ip: number): HostKind {
  if (inCidr(ip, ...LOOPBACK_V4)) return 'loopback';
  return REFUSED_V4.some(([base, bits]) => inCidr(ip, base, bits)) ? 'refused' : 'public';
}

/** Expands an IPv6 literal (without brackets) to eight 16-bit groups; null when malformed. */
function ipv6Groups(host: string): number[] | null {
  let text = host;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const v4 = ipv4ToInt(v4Tail[1]!);
    if (v4 === null) return null;
    text = text.slice(0, -v4Tail[1]!.length) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...Array<number>(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * An allowlist: only global unicast (2000::/3) outside its special-purpose blocks is public. That
 * refuses every form that embeds an IPv4 address (mapped ::ffff:0:0/96, compatible ::/96, NAT64
 * 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32), unique local, link-local,
 * site-local, multicast and documentation ranges.
 */
function classifyV6(groups: number[]): HostKind {
  const [g0, g1] = groups as [number, number];
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return 'loopback'; // ::1
  if ((g0 & 0xe000) !== 0x2000) return 'refused'; // not global unicast
  if (g0 === 0x2001 && g1 < 0x0200) return 'refused'; // 2001::/23 IETF protocol assignments (Teredo, benchmarking, ORCHID…)
  if (g0 === 0x2001 && g1 === 0x0db8) return 'refused'; // documentation
  if (g0 === 0x2002) return 'refused'; // 6to4
  if (g0 === 0x3fff && g1 < 0x1000) return 'refused'; // documentation (3fff::/20)
  return 'public';
}

/** Suffixes that name hosts inside a private network or cluster, never on the internet. */
const INTERNAL_SUFFIX = /(^|\.)(internal|local|localdomain|home\.arpa|arpa|intranet|lan|corp|private|svc|cluster\.local|consul|kube|onion|invalid|test)$/;

function classifyHost(hostname: string): HostKind {
  const raw = hostname.toLowerCase();
  if (raw.startsWith('[') && raw.endsWith(']')) {
    const groups = ipv6Groups(raw.slice(1, -1));
    return groups ? classifyV6(groups) : 'refused';
  }
  const host = raw.replace(/\.+$/, ''); // every trailing dot: `10.0.0.1..` is 10.0.0.1
  if (host === '' || host.split('.').some((label) => label === '')) return 'refused';
  const v4 = ipv4ToInt(host);
  if (v4 !== null) return classifyV4(v4);
  // A name whose last label is a number is an address in some resolver's eyes, never a public name.
  if (/^(\d+|0x[0-9a-f]*)$/.test(host.slice(host.lastIndexOf('.') + 1))) return 'refused';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  if (!host.includes('.')) return 'refused'; // single-label names resolve inside private networks
  if (INTERNAL_SUFFIX.test(host)) return 'refused';
  return 'public';
}

/** Why `raw` may not be a receiver URL, or null when it may. */
export function urlProblem(raw: string, policy: UrlPolicy): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  // The URL parser would silently drop tabs and newlines; a URL that holds them is refused instead.
  if (/[\u0000-\u0020\u007f]/.test(raw)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https:';
  if (url.protocol === 'http:' && !policy.allowInsecure) return 'must use https:';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.hash) return 'must not contain a fragment';
  const kind = classifyHost(url.hostname);
  if (kind === 'refused') return 'must point to a public host (private, link-local and metadata addresses are refused)';
  if (kind === 'loopback' && !policy.allowInsecure) return 'must point to a public host (loopback is refused)';
  return null;
}
