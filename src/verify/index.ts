// Verify edgehook deliveries on the receiving side, in any WebCrypto runtime (Workers, Node 22.12+, Deno,
// Bun). Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …` with a
// `whsec_` secret, or `v1a,<base64> …` with an Ed25519 `whpk_` public key or a JWKS URL) and GitHub's
// `x-hub-signature-256`. Always verify the raw body as received: re-serialised JSON does not match.
import { fromBase64, utf8 } from '../signing/encoding.ts';
import { standardKeyBytes } from '../signing/keys.ts';
import { jwkPublicBytes, PUBLIC_KEY_PREFIX, publicKeyBytes } from '../signing/public-key.ts';

export type VerificationFailure =
  | 'missing header'
  | 'invalid timestamp'
  | 'timestamp too old'
  | 'timestamp too new'
  | 'no matching signature'
  | 'invalid secret'
  | 'invalid public key'
  | 'keys unavailable';

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

/** The three Standard Webhooks headers, with the timestamp checked against the clock. */
function signedParts(headers: HeadersLike, options: VerifyOptions) {
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
  return { id, timestamp, prefix: utf8(`${id}.${timestampText.trim()}.`), signatures: signatures.split(' ') };
}

/** The decoded signatures of one version (`v1` or `v1a`) in the header, of the length that version has. */
function signaturesOf(parts: string[], version: 'v1' | 'v1a', length: number): Uint8Array<ArrayBuffer>[] {
  return parts.flatMap((part) => {
    const comma = part.indexOf(',');
    if (comma < 0 || part.slice(0, comma) !== version) return []; // other versions are not this key's to check
    const sig = fromBase64(part.slice(comma + 1));
    return sig && sig.length === length ? [sig] : [];
  });
}

const importEd25519 = (raw: Uint8Array<ArrayBuffer>) => crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);

/** Whether any of `keys` verifies any `v1a` signature of the header over `signed`. */
async function anyEd25519(keys: CryptoKey[], parts: string[], signed: Uint8Array<ArrayBuffer>): Promise<boolean> {
  for (const sig of signaturesOf(parts, 'v1a', 64)) {
    for (const key of keys) if (await crypto.subtle.verify('Ed25519', key, sig, signed)) return true;
  }
  return false;
}

/**
 * Verifies a Standard Webhooks delivery, and the timestamp within the tolerance. `key` is a `whsec_`
 * secret (any one `v1` signature of the header must match, compared in constant time by
 * `crypto.subtle.verify`) or an Ed25519 public key `whpk_…` (any one `v1a` signature must verify).
 */
export async function verify(
  key: string,
  body: string | Uint8Array | ArrayBuffer,
  headers: HeadersLike,
  options: VerifyOptions = {},
): Promise<VerifiedWebhook> {
  const { id, timestamp, prefix, signatures } = signedParts(headers, options);
  const signed = concat(prefix, bytesOf(body));
  if (key.startsWith(PUBLIC_KEY_PREFIX)) {
    const raw = publicKeyBytes(key);
    if (!raw) throw new WebhookVerificationError('invalid public key');
    if (await anyEd25519([await importEd25519(raw)], signatures, signed)) return { id, timestamp };
    throw new WebhookVerificationError('no matching signature');
  }
  const raw = standardKeyBytes(key);
  if (!raw || raw.length === 0) throw new WebhookVerificationError('invalid secret');
  const hmac = await hmacKey(raw);
  for (const mac of signaturesOf(signatures, 'v1', 32)) {
    if (await crypto.subtle.verify('HMAC', hmac, mac, signed)) return { id, timestamp };
  }
  throw new WebhookVerificationError('no matching signature');
}

export interface JwksVerifierOptions extends VerifyOptions {
  /** How the key set is fetched (default: the global fetch). */
  fetch?: (url: string) => Promise<Response>;
  /** How long a fetched key set is kept when its answer names no `max-age` (default 300 s). */
  cacheSeconds?: number;
  /** The least time between two fetches after a signature no cached key verifies (default 30 s). */
  refetchAfterSeconds?: number;
}

/**
 * A verifier that takes its Ed25519 keys from a JWKS URL (edgehook's is
 * `<origin>/.well-known/webhooks/subscriptions/<id>/jwks.json`): the key set is fetched on first use and
 * kept as long as its `cache-control: max-age` says; a signature no kept key verifies fetches it again
 * (at most once per `refetchAfterSeconds`), so a rotation is picked up without a restart.
 */
export function jwksVerifier(url: string | URL, options: JwksVerifierOptions = {}) {
  const load = options.fetch ?? ((u: string) => fetch(u));
  let cached: { keys: CryptoKey[]; until: number; at: number } | null = null;
  let loading: Promise<CryptoKey[]> | null = null;
  const clock = () => (options.now ?? Date.now)();

  async function fetchKeys(): Promise<CryptoKey[]> {
    let res: Response;
    let set: { keys?: unknown[] };
    try {
      res = await load(String(url));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      set = (await res.json()) as { keys?: unknown[] };
    } catch {
      throw new WebhookVerificationError('keys unavailable');
    }
    const raws = (Array.isArray(set?.keys) ? set.keys : []).flatMap((k) => jwkPublicBytes(k) ?? []);
    // A key this runtime will not import (not a point on the curve) verifies nothing: it is left out.
    const keys = (await Promise.all(raws.map((raw) => importEd25519(raw).catch(() => null)))).filter((k): k is CryptoKey => k !== null);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1] ?? options.cacheSeconds ?? 300);
    cached = { keys, until: clock() + maxAge * 1000, at: clock() };
    return keys;
  }
  const keysNow = (): Promise<CryptoKey[]> => {
    if (cached && clock() < cached.until) return Promise.resolve(cached.keys);
    return (loading ??= fetchKeys().finally(() => (loading = null)));
  };

  return async (body: string | Uint8Array | ArrayBuffer, headers: HeadersLike): Promise<VerifiedWebhook> => {
    const { id, timestamp, prefix, signatures } = signedParts(headers, options);
    const signed = concat(prefix, bytesOf(body));
    if (await anyEd25519(await keysNow(), signatures, signed)) return { id, timestamp };
    const refetchAfter = (options.refetchAfterSeconds ?? 30) * 1000;
    if (cached && clock() - cached.at >= refetchAfter) {
      cached = null;
      if (await anyEd25519(await keysNow(), signatures, signed)) return { id, timestamp };
    }
    throw new WebhookVerificationError('no matching signature');
  };
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
