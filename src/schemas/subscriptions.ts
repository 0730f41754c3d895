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
const Secret = z.string().openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: '`whsec_` + base64 of 24 to 64 bytes' });

export const SubscriptionCreate = z
  .strictObject({
    url: Url,
    events: Events,
    description: Description.optional(),
    metadata: Metadata.optional(),
    secret: Secret.optional(),
    github_signature: z.boolean().optional().openapi({ description: "Also sign with GitHub's `x-hub-signature-256`" }),
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
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Subscription');

export const SubscriptionWithSecret = Subscription.extend({ secret: Secret }).openapi('SubscriptionWithSecret');

export const SecretResponse = z.object({ secret: Secret }).openapi('SubscriptionSecret');
