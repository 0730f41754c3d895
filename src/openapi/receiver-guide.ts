// What a receiver gets and how it checks it, as Markdown for the reference: the headers of one attempt
// (example values) and the few lines of `edgehook/verify` that verify it. Shown under every event type in
// `webhooks` and under the `event.completed` callback.
import { VERSION } from '../version';

const EXAMPLE_HEADERS = {
  'content-type': 'application/json',
  'user-agent': `edgehook/${VERSION}`,
  'webhook-id': 'evt_01jd8x0000a1b2c3d4e5f6g7h8',
  'webhook-timestamp': '1796040000',
  'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
};

export function receiverGuide(secret: 'subscription' | 'callback'): string {
  const whose = secret === 'subscription' ? "the subscription's `secret` (`whsec_…`)" : 'the service\'s `CALLBACK_SECRET`';
  const headers = Object.entries(EXAMPLE_HEADERS)
    .map(([k, v]) => `${k}: ${secret === 'callback' && k === 'webhook-id' ? `${v}_completed` : v}`)
    .join('\n');
  return [
    '**What the receiver gets**: a `POST` with the JSON body below and these headers (example values):',
    '',
    '```http',
    headers,
    '```',
    '',
    `The signature is HMAC-SHA256 with ${whose} over \`<webhook-id>.<webhook-timestamp>.<raw body>\`. ` +
      '`webhook-id` stays the same on every retry and redelivery: dedupe on it. Answer 2xx within 15 s; anything else is retried.',
    '',
    '**Verify it** with `edgehook/verify` (Workers, Node 22+, Deno, Bun), over the raw body:',
    '',
    '```ts',
    "import { verify, WebhookVerificationError } from 'edgehook/verify';",
    '',
    'const body = await request.text(); // the raw bytes: re-serialised JSON does not verify',
    'try {',
    '  const { id } = await verify(secret, body, request.headers); // signature and a 5-minute timestamp window',
    '  // … handle JSON.parse(body) once per id …',
    "  return new Response('ok');",
    '} catch (err) {',
    '  if (err instanceof WebhookVerificationError) return new Response(err.reason, { status: 401 });',
    '  throw err;',
    '}',
    '```',
  ].join('\n');
}
