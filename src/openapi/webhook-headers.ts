// The Standard Webhooks headers every delivery and callback carries, as OpenAPI header parameters.
export const STANDARD_WEBHOOK_HEADERS = [
  { name: 'webhook-id', in: 'header', required: true, description: 'The message id: the same on every retry and redelivery; dedupe on it', schema: { type: 'string' } },
  { name: 'webhook-timestamp', in: 'header', required: true, description: 'Unix seconds of this attempt; refuse it when more than 5 minutes off', schema: { type: 'string', pattern: '^[0-9]+$' } },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description: 'Space-separated `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`; the key is the base64 after `whsec_`',
    schema: { type: 'string' },
  },
  {
    name: 'x-hub-signature-256',
    in: 'header',
    required: false,
    description: "GitHub's scheme, when the subscription asks for it: `sha256=<hex HMAC-SHA256(secret, body)>`",
    schema: { type: 'string' },
  },
] as const;
