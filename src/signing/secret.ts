// Subscription secrets: `whsec_` + base64 of 24 to 64 random bytes (Standard Webhooks).
import { toBase64 } from './encoding';
import { standardKeyBytes } from './keys';

export function generateSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

export function isValidSecret(secret: string): boolean {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  const bytes = standardKeyBytes(secret);
  return bytes !== null && bytes.length >= 24 && bytes.length <= 64;
}
