import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeader, signGithub, signStandard } from '../../src/signing/sign';
import { generateSecret, isValidSecret } from '../../src/signing/secret';
import { fromBase64, toBase64 } from '../../src/signing/encoding';

// The known-answer vector of the Standard Webhooks specification.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('matches the specification known-answer vector', async () => {
    expect(await signStandard(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.payload)).toBe(VECTOR.signature);
  });

  it('changes when any signed part changes', async () => {
    const base = await signStandard(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.payload);
    expect(await signStandard(VECTOR.secret, VECTOR.id, VECTOR.timestamp + 1, VECTOR.payload)).not.toBe(base);
    expect(await signStandard(VECTOR.secret, `${VECTOR.id}x`, VECTOR.timestamp, VECTOR.payload)).not.toBe(base);
    expect(await signStandard(VECTOR.secret, VECTOR.id, VECTOR.timestamp, `${VECTOR.payload} `)).not.toBe(base);
  });

  it('puts one space-separated signature per secret, each verifiable by the standardwebhooks package', async () => {
    const second = generateSecret();
    const header = await signatureHeader([second, VECTOR.secret], VECTOR.id, VECTOR.timestamp, VECTOR.payload);
    expect(header.split(' ')).toHaveLength(2);
    expect(header.split(' ')[1]).toBe(VECTOR.signature);
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': '' };
    headers['webhook-signature'] = await signatureHeader([second], VECTOR.id, Number(headers['webhook-timestamp']), VECTOR.payload);
    expect(new Webhook(second).verify(VECTOR.payload, headers)).toEqual({ test: 2432232314 });
  });

  it("signs GitHub's scheme with the secret string as the key", async () => {
    // HMAC-SHA256("It's a Secret to Everybody", "Hello, World!"), from GitHub's documentation.
    expect(await signGithub("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });
});

describe('secrets', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(generateSecret());
    expect(isValidSecret(a)).toBe(true);
  });

  it.each(['', 'whsec_', 'whsec_short', 'nope_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_!!!!MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])('refuses %j', (s) => {
    expect(isValidSecret(s)).toBe(false);
  });
});

describe('base64', () => {
  it('encodes like btoa at every length, natively in workerd (where the runtime has toBase64)', () => {
    expect(typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64).toBe('function');
    for (const length of [0, 1, 2, 3, 31, 32, 64, 65, 0x8001, 70_000]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 7919 + length) & 0xff);
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      expect(toBase64(bytes), `length ${length}`).toBe(btoa(binary));
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    }
  });
});

// Ed25519 (`v1a`): RFC 8032's first test key over the vector above's id, timestamp and payload. The
// signature was made by Node's crypto.sign and by Python's `cryptography` alike (Ed25519 is deterministic).
const ED25519_VECTOR = {
  secretKey: 'whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==',
  publicKey: 'whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
  signature: 'v1a,fldxM4gAKugP6nnt1hdz3sgGfZ6d99nzrMFnZOELIxbzEHoVmAb2ADpkJK7zgPePmPsle0zV9jSeGlHFG2NVAw==',
};

describe('Ed25519 signing (v1a)', () => {
  it('matches the known-answer vector, and says v1 and v1a apart in one header, newest first', async () => {
    expect(await signatureHeader([ED25519_VECTOR.secretKey], VECTOR.id, VECTOR.timestamp, VECTOR.payload)).toBe(ED25519_VECTOR.signature);
    const mixed = await signatureHeader([ED25519_VECTOR.secretKey, VECTOR.secret], VECTOR.id, VECTOR.timestamp, VECTOR.payload);
    expect(mixed).toBe(`${ED25519_VECTOR.signature} ${VECTOR.signature}`);
  });

  it('makes key pairs whose halves belong together, and finds the public key of a given secret key', async () => {
    const { generateKeyPair, publicKeyOfGiven } = await import('../../src/signing/key-pair');
    expect(await publicKeyOfGiven(ED25519_VECTOR.secretKey)).toBe(ED25519_VECTOR.publicKey);
    const pair = await generateKeyPair();
    expect(pair.secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    expect(await publicKeyOfGiven(pair.secretKey)).toBe(pair.publicKey);
    const swapped = `whsk_${toBase64(new Uint8Array([...fromBase64(pair.secretKey.slice(5))!.slice(0, 32), ...fromBase64(ED25519_VECTOR.publicKey.slice(5))!]))}`;
    expect(await publicKeyOfGiven(swapped)).toBeNull();
  });
});
