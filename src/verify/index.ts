// Verify edgehook deliveries on the receiving side, in any WebCrypto runtime (Workers, Node 22+, Deno, Bun).
// Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`) and GitHub's
// `x-hub-signature-256`. Always verify the raw body as received: re-serialised JSON does not match.
import { fromBase64, utf8 } from '../signing/encoding.ts';
import { standardKeyBytes } from '../signing/keys.ts';

export type VerificationFailure =
  | 'missing header'
  | 'invalid timestamp'
  | 'timestamp too old'
  | 'timestamp too new'
  | 'no matching signature'
  | 'invalid secret';

/** The one error this module throws; `reason` says why in a few words. */
export class WebhookVerificationError extends Error {
  readonly reason: VerificationFailure;
  constructor(reason: VerificationFailure) {
    super(reason);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

/** A `Headers` object, or a plain object with any-case names (Node's `req.headers`, for one). */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way (default 300 s). */
  toleranceSeconds?: number;
  /** The clock, in milliseconds (default Date.now). */
  now?: () => number;
}

export interface VerifiedWebhook {
  /** `webhook-id`: the same on every retry; dedupe on it. */
  id: string;
  /** `webhook-timestamp`, in unix seconds. */
  timestamp: number;
}

export function headerValue(headers: HeadersLike, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted && value !== undefined) return Array.isArray(value) ? value.join(', ') : value;
  }
  return null;
}

function bytesOf(body: string | Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return utf8(body);
  return body instanceof Uint8Array ? new Uint8Array(body) : new Uint8Array(body);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function hmacKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

/**
 * Verifies a Standard Webhooks delivery: any one `v1` signature of the header must match, compared in
 * constant time by `crypto.subtle.verify`, and the timestamp must be within the tolerance.
 */
export async function verify(
  secret: string,
  body: string | Uint8Array | ArrayBuffer,
  headers: HeadersLike,
  options: VerifyOptions = {},
): Promise<VerifiedWebhook> {
  const id = headerValue(headers, 'webhook-id');
  const timestampText = headerValue(headers, 'webhook-timestamp');
  const signatures = headerValue(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) throw new WebhookVerificationError('missing header');

  if (!/^\d+$/.test(timestampText.trim())) throw new WebhookVerificationError('invalid timestamp');
  const timestamp = Number(timestampText.trim());
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (timestamp < now - tolerance) throw new WebhookVerificationError('timestamp too old');
  if (timestamp > now + tolerance) throw new WebhookVerificationError('timestamp too new');

  const raw = standardKeyBytes(secret);
  if (!raw || raw.length === 0) throw new WebhookVerificationError('invalid secret');
  const key = await hmacKey(raw);
  const signed = concat(utf8(`${id}.${timestampText.trim()}.`), bytesOf(body));
  for (const part of signatures.split(' ')) {
    const comma = part.indexOf(',');
    if (comma < 0 || part.slice(0, comma) !== 'v1') continue; // other versions (v1a: asymmetric) are not ours to check
    const mac = fromBase64(part.slice(comma + 1));
    if (mac && mac.length === 32 && (await crypto.subtle.verify('HMAC', key, mac, signed))) return { id, timestamp };
  }
  throw new WebhookVerificationError('no matching signature');
}

/** Verifies GitHub's `x-hub-signature-256: sha256=<hex>`, keyed with the secret string itself. */
export async function verifyGithub(secret: string, body: string | Uint8Array | ArrayBuffer, headers: HeadersLike): Promise<void> {
  const header = headerValue(headers, 'x-hub-signature-256');
  if (!header) throw new WebhookVerificationError('missing header');
  const hex = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim())?.[1];
  if (!hex) throw new WebhookVerificationError('no matching signature');
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const key = await hmacKey(utf8(secret));
  if (!(await crypto.subtle.verify('HMAC', key, mac, bytesOf(body)))) throw new WebhookVerificationError('no matching signature');
}
