// Subscription request and response shapes.
import { z } from '@hono/zod-openapi';
import { PATTERN_RE } from '../delivery/patterns';

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
const Secret = z.string().openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: '`whsec_` + base64 of 24 to 64 bytes' });

export const SubscriptionCreate = z
  .strictObject({
    url: Url,
    events: Events,
    description: Description.optional(),
    metadata: Metadata.optional(),
    secret: Secret.optional(),
    github_signature: z.boolean().optional().openapi({ description: "Also sign with GitHub's `x-hub-signature-256`" }),
    rate_limit: RateLimit.nullable().optional(),
    ordering: Ordering.nullable().optional(),
  })
  .openapi('SubscriptionCreate');

export const SubscriptionUpdate = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.nullable().optional(),
    metadata: Metadata.optional(),
    disabled: z.boolean().optional(),
    github_signature: z.boolean().optional(),
    rate_limit: RateLimit.nullable().optional().openapi({ description: 'null lifts it' }),
    ordering: Ordering.nullable().optional().openapi({ description: 'null: no ordering' }),
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
    github_signature: z.boolean(),
    rate_limit: RateLimit.nullable(),
    ordering: Ordering.nullable(),
    paused: z.boolean().openapi({ description: 'Paused: deliveries wait (`POST …/resume` sends them)' }),
    waiting: z.number().int().optional().openapi({ description: 'Deliveries held by flow control right now (on GET of one subscription)' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Subscription');

export const SubscriptionWithSecret = Subscription.extend({ secret: Secret }).openapi('SubscriptionWithSecret');

export const SecretResponse = z.object({ secret: Secret }).openapi('SubscriptionSecret');
