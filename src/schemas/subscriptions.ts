// Subscription request and response shapes.
import { z } from '@hono/zod-openapi';
import { headerErrors, HEADER_LIMITS } from '../utils/custom-headers';
import { PATTERN_RE } from '../delivery/patterns';
import { filterErrors, type Filter as PayloadFilter } from '../utils/payload-filter';
import { TRANSFORMATION_LIMITS } from '../delivery/transformation';

const Url = z.string().min(1).max(2048).openapi({ example: 'https://example.com/webhooks', description: 'Receiver URL: `https:` and a public host' });
const Events = z
  .array(z.string().max(128).regex(PATTERN_RE, 'must be an event type, `prefix.*` or `*`'))
  .min(1)
  .max(100)
  .openapi({ example: ['order.*'], description: 'Exact types, `prefix.*` or `*`' });
const Description = z.string().max(1024);
const Metadata = z
  .record(z.string().max(64), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .openapi({ example: { team: 'billing' } });
const RateLimit = z
  .strictObject({
    per_second: z.number().int().min(1).max(1000).openapi({ description: 'Deliveries a second, at most' }),
    burst: z.number().int().min(1).max(1000).default(1).openapi({ description: 'How many may go at once after a quiet spell (default 1: evenly spaced). Any one second then holds at most per_second + burst − 1.' }),
  })
  .openapi('RateLimit', { description: 'edgehook never sends this subscription more; the rest wait, in order, and are not failed attempts' });
const Ordering = z.enum(['fifo']).openapi({
  description:
    '`fifo`: the next delivery waits until the one before it succeeded or failed for good (retries of it keep their schedule). With events sent with an `ordering_key`, each key is its own line.',
});
const Filter = z
  .record(z.string(), z.unknown())
  .superRefine((filter, ctx) => {
    for (const e of filterErrors(filter)) ctx.addIssue({ code: 'custom', path: e.path, message: e.message });
  })
  .openapi('PayloadFilter', {
    description:
      'Sends an event only when its `data` matches, beyond its type. Keys are dotted paths into `data` (`customer.tier`, `items.0.sku`), each compared with a value (equality) or an object of operators: `$eq $ne $in $nin $gt $gte $lt $lte $exists`; or `$and`/`$or` (lists of filters) and `$not` (a filter). All keys must hold. A missing path equals nothing and compares with nothing; `$gt`… compare numbers with numbers and strings with strings. At most 100 conditions, 8 deep, 4 KiB.',
    example: { 'customer.tier': { $in: ['gold', 'platinum'] }, amount: { $gte: 100 }, $not: { test: true } },
  }) as unknown as z.ZodType<PayloadFilter>;
const Headers = z
  .record(z.string(), z.string())
  .superRefine((headers, ctx) => {
    for (const e of headerErrors(headers)) ctx.addIssue({ code: 'custom', path: e.path, message: e.message });
  })
  .openapi('CustomHeaders', {
    description: `Sent with every attempt. Refused: edgehook's own (\`webhook-*\`, the signatures, \`content-type\`, \`user-agent\`), \`host\`, \`content-length\` and hop-by-hop headers. At most ${HEADER_LIMITS.count}. Values of credential-like names (\`authorization\`, \`*token*\`, \`*key*\`, …) are shown masked; sending a masked value back keeps the stored one.`,
    example: { authorization: 'Bearer rcv_3f9…', 'x-tenant': 'acme' },
  });
const TransformationIn = z
  .strictObject({
    code: z
      .string()
      .min(1)
      .refine((code) => new TextEncoder().encode(code).length <= TRANSFORMATION_LIMITS.codeBytes, `at most ${TRANSFORMATION_LIMITS.codeBytes} bytes of code`)
      .openapi({
        description: `A JavaScript module (at most ${TRANSFORMATION_LIMITS.codeBytes / 1024} KiB) whose default export, or a function named \`handler\`, takes \`{event_type, payload, headers}\` (\`payload\` is the whole body edgehook would send, \`{type, timestamp, data}\`, parsed) and returns \`{payload, headers?}\` (the payload is serialised and sent as is, signed as sent; extra headers follow the custom headers' rules) or \`{cancel: true}\` (nothing is sent: the delivery ends \`cancelled\`). It may be async.`,
        example: "export default function ({ payload }) {\n  return { payload: { text: `${payload.type}: order ${payload.data.id}` } };\n}",
      }),
    enabled: z.boolean().default(true).openapi({ description: 'false keeps the code but sends webhooks as they are' }),
  })
  .openapi('TransformationInput', {
    description: `Runs in a sandboxed isolate of its own (a Dynamic Worker): no network, no bindings, ${TRANSFORMATION_LIMITS.cpuMs} ms of CPU, ${TRANSFORMATION_LIMITS.iterations.toLocaleString('en')} loop iterations and calls, ${TRANSFORMATION_LIMITS.timeoutMs / 1000} s. A throw, a timeout, an endless loop or a wrong answer fails the attempt (\`transformation: …\`), retried on the schedule. Refused (422) where the deployment has no Worker Loader binding.`,
  });
const TransformationOut = z
  .object({ code: z.string(), enabled: z.boolean(), version: z.string().openapi({ description: 'The first 16 hex digits of the code’s SHA-256' }) })
  .openapi('Transformation');
const Secret = z.string().openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: '`whsec_` + base64 of 24 to 64 bytes' });
const GivenSecret = z.string().openapi({
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  description:
    'Generated when left out. HMAC: `whsec_` + base64 of 24 to 64 bytes. Ed25519: `whsk_` + base64 of the 32-byte seed followed by the 32-byte public key (as Svix writes it); it is never shown again, only its public key.',
});
const PublicKey = z.string().openapi({ example: 'whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=', description: '`whpk_` + base64 of the 32-byte Ed25519 public key' });
const Signature = z.enum(['hmac', 'ed25519']).openapi('SignatureScheme', {
  description:
    '`hmac` (the default): `v1,` HMAC-SHA256 signatures with a shared `whsec_` secret. `ed25519`: `v1a,` Ed25519 signatures; edgehook keeps the secret key sealed and receivers verify with the public key (`whpk_…`, also as a JWKS), which cannot forge a webhook.',
});

