import { z } from '@hono/zod-openapi';

export const SecretsKeyStatus = z
  .object({
    key_id: z.string().nullable().openapi({ description: 'The id of SECRETS_KEY, which seals every new value; null when it is not set' }),
    previous_key_id: z.string().nullable().openapi({ description: 'The id of SECRETS_KEY_PREVIOUS, which only opens; null when it is not set' }),
    reseal: z
      .object({
        state: z.enum(['not_started', 'running', 'done']),
        phase: z.enum(['applications', 'subscriptions', 'done']).nullable().openapi({ description: 'What the pass is on: callback secrets, then subscriptions' }),
        resealed: z.number().int().openapi({ description: 'Values sealed again with SECRETS_KEY so far' }),
        unreadable: z.number().int().openapi({ description: 'Values neither key opens (sealed with a key no longer set): left as they are, and they cannot be used' }),
        started_at: z.string().nullable(),
        finished_at: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'The pass of the sweep that seals every stored value again with SECRETS_KEY (for this pair of keys); null without SECRETS_KEY' }),
    previous_key_needed: z.boolean().openapi({ description: 'False once the pass is done: SECRETS_KEY_PREVIOUS can then be removed' }),
  })
  .openapi('SecretsKeyStatus');
