// Subscription secrets at rest: sealed with AES-256-GCM (WebCrypto) under a key held as a Worker secret,
// so a dump of KV or of a subscription's object shows no secret. Each sealed value names its key, so the
// key itself can be rotated: SECRETS_KEY seals and opens, SECRETS_KEY_PREVIOUS only opens.
// Sealed form: `ehsec:v1:<key id>:<base64url(12-byte IV | ciphertext and tag)>`, with the subscription id
// as additional data: a sealed secret copied onto another subscription does not open.
import { fromBase64, toBase64, utf8 } from './encoding';

export interface SecretKeys {
  /** `<key id>:<base64 of 32 bytes>`: seals new secrets, opens its own. */
  SECRETS_KEY?: string;
  /** The key before the current one, during a key rotation: opens only. */
  SECRETS_KEY_PREVIOUS?: string;
}

const PREFIX = 'ehsec:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

const b64url = (bytes: Uint8Array) => toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const fromB64url = (text: string) => fromBase64(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));

/** Imported keys, per isolate, by the setting's text (a changed secret is a new entry). */
const imported = new Map<string, Promise<{ id: string; key: CryptoKey }>>();

function parseKey(setting: string): Promise<{ id: string; key: CryptoKey }> {
  let hit = imported.get(setting);
  if (!hit) {
    const at = setting.indexOf(':');
    const id = setting.slice(0, at);
    const raw = fromBase64(setting.slice(at + 1));
    if (at < 1 || !KEY_ID.test(id) || raw?.length !== 32) throw new Error('SECRETS_KEY must be `<key id>:<base64 of 32 random bytes>`');
    hit = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']).then((key) => ({ id, key }));
    imported.set(setting, hit);
  }
  return hit;
}

export const isSealed = (value: string) => value.startsWith(PREFIX);

/** The key id a setting (`<key id>:<base64>`) names; null when unset. */
export const keyIdOf = (setting: string | undefined) => (setting ? setting.slice(0, Math.max(0, setting.indexOf(':'))) || null : null);

/** Whether a stored value is not sealed with the current SECRETS_KEY (sealed with another key, or in clear). */
export const needsReseal = (keys: SecretKeys, stored: string) => !stored.startsWith(`${PREFIX}${keyIdOf(keys.SECRETS_KEY)}:`);

/**
 * The value sealed with the current key (opened with whichever key sealed it), or null when no key
 * set opens it (the key that sealed it is gone): then it is left as it is.
 */
export async function resealSecret(keys: SecretKeys, owner: string, stored: string): Promise<string | null> {
  try {
    return await sealSecret(keys, owner, await openSecret(keys, owner, stored));
  } catch {
    return null;
  }
}

export async function sealSecret(keys: SecretKeys, subscriptionId: string, secret: string): Promise<string> {
  if (!keys.SECRETS_KEY) throw new Error('SECRETS_KEY is not set: subscription secrets cannot be stored');
  const { id, key } = await parseKey(keys.SECRETS_KEY);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(subscriptionId) }, key, utf8(secret)));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return `${PREFIX}${id}:${b64url(out)}`;
}

/** Opened secrets, per isolate: a batch's signing costs no decryption once a secret was opened here. */
const opened = new Map<string, string>();
const OPENED_MAX = 2000;

/** The secret in a stored value; a value stored before secrets were sealed is returned as it is. */
export async function openSecret(keys: SecretKeys, subscriptionId: string, stored: string): Promise<string> {
  if (!isSealed(stored)) return stored;
  const memo = `${subscriptionId}\n${stored}`;
  const hit = opened.get(memo);
  if (hit !== undefined) return hit;
  const [id, data] = stored.slice(PREFIX.length).split(':');
  const setting = [keys.SECRETS_KEY, keys.SECRETS_KEY_PREVIOUS].find((s) => s?.startsWith(`${id}:`));
  if (!setting) throw new Error(`no key ${id} to open a subscription secret (SECRETS_KEY / SECRETS_KEY_PREVIOUS)`);
  const { key } = await parseKey(setting);
  const bytes = fromB64url(data ?? '');
  if (!bytes || bytes.length < 13) throw new Error('a sealed subscription secret is malformed');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: utf8(subscriptionId) }, key, bytes.subarray(12));
  const secret = new TextDecoder().decode(plain);
  if (opened.size >= OPENED_MAX) opened.delete(opened.keys().next().value as string);
  opened.set(memo, secret);
  return secret;
}

/** Forgets opened secrets (benchmarks measure the first opening). */
export function forgetOpenedSecrets(): void {
  opened.clear();
}
