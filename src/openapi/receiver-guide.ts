// What a receiver gets and how it checks it, as Markdown for the reference: the headers of one attempt
// (example values) and the few lines of `edgehook/verify` that verify it. Shown under every event type in
// `webhooks` and under the `event.completed` callback.
import { VERSION } from '../version';
import { STANDARD_WEBHOOK_HEADERS } from './webhook-headers';

/** The headers of one attempt: edgehook's own, and the Standard Webhooks ones with their documented examples. */
const EXAMPLE_HEADERS: [string, string][] = [
  ['content-type', 'application/json'],
  ['user-agent', `edgehook/${VERSION}`],
  ...STANDARD_WEBHOOK_HEADERS.filter((h) => h.required).map((h): [string, string] => [h.name, h.example]),
];

/** The guide as Markdown; `lead` opens it (the callback's, where it stands beside its operation, says so). */
export function receiverGuide(secret: 'subscription' | 'callback', lead = '**What the receiver gets**'): string {
  const whose = secret === 'subscription' ? "the subscription's `secret` (`whsec_…`)" : "the event's application's callback secret (`GET /v1/applications/{app}/callback-secret`, `whsec_…`)";
  const headers = EXAMPLE_HEADERS.map(([k, v]) => `${k}: ${secret === 'callback' && k === 'webhook-id' ? `${v}_completed` : v}`).join('\n');
  return [
    `${lead}: a \`POST\` with the JSON body below and these headers (example values):`,
    '',
    '```http',
    headers,
    '```',
    '',
    `The signature is HMAC-SHA256 with ${whose} over \`<webhook-id>.<webhook-timestamp>.<raw body>\`. ` +
      (secret === 'subscription'
        ? 'A subscription with `signature: "ed25519"` sends `v1a,<base64 Ed25519 signature>` over the same bytes instead: verify it with its public key (`whpk_…`, `GET /v1/subscriptions/{id}/public-key`, or without a token the JWKS at `/.well-known/webhooks/subscriptions/{id}/jwks.json`). '
        : '') +
      '`webhook-id` stays the same on every retry and redelivery: dedupe on it. Answer 2xx within 15 s; anything else is retried.',
    '',
    '**Verify it** with `edgehook/verify` (Workers, Node 22.12+, Deno, Bun), over the raw body (`verify` takes a `whsec_` secret or a `whpk_` public key; `jwksVerifier(url)` follows a JWKS):',
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
