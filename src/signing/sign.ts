// Signatures in the Standard Webhooks format (and GitHub's, opt-in) over the exact bytes sent.
import { toBase64, toHex, utf8 } from './encoding';
import { githubKey, importedStandardKey, standardKey } from './keys';

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

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`. */
export function signStandard(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  return standardMac(secret, id, timestamp, body).then(standardSignature);
}

/**
 * The `webhook-signature` value: one `v1,` signature per secret, space-separated. One secret (the usual
 * case) costs one await of the MAC; several are signed at once.
 */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  if (secrets.length === 1) return standardSignature(await standardMac(secrets[0]!, id, timestamp, body));
  return (await Promise.all(secrets.map((s) => standardMac(s, id, timestamp, body)))).map(standardSignature).join(' ');
}

/** `sha256=<lowercase hex HMAC-SHA256(secret as UTF-8, body)>`, GitHub's `x-hub-signature-256`. */
export async function signGithub(secret: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmac(await githubKey(secret), body))}`;
}
