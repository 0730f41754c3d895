// A subscription's signing material, made or checked before it is stored: an HMAC secret (`whsec_`) or
// an Ed25519 key pair (`whsk_` secret key, `whpk_` public key). The secret part is sealed for the
// subscription at once; the caller is shown the HMAC secret, or only the public key.
import type { Env } from '../env';
import { generateKeyPair, publicKeyOfGiven } from '../signing/key-pair';
import { publicJwk, type Ed25519Jwk } from '../signing/public-key';
import { generateSecret } from '../signing/secret';
import { sealSecret } from '../signing/secret-box';
import type { NewSecret } from '../store/secret-rotation';
import { signingPublicKeys, type SignatureScheme, type StoredSubscription } from '../store/subscriptions';
import { fail } from '../utils/problem';
import { assertGivenSecret } from './lookups';

export type Shown = { secret: string } | { public_key: string };

/** A new secret of `scheme` for subscription `id` (the one `given`, checked, or a generated one). */
export async function freshSecret(env: Env, id: string, scheme: SignatureScheme, given?: string): Promise<{ stored: NewSecret; shown: Shown }> {
  if (scheme === 'hmac') {
    assertGivenSecret(given);
    const secret = given ?? generateSecret();
    return { stored: { value: await sealSecret(env, id, secret) }, shown: { secret } };
  }
  let pair = given === undefined ? await generateKeyPair() : null;
  if (given !== undefined) {
    const publicKey = await publicKeyOfGiven(given);
    if (!publicKey) {
      throw fail(422, 'An Ed25519 secret key must be `whsk_` followed by base64 of its 32-byte seed and then its 32-byte public key.', [
        { path: 'secret', message: 'not a whsk_ key whose halves belong together' },
      ]);
    }
    pair = { secretKey: given, publicKey };
  }
  return { stored: { value: await sealSecret(env, id, pair!.secretKey), public_key: pair!.publicKey }, shown: { public_key: pair!.publicKey } };
}

export interface PublicKeyEntry {
  kid: string;
  public_key: string;
  /** When it stops signing (during a rotation's overlap); null: current. */
  expires_at: string | null;
}

/** The Ed25519 public keys that sign its webhooks now, current first ([] for an HMAC-only subscription). */
export async function publicKeysOf(sub: StoredSubscription, nowMs = Date.now()): Promise<PublicKeyEntry[]> {
  return Promise.all(signingPublicKeys(sub, nowMs).map(async (k) => ({ kid: (await publicJwk(k.public_key)).kid, ...k })));
}

/** The same keys as a JWK Set: nothing but the keys. */
export async function jwksOf(sub: StoredSubscription, nowMs = Date.now()): Promise<{ keys: Ed25519Jwk[] }> {
  return { keys: await Promise.all(signingPublicKeys(sub, nowMs).map((k) => publicJwk(k.public_key))) };
}
