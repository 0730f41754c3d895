// Application and API key shapes.
import { z } from '@hono/zod-openapi';

const Name = z.string().min(1).max(256);
const Uid = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._~-]+$/, 'may hold letters, digits, and . _ ~ -')
  .openapi({ example: 'acme-corp', description: 'Your own id for it, unique; usable wherever the id is. Not starting with `app_`, and none of the reserved words `default`, `operator`, `all`, `any`, `none`, `null`, `me`, `self` (any case).' });
const Metadata = z
  .record(z.string().max(64), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .openapi({ example: { plan: 'enterprise' } });

/** An origin as a browser sends it: scheme, host, optional port; nothing else (it goes into a CSP header). */
const Origin = z
  .string()
  .max(256)
  .regex(/^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be an origin: scheme://host[:port], no path')
  .openapi({ example: 'https://app.acme.example' });

export const PortalSettings = z
  .strictObject({
    allowed_origins: z.array(Origin).max(10).default([]).openapi({ description: 'Origins whose pages may embed the portal in an iframe (`frame-ancestors`); none: it cannot be framed' }),
    theme: z.enum(['light', 'dark', 'auto']).default('auto').openapi({ description: '`auto` follows the customer’s system' }),
    accent_color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb')
      .default('#0550ae')
      .openapi({ description: 'Buttons and links; text on it is black or white, whichever reads better' }),
  })
  .openapi('PortalSettings');

export const ApplicationCreate = z
  .strictObject({ name: Name.openapi({ example: 'Acme Corp' }), uid: Uid.optional(), metadata: Metadata.optional(), portal: PortalSettings.optional() })
  .openapi('ApplicationCreate');

export const ApplicationUpdate = z
  .strictObject({ name: Name.optional(), uid: Uid.nullable().optional().openapi({ description: 'null removes it' }), metadata: Metadata.optional(), portal: PortalSettings.optional().openapi({ description: 'Replaces the portal settings as a whole' }) })
  .openapi('ApplicationUpdate');

export const Application = z
  .object({
    id: z.string().openapi({ example: 'app_01jd8x0000a1b2c3d4e5f6g7h8', description: '`default` for the built-in application' }),
    uid: z.string().nullable(),
    name: z.string(),
    metadata: z.record(z.string(), z.string()),
    portal: PortalSettings,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Application');

export const PortalLinkCreate = z
  .strictObject({
    expires_in: z.number().int().min(1).max(900).default(300).openapi({ description: 'Seconds the link may wait for its one use (default 300, at most 900)' }),
  })
  .openapi('PortalLinkCreate');

export const PortalLink = z
  .object({
    url: z.string().openapi({ example: 'https://edgehook.example/portal/enter?token=ptl_…', description: 'Open it once (a browser tab or an iframe) within `expires_at`; it opens a portal session for this application' }),
    expires_at: z.string(),
  })
  .openapi('PortalLink');

export const ApiKeyCreate = z
  .strictObject({
    name: Name.openapi({ example: 'Acme production' }),
    scope: z.string().min(1).max(128).openapi({ example: 'operator', description: '`operator` (everything), or the id or uid of the one application the key may act on' }),
  })
  .openapi('ApiKeyCreate');

export const ApiKey = z
  .object({
    id: z.string().openapi({ example: 'key_01jd8x0000a1b2c3d4e5f6g7h8' }),
    name: z.string(),
    scope: z.string().openapi({ description: '`operator`, or the id of its application' }),
    created_at: z.string(),
    last_used_at: z.string().nullable().openapi({ description: 'To the minute' }),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export const ApiKeyWithKey = ApiKey.extend({
  key: z.string().openapi({ example: 'ehk_3q2-7wNf0hXrj6Yk4dO9bM1cVtL8sPzA5eRuG0iQyKw', description: 'The key: shown in this answer only, stored as a hash' }),
}).openapi('ApiKeyWithKey');

export const ApiKeyQuery = z.object({ scope: z.string().max(128).optional().openapi({ description: 'Only keys of this scope (`operator` or an application id)' }) });