export const SubscriptionCreate = z
  .strictObject({
    url: Url,
    events: Events,
    description: Description.optional(),
    metadata: Metadata.optional(),
    signature: Signature.optional(),
    secret: GivenSecret.optional(),
    github_signature: z.boolean().optional().openapi({ description: "Also sign with GitHub's `x-hub-signature-256` (HMAC only: refused with `signature: \"ed25519\"`)" }),
    rate_limit: RateLimit.nullable().optional(),
    ordering: Ordering.nullable().optional(),
    filter: Filter.nullable().optional(),
    headers: Headers.nullable().optional(),
    transformation: TransformationIn.nullable().optional(),
  })
  .openapi('SubscriptionCreate');

export const SubscriptionUpdate = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.nullable().optional(),
    metadata: Metadata.optional(),
    disabled: z.boolean().optional(),
    signature: Signature.optional().openapi({
      description: 'Another scheme is a rotation: a new secret or key pair of it becomes current, and the old one keeps signing beside it for 24 h. The same scheme changes nothing.',
    }),
    github_signature: z.boolean().optional(),
    rate_limit: RateLimit.nullable().optional().openapi({ description: 'null lifts it' }),
    ordering: Ordering.nullable().optional().openapi({ description: 'null: no ordering' }),
    filter: Filter.nullable().optional().openapi({ description: 'null: every event of its types' }),
    headers: Headers.nullable().optional().openapi({ description: 'Replaces them all; null: none' }),
    transformation: TransformationIn.nullable().optional().openapi({ description: 'Replaces it; null removes it' }),
  })
  .openapi('SubscriptionUpdate');

