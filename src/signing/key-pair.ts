// Ed25519 key pairs for Standard Webhooks `v1a`: the secret key is `whsk_` + base64 of the 32-byte seed
// followed by the 32-byte public key (libsodium's layout, as Svix writes it); the public key is `whpk_`
// + base64 of those last 32 bytes.
import { fromBase64, fromBase64Url, toBase64, toBase64Url, utf8 } from './encoding.ts';
import { publicKeyText } from './public-key.ts';

export const SECRET_KEY_PREFIX = 'whsk_';
const SECRET_KEY_RE = /^whsk_[A-Za-z0-9+/]{86}==$/;

export interface KeyPair {
  secretKey: string;
  publicKey: string;
}

export const isSecretKeyText = (text: string) => text.startsWith(SECRET_KEY_PREFIX);

/** Seed and public key of a `whsk_` key; null when malformed. */
function parts(secretKey: string): { seed: Uint8Array<ArrayBuffer>; pub: Uint8Array<ArrayBuffer> } | null {
  if (!SECRET_KEY_RE.test(secretKey)) return null;
  const bytes = fromBase64(secretKey.slice(SECRET_KEY_PREFIX.length));
  return bytes && bytes.length === 64 ? { seed: bytes.slice(0, 32), pub: bytes.slice(32) } : null;
}

const jwkOf = (seed: Uint8Array, pub: Uint8Array): JsonWebKey => ({ kty: 'OKP', crv: 'Ed25519', d: toBase64Url(seed), x: toBase64Url(pub) });

function importSigning(secretKey: string): Promise<CryptoKey> {
  const p = parts(secretKey);
  if (!p) return Promise.reject(new TypeError('not a whsk_ key'));
  return crypto.subtle.importKey('jwk', jwkOf(p.seed, p.pub), { name: 'Ed25519' }, false, ['sign']);
}

export async function generateKeyPair(): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pub = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer);
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
  const seed = fromBase64Url(jwk.d!)!;
  const both = new Uint8Array(64);
  both.set(seed);
  both.set(pub, 32);
  return { secretKey: `${SECRET_KEY_PREFIX}${toBase64(both)}`, publicKey: publicKeyText(pub) };
}

/**
 * The public key of a `whsk_` key given from outside, or null when it is malformed or its two halves do
 * not belong together (checked by signing a probe and verifying it with the public half).
 */
export async function publicKeyOfGiven(secretKey: string): Promise<string | null> {
  const p = parts(secretKey);
  if (!p) return null;
  try {
    const probe = utf8('edgehook key check');
    const signature = await crypto.subtle.sign('Ed25519', await importSigning(secretKey), probe);
    const verifier = await crypto.subtle.importKey('raw', p.pub, { name: 'Ed25519' }, false, ['verify']);
    return (await crypto.subtle.verify('Ed25519', verifier, signature, probe)) ? publicKeyText(p.pub) : null;
  } catch {
    return null;
  }
}

export { importSigning as importEd25519SigningKey };
