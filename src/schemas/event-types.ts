// Event type shapes.
import { z } from '@hono/zod-openapi';
import { EVENT_TYPE_RE } from '../delivery/patterns';

export const EventTypeName = z.string().min(1).max(128).regex(EVENT_TYPE_RE, 'must be dot-separated words of letters, digits, _ or -');

export const EventTypeCreate = z
  .strictObject({
    name: EventTypeName.openapi({ example: 'order.paid' }),
    description: z.string().max(1024).optional(),
    schema: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        type: 'object',
        additionalProperties: true,
        description: "JSON Schema (draft 2020-12) of the events' `data`. Its `examples` (each must match it) are shown in the API reference (`/docs`) as the payload receivers get; without any, one is made from the schema.",
        example: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' }, amount: { type: 'integer' } }, examples: [{ order_id: 'ord_1042', amount: 2500 }] },
      }),
  })
  .openapi('EventTypeCreate');

export const EventType = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    schema: z.record(z.string(), z.unknown()).nullable().openapi({ type: 'object', additionalProperties: true }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('EventType');
