// HMAC-SHA256 keys, imported once per secret and kept for the isolate's life.
import { fromBase64, utf8 } from './encoding.ts';

const SECRET_PREFIX = 'whsec_';
const MAX_CACHED_KEYS = 1000;
const cache = new Map<string, Promise<CryptoKey>>();
/**
 * Standard Webhooks keys once imported, by the secret itself: signing (per attempt) looks them up
 * without a turn of the event loop and without building a cache key.
 */
const readyStandard = new Map<string, CryptoKey>();

function importHmac(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function cached(cacheKey: string, raw: () => Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  let key = cache.get(cacheKey);
  if (!key) {
    if (cache.size >= MAX_CACHED_KEYS) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
      if (oldest.startsWith('s:')) readyStandard.delete(oldest.slice(2));
    }
    key = importHmac(raw());
    cache.set(cacheKey, key);
    key.then(
      (k) => {
        if (cache.get(cacheKey) !== key) return;
        if (cacheKey.startsWith('s:')) readyStandard.set(cacheKey.slice(2), k);
      },
      () => cache.delete(cacheKey),
    );
  }
  return key;
}

/** The raw key bytes of a Standard Webhooks secret: base64 after `whsec_`; null when malformed. */
export function standardKeyBytes(secret: string): Uint8Array<ArrayBuffer> | null {
  const body = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return fromBase64(body);
}

/** The Standard Webhooks key of `secret` if it is imported already (else undefined: use `standardKey`). */
export const importedStandardKey = (secret: string): CryptoKey | undefined => readyStandard.get(secret);

/** Standard Webhooks key: the base64-decoded part of the secret after `whsec_`. */
export function standardKey(secret: string): Promise<CryptoKey> {
  return cached(`s:${secret}`, () => {
    const bytes = standardKeyBytes(secret);
    if (!bytes) throw new TypeError('secret is not base64');
    return bytes;
  });
}

/** GitHub key: the secret string itself, as UTF-8. */
export function githubKey(secret: string): Promise<CryptoKey> {
  return cached(`g:${secret}`, () => utf8(secret));
}
