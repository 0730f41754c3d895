// Signing keys (HMAC-SHA256, Ed25519), imported once per secret and kept for the isolate's life.
import { fromBase64, utf8 } from './encoding.ts';
import { importEd25519SigningKey } from './key-pair.ts';

const SECRET_PREFIX = 'whsec_';
const MAX_CACHED_KEYS = 1000;
const cache = new Map<string, Promise<CryptoKey>>();
/**
 * Keys once imported, by the secret itself (`s:` HMAC, `e:` Ed25519): signing (per attempt) looks them
 * up without a turn of the event loop and without building a cache key.
 */
const ready: Record<string, Map<string, CryptoKey>> = { s: new Map(), e: new Map() };

function importHmac(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function cached(cacheKey: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
  let key = cache.get(cacheKey);
  if (!key) {
    if (cache.size >= MAX_CACHED_KEYS) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
      ready[oldest.slice(0, 1)]?.delete(oldest.slice(2));
    }
    key = load();
    cache.set(cacheKey, key);
    key.then(
      (k) => {
        if (cache.get(cacheKey) !== key) return;
        ready[cacheKey.slice(0, 1)]?.set(cacheKey.slice(2), k);
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
export const importedStandardKey = (secret: string): CryptoKey | undefined => ready.s!.get(secret);

/** The Ed25519 signing key of a `whsk_` key if it is imported already (else undefined: use `ed25519Key`). */
export const importedEd25519Key = (secretKey: string): CryptoKey | undefined => ready.e!.get(secretKey);

/** The Ed25519 signing key of a `whsk_` key. */
export const ed25519Key = (secretKey: string): Promise<CryptoKey> => cached(`e:${secretKey}`, () => importEd25519SigningKey(secretKey));

/** Standard Webhooks key: the base64-decoded part of the secret after `whsec_`. */
export function standardKey(secret: string): Promise<CryptoKey> {
  return cached(`s:${secret}`, () => {
    const bytes = standardKeyBytes(secret);
    return bytes ? importHmac(bytes) : Promise.reject(new TypeError('secret is not base64'));
  });
}

/** GitHub key: the secret string itself, as UTF-8. */
export function githubKey(secret: string): Promise<CryptoKey> {
  return cached(`g:${secret}`, () => importHmac(utf8(secret)));
}
