// The Standard Webhooks headers every delivery and callback carries, as OpenAPI header parameters.
export const STANDARD_WEBHOOK_HEADERS = [
  { name: 'webhook-id', in: 'header', required: true, description: 'The message id: the same on every retry and redelivery; dedupe on it', schema: { type: 'string' }, example: 'evt_01jd8x0000a1b2c3d4e5f6g7h8' },
  { name: 'webhook-timestamp', in: 'header', required: true, description: 'Unix seconds of this attempt; refuse it when more than 5 minutes off', schema: { type: 'string', pattern: '^[0-9]+$' }, example: '1796040000' },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'Space-separated `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>` (the key is the base64 after `whsec_`), or with `signature: "ed25519"` `v1a,<base64 Ed25519 signature of the same>` (verify with the `whpk_` public key); one entry per secret or key that signs, newest first',
    schema: { type: 'string' },
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
  {
    name: 'x-hub-signature-256',
    in: 'header',
    required: false,
    description: "GitHub's scheme, when the subscription asks for it: `sha256=<hex HMAC-SHA256(secret, body)>`",
    schema: { type: 'string' },
    example: 'sha256=6c1f1a7d0b9e3c2f5a4d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a',
  },
] as const;