export const Subscription = z
  .object({
    id: z.string().openapi({ example: 'sub_01jd8x0000a1b2c3d4e5f6g7h8' }),
    application_id: z.string().openapi({ example: 'app_01jd8x0000a1b2c3d4e5f6g7h8', description: 'The application it belongs to (`default` for the built-in one)' }),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    disabled: z.boolean(),
    signature: Signature,
    public_key: PublicKey.nullable().openapi({ description: 'With `signature: "ed25519"`: the current public key, which verifies its `v1a` signatures (all that sign now: `…/public-key`). null for HMAC.' }),
    github_signature: z.boolean(),
    rate_limit: RateLimit.nullable(),
    ordering: Ordering.nullable(),
    paused: z.boolean().openapi({ description: 'Paused: deliveries wait (`POST …/resume` sends them)' }),
    filter: Filter.nullable(),
    headers: z.record(z.string(), z.string()).openapi({ description: 'Custom headers, credential-like values masked' }),
    transformation: TransformationOut.nullable(),
    waiting: z.number().int().optional().openapi({ description: 'Deliveries held by flow control right now (on GET of one subscription)' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Subscription');

export const SubscriptionWithSecret = Subscription.extend({
  secret: Secret.optional().openapi({ description: 'HMAC only: the secret, in clear (an Ed25519 subscription shows its `public_key` instead)' }),
}).openapi('SubscriptionWithSecret');

export const SecretResponse = z.object({ secret: Secret }).openapi('SubscriptionSecret');

const NewPublicKey = z.object({ public_key: PublicKey }).openapi('SubscriptionNewPublicKey');
export const RotateResponse = z.union([SecretResponse, NewPublicKey]).openapi('RotateResponse', {
  description: 'The new secret (HMAC), or the new key pair\'s public key (Ed25519)',
});

export const PublicKeys = z
  .object({
    public_key: PublicKey.openapi({ description: 'The current key' }),
    keys: z
      .array(
        z.object({
          kid: z.string().openapi({ example: 'kU3zMwUYt3cBXUEAfPgaMjlJ4wVVHZ9kcyXPOqhJRyI', description: "The key's JWK thumbprint (RFC 7638), as in the JWKS" }),
          public_key: PublicKey,
          expires_at: z.string().nullable().openapi({ description: 'When it stops signing (during a rotation); null: current' }),
        }),
      )
      .openapi({ description: 'Every key that signs now, current first: two during a rotation’s 24 h overlap' }),
  })
  .openapi('SubscriptionPublicKeys');

export const Jwks = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string().openapi({ description: 'base64url of the 32-byte public key' }),
        kid: z.string(),
        alg: z.literal('EdDSA'),
        use: z.literal('sig'),
      }),
    ),
  })
  .openapi('Jwks', { description: 'A JWK Set (RFC 7517) of the keys that sign this subscription’s webhooks now, and nothing else' });

export const TransformationTest = z
  .strictObject({
    event_type: z.string().min(1).max(128).openapi({ example: 'order.created' }),
    payload: z.unknown().optional().openapi({ description: "The event's `data` to try it on (default: the event type's example from the catalogue, else `{}`)" }),
    code: TransformationIn.shape.code.optional().openapi({ description: 'Code to try instead of the saved code (nothing is saved)' }),
  })
  .openapi('TransformationTest');

export const TransformationTestResult = z
  .union([
    z.object({ ok: z.literal(true), cancel: z.literal(false), body: z.string().openapi({ description: 'The body that would be sent (and signed), as it would be sent' }), headers: z.record(z.string(), z.string()) }),
    z.object({ ok: z.literal(true), cancel: z.literal(true) }),
    z.object({ ok: z.literal(false), error: z.string().openapi({ example: 'transformation: it threw TypeError: payload.data is undefined' }) }),
  ])
  .openapi('TransformationTestResult', { description: 'What the transformation made of the sample; nothing is sent' });
