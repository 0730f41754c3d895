// The `format`s event-type schemas assert, on linear-time checks only: RE2 patterns, the WHATWG URL
// parser and plain code. The validator's own format table matches with V8 regexes, some of which
// backtrack without bound on a long string (its `url`, for one); these replace every entry of it.
import { format } from '@cfworker/json-schema';
import { isLinearRegex, linearRegex } from '../utils/linear-regex';

const re = (source: string) => linearRegex(source);
const DATE = re('^(\\d{4})-(\\d{2})-(\\d{2})$');
const TIME = re('^(\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?([zZ]|[+-]\\d{2}:\\d{2})$');
const DURATION = re('^P(?:\\d+W|(?:\\d+Y)?(?:\\d+M)?(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?(?:\\d+S)?)?)$');
const DURATION_EMPTY = re('^P(T)?$|T$');
const HOST_LABEL = re('^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$');
const IPV4 = re('^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$');
const UUID = re('^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$');
const EMAIL_LOCAL = re('^(?:"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*"|[A-Za-z0-9!#$%&\'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&\'*+/=?^_`{|}~-]+)*)$');
const URI_CHARS = re('^(?:[A-Za-z0-9\\-._~!$&\'()*+,;=:@/?#\\[\\]]|%[0-9A-Fa-f]{2})*$');
const SCHEME = re('^[A-Za-z][A-Za-z0-9+.-]*:');
const URI_TEMPLATE = re('^(?:[^\\x00-\\x20\\x7f"\'%<>\\\\^`{|}]|%[0-9A-Fa-f]{2}|\\{[+#./;?&=,!@|]?[A-Za-z0-9_%]+(?:\\.[A-Za-z0-9_%]+)*(?::[1-9]\\d{0,3}|\\*)?(?:,[A-Za-z0-9_%]+(?:\\.[A-Za-z0-9_%]+)*(?::[1-9]\\d{0,3}|\\*)?)*\\})*$');
const JSON_POINTER = re('^(?:/(?:[^~/]|~[01])*)*$');
const JSON_POINTER_FRAGMENT = re("^#(?:/(?:[A-Za-z0-9_\\-.!$&'()*+,;:=@]|%[0-9A-Fa-f]{2}|~[01])*)*$");
const RELATIVE_JSON_POINTER = re('^(?:0|[1-9]\\d*)(?:#|(?:/(?:[^~/]|~[01])*)*)$');

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

function date(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  return m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && leap(y) ? 29 : DAYS[m]!);
}

function time(s: string): boolean {
  if (!TIME.test(s)) return false;
  const [h, min, sec] = [0, 3, 6].map((i) => Number(s.slice(i, i + 2))) as [number, number, number];
  const zoned = !/[zZ]$/.test(s); // RE2 has checked the shape: `±hh:mm` or `Z` ends it
  const [sign, oh, om] = zoned ? [s.at(-6) === '-' ? -1 : 1, Number(s.slice(-5, -3)), Number(s.slice(-2))] : [0, 0, 0];
  if (h > 23 || min > 59 || sec > 60 || oh > 23 || om > 59) return false;
  // A leap second is 23:59:60 in UTC.
  return sec < 60 || (h * 60 + min - sign * (oh * 60 + om) + 1440) % 1440 === 1439;
}

function dateTime(s: string): boolean {
  const t = s.length > 10 ? s[10] : '';
  return (t === 'T' || t === 't' || t === ' ') && date(s.slice(0, 10)) && time(s.slice(11));
}

function hostname(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  return name.length >= 1 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label));
}

/** IPv6 as the WHATWG URL parser reads a bracketed host (linear, and it knows every short form). */
const ipv6 = (s: string) => s.includes(':') && !/[^0-9A-Fa-f:.]/.test(s) && URL.canParse(`http://[${s}]/`);

function email(s: string): boolean {
  const at = s.lastIndexOf('@');
  if (at < 1) return false;
  const [local, host] = [s.slice(0, at), s.slice(at + 1)];
  if (local.length > 64 || !EMAIL_LOCAL.test(local)) return false;
  if (host.startsWith('[') && host.endsWith(']')) {
    const address = host.slice(1, -1);
    return /^ipv6:/i.test(address) ? ipv6(address.slice(5)) : IPV4.test(address);
  }
  return hostname(host);
}

const uriReference = (s: string) => URI_CHARS.test(s);
const uri = (s: string) => SCHEME.test(s) && URI_CHARS.test(s) && URL.canParse(s);

function url(s: string): boolean {
  if (!URL.canParse(s) || !URI_CHARS.test(s.replace(/[^\x00-\x7f]/g, 'a'))) return false;
  const u = new URL(s);
  // The parser takes hosts DNS does not (`a_b`): the host must be an address or a hostname of labels.
  const host = u.hostname;
  return ['http:', 'https:', 'ftp:'].includes(u.protocol) && (host.startsWith('[') || IPV4.test(host) || hostname(host));
}

const duration = (s: string) => DURATION.test(s) && !DURATION_EMPTY.test(s);

/** Every format the validator asserts, each on a linear-time check. */
const LINEAR_FORMATS: Record<string, (s: string) => boolean> = {
  date,
  time,
  'date-time': dateTime,
  duration,
  uri,
  'uri-reference': uriReference,
  'uri-template': (s) => URI_TEMPLATE.test(s),
  url,
  email,
  hostname,
  ipv4: (s) => IPV4.test(s),
  ipv6,
  regex: isLinearRegex,
  uuid: (s) => UUID.test(s),
  'json-pointer': (s) => JSON_POINTER.test(s),
  'json-pointer-uri-fragment': (s) => JSON_POINTER_FRAGMENT.test(s),
  'relative-json-pointer': (s) => RELATIVE_JSON_POINTER.test(s),
};

let installed = false;

/** Puts the linear checks in the validator's format table (once per isolate), and drops any it would check otherwise. */
export function installLinearFormats(): void {
  if (installed) return;
  const table = format as Record<string, (s: string) => boolean>;
  for (const name of Object.keys(table)) if (!(name in LINEAR_FORMATS)) delete table[name];
  Object.assign(table, LINEAR_FORMATS);
  installed = true;
}

export { LINEAR_FORMATS };
