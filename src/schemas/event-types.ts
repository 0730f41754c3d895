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
        description:
          "JSON Schema (draft 2020-12) of the events' `data`. Its `examples` (each must match it) are shown in the API reference (`/docs`) as the payload receivers get; without any, one is made from the schema. `pattern` and `patternProperties` run on a linear-time engine (RE2: no lookaround, no backreferences; `\\s` and `\\w` are ASCII); a pattern it cannot run is refused, and so is a `$ref` that loops back without descending into the data.",
        example: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' }, amount: { type: 'integer' } }, examples: [{ order_id: 'ord_1042', amount: 2500 }] },
      }),
  })
  .openapi('EventTypeCreate');

export const EventType = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    schema: z.record(z.string(), z.unknown()).nullable().openapi({ type: 'object', additionalProperties: true }),
    schema_problem: z.string().nullable().openapi({
      description: 'null while the schema is enforced. Otherwise why it is not: a schema registered before a check it fails now (a pattern the linear-time engine cannot run, a `$ref` loop) is listed here and not enforced until the type is registered again.',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('EventType');
