// Custom headers per subscription (`headers: {name: value}`): sent with every attempt beside edgehook's
// own. Names edgehook sets, names that describe the connection, and the signatures are refused, so a
// custom header can never change what a receiver verifies or how the request travels. Values whose
// names say they are credentials are masked wherever edgehook shows them (API, attempt log, dashboard).

export const HEADER_LIMITS = { count: 20, nameBytes: 64, valueBytes: 1024 } as const;

/** RFC 9110 token characters. */
const NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII and spaces/tabs inside; no CR, LF or NUL. */
const VALUE_RE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$|^$/;

/** What edgehook sets itself, and what only the connection may say (RFC 9110 §7.6.1 and proxies). */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'user-agent',
  'x-hub-signature',
  'x-hub-signature-256',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);
const RESERVED_PREFIXES = ['webhook-', 'cf-', 'x-forwarded-', 'sec-'];

export interface HeaderError {
  path: string[];
  message: string;
}

/** What is wrong with a subscription's custom headers (empty: nothing). */
export function headerErrors(headers: Record<string, unknown>): HeaderError[] {
  const errors: HeaderError[] = [];
  const entries = Object.entries(headers);
  if (entries.length > HEADER_LIMITS.count) errors.push({ path: [], message: `at most ${HEADER_LIMITS.count} custom headers` });
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    const fail = (message: string) => errors.push({ path: [name], message });
    if (!NAME_RE.test(name) || name.length > HEADER_LIMITS.nameBytes) fail(`not a header name (letters, digits and !#$%&'*+-.^_\`|~, at most ${HEADER_LIMITS.nameBytes})`);
    else if (RESERVED.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) fail(`${lower} is set by edgehook or by the connection, and cannot be replaced`);
    else if (seen.has(lower)) fail('the same header twice (names are case-insensitive)');
    else if (typeof value !== 'string') fail('a header value is a string');
    else if (!VALUE_RE.test(value) || value.length > HEADER_LIMITS.valueBytes) fail(`not a header value (visible ASCII, no line breaks, at most ${HEADER_LIMITS.valueBytes})`);
    seen.add(lower);
  }
  return errors;
}

const SENSITIVE = /auth|token|secret|key|password|cookie|signature|credential/i;
export const MASK = '********';

/** The headers as shown to people: credential-like values masked. */
export function maskedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SENSITIVE.test(name) ? MASK : value]));
}
