// Hex SHA-256 of a text (WebCrypto).
import { toHex } from '../signing/encoding';

export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
