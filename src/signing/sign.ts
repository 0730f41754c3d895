// Signatures in the Standard Webhooks format (and GitHub's, opt-in) over the exact bytes sent.
import { toBase64, toHex, utf8 } from './encoding';
import { githubKey, importedStandardKey, standardKey } from './keys';

async function hmac(key: CryptoKey, content: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(content)));
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` */
export async function signStandard(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const mac = await hmac(importedStandardKey(secret) ?? (await standardKey(secret)), `${id}.${timestamp}.${body}`);
  return `v1,${toBase64(mac)}`;
}

/** The `webhook-signature` value: one `v1,` signature per secret, space-separated. */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  if (secrets.length === 1) return signStandard(secrets[0]!, id, timestamp, body); // the usual case, without the array's promises
  const parts = await Promise.all(secrets.map((s) => signStandard(s, id, timestamp, body)));
  return parts.join(' ');
}

/** `sha256=<lowercase hex HMAC-SHA256(secret as UTF-8, body)>`, GitHub's `x-hub-signature-256`. */
export async function signGithub(secret: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmac(await githubKey(secret), body))}`;
}
