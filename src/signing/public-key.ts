// Ed25519 public keys as Standard Webhooks writes them (`whpk_` + base64 of the 32 raw bytes) and as a
// JWKS carries them (`{"kty":"OKP","crv":"Ed25519","x":…}`), with the key id both agree on: the key's
// JWK thumbprint (RFC 7638). Shared by the sender and the receivers' verify module.
import { fromBase64, fromBase64Url, toBase64, toBase64Url, utf8 } from './encoding.ts';

export const PUBLIC_KEY_PREFIX = 'whpk_';
const PUBLIC_KEY_RE = /^whpk_[A-Za-z0-9+/]{43}=$/;

export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** The raw 32 bytes of a `whpk_` key; null when it is not one. */
export function publicKeyBytes(publicKey: string): Uint8Array<ArrayBuffer> | null {
  if (!PUBLIC_KEY_RE.test(publicKey)) return null;
  const bytes = fromBase64(publicKey.slice(PUBLIC_KEY_PREFIX.length));
  return bytes && bytes.length === 32 ? bytes : null;
}

export const publicKeyText = (raw: Uint8Array): string => `${PUBLIC_KEY_PREFIX}${toBase64(raw)}`;

/** RFC 7638: base64url of SHA-256 over `{"crv":"Ed25519","kty":"OKP","x":"…"}` (members in that order). */
async function thumbprint(x: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`))));
}

/** The key as a JWK with its `kid`; throws on a malformed key. */
export async function publicJwk(publicKey: string): Promise<Ed25519Jwk> {
  const raw = publicKeyBytes(publicKey);
  if (!raw) throw new TypeError('not a whpk_ key');
  const x = toBase64Url(raw);
  return { kty: 'OKP', crv: 'Ed25519', x, kid: await thumbprint(x), alg: 'EdDSA', use: 'sig' };
}

/** The raw bytes of a JWK that is an Ed25519 public key; null for any other key. */
export function jwkPublicBytes(jwk: unknown): Uint8Array<ArrayBuffer> | null {
  const k = jwk as Partial<Ed25519Jwk> | null;
  if (!k || typeof k !== 'object' || k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string') return null;
  const raw = fromBase64Url(k.x);
  return raw && raw.length === 32 ? raw : null;
}
