// SHA-256 of a text (WebCrypto), and random tokens: what sessions, keys and links are made of.
import { toBase64, toHex, utf8 } from '../signing/encoding';

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text)));

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await digest(text));
}

/** A Content-Security-Policy source that allows exactly this inline script or style: `'sha256-…'`. */
export async function cspHash(text: string): Promise<string> {
  return `'sha256-${toBase64(await digest(text))}'`;
}

/** 256 random bits as base64url without padding (43 characters): session ids, API keys, link tokens. */
export function randomToken(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
