// Signatures in the Standard Webhooks format (and GitHub's, opt-in) over the exact bytes sent.
import { toBase64, toHex, utf8 } from './encoding';
import { githubKey, importedStandardKey, standardKey } from './keys';

async function hmac(key: CryptoKey, content: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(content)));
}

/**
 * `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`. Written with promise chains rather than
 * async functions: signing runs once per attempt, and each async layer costs turns of the event loop.
 */
export function signStandard(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const content = utf8(`${id}.${timestamp}.${body}`);
  const key = importedStandardKey(secret);
  const mac = key ? crypto.subtle.sign('HMAC', key, content) : Promise.resolve(secret).then(standardKey).then((k) => crypto.subtle.sign('HMAC', k, content));
  return mac.then((m) => `v1,${toBase64(new Uint8Array(m))}`);
}

/** The `webhook-signature` value: one `v1,` signature per secret, space-separated. */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  if (secrets.length === 1) return signStandard(secrets[0]!, id, timestamp, body); // the usual case
  return Promise.all(secrets.map((s) => signStandard(s, id, timestamp, body))).then((parts) => parts.join(' '));
}

/** `sha256=<lowercase hex HMAC-SHA256(secret as UTF-8, body)>`, GitHub's `x-hub-signature-256`. */
export async function signGithub(secret: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmac(await githubKey(secret), body))}`;
}
