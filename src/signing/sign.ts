// Signatures in the Standard Webhooks format (and GitHub's, opt-in) over the exact bytes sent: `v1`
// (HMAC-SHA256 with a `whsec_` secret) and `v1a` (Ed25519 with a `whsk_` secret key).
import { toBase64, toHex, utf8 } from './encoding';
import { isSecretKeyText } from './key-pair';
import { ed25519Key, githubKey, importedEd25519Key, importedStandardKey, standardKey } from './keys';

async function hmac(key: CryptoKey, content: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(content)));
}

/**
 * The MAC of a Standard Webhooks signature: HMAC-SHA256(key, "<id>.<timestamp>.<body>"). With the key
 * already imported (every attempt after a secret's first) this is `crypto.subtle.sign`'s own promise.
 */
function standardMac(secret: string, id: string, timestamp: number, body: string): Promise<ArrayBuffer> {
  const content = utf8(`${id}.${timestamp}.${body}`);
  const key = importedStandardKey(secret);
  return key ? crypto.subtle.sign('HMAC', key, content) : standardKey(secret).then((k) => crypto.subtle.sign('HMAC', k, content));
}

/** `v1,<base64 MAC>`. */
const standardSignature = (mac: ArrayBuffer): string => `v1,${toBase64(new Uint8Array(mac))}`;

/** `v1a,<base64 Ed25519 signature of "<id>.<timestamp>.<body>">`. */
function asymmetricSignature(secretKey: string, id: string, timestamp: number, body: string): Promise<string> {
  const content = utf8(`${id}.${timestamp}.${body}`);
  const key = importedEd25519Key(secretKey);
  const signed = key ? crypto.subtle.sign('Ed25519', key, content) : ed25519Key(secretKey).then((k) => crypto.subtle.sign('Ed25519', k, content));
  return signed.then((sig) => `v1a,${toBase64(new Uint8Array(sig))}`);
}

/** One entry of the header: `v1a,` for a `whsk_` secret key, `v1,` for a `whsec_` secret. */
const signatureOf = (secret: string, id: string, timestamp: number, body: string): Promise<string> =>
  isSecretKeyText(secret) ? asymmetricSignature(secret, id, timestamp, body) : standardMac(secret, id, timestamp, body).then(standardSignature);

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`. */
export function signStandard(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  return standardMac(secret, id, timestamp, body).then(standardSignature);
}

/**
 * The `webhook-signature` value: one signature per secret, newest first, space-separated (`v1,` per
 * HMAC secret, `v1a,` per Ed25519 secret key). One secret (the usual case) costs one await; several are
 * signed at once.
 */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  if (secrets.length === 1) return signatureOf(secrets[0]!, id, timestamp, body);
  return (await Promise.all(secrets.map((s) => signatureOf(s, id, timestamp, body)))).join(' ');
}

/** `sha256=<lowercase hex HMAC-SHA256(secret as UTF-8, body)>`, GitHub's `x-hub-signature-256`. */
export async function signGithub(secret: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmac(await githubKey(secret), body))}`;
}
