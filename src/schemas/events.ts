// Event and delivery shapes.
import { z } from '@hono/zod-openapi';
import { EVENT_TYPE_RE } from '../delivery/patterns';
import { jsonDepth } from '../utils/json-depth';

/** Receivers' JSON parsers have stack limits too: keep payloads to a depth every one of them handles. */
export const MAX_DATA_DEPTH = 64;

export const EventCreate = z
  .strictObject({
    type: z.string().min(1).max(128).regex(EVENT_TYPE_RE, 'must be dot-separated words of letters, digits, _ or -').openapi({ example: 'order.updated' }),
    data: z
      .record(z.string(), z.unknown())
      .refine((d) => jsonDepth(d) <= MAX_DATA_DEPTH, `must not nest deeper than ${MAX_DATA_DEPTH} levels`)
      .openapi({ type: 'object', additionalProperties: true, example: { order_id: 'ord_1', status: 'paid' } }),
    id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_:-]+$/, 'may hold letters, digits, _, : and -')
      .optional()
      .openapi({ description: 'Your id for the event (becomes `webhook-id`); the same id again within 24 h is not sent twice' }),
    callback_url: z.string().min(1).max(2048).optional().openapi({ description: 'Called with `event.completed` once every delivery is final' }),
    ordering_key: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: 'For subscriptions with `ordering: "fifo"`: events with the same key are delivered in order, different keys in parallel', example: 'order-1234' }),
  })
  .openapi('EventCreate');

export const EventAccepted = z.object({ id: z.string(), type: z.string(), created_at: z.string() }).openapi('EventAccepted');

export const DeliveryStatus = z.enum(['pending', 'succeeded', 'failed', 'cancelled']);

const ApplicationId = z.string().openapi({ example: 'app_01jd8x0000a1b2c3d4e5f6g7h8', description: 'The application it belongs to (`default` for the built-in one)' });

export const Delivery = z
  .object({
    id: z.string(),
    application_id: ApplicationId,
    event_id: z.string(),
    subscription_id: z.string(),
    status: DeliveryStatus,
    attempt_count: z.number().int(),
    next_attempt_at: z.string().nullable().openapi({
      description:
        'When a pending delivery is next attempted. For one its subscription’s flow control holds (paused, rate-limited, behind a FIFO head), when the sweep next checks on it: it goes when its turn comes, which may be sooner. Null once final.',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Delivery');

export const Attempt = z
  .object({
    id: z.string(),
    at: z.string(),
    status_code: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
    response_excerpt: z.string().nullable().openapi({ description: 'First 4 KiB of the response body' }),
    request_headers: z.record(z.string(), z.string()).nullable().openapi({ description: 'The headers sent (the body is the event envelope)' }),
  })
  .openapi('Attempt');

export const DeliveryWithAttempts = Delivery.extend({ attempts: z.array(Attempt) }).openapi('DeliveryWithAttempts');

export const EventListItem = z
  .object({
    id: z.string(),
    application_id: ApplicationId,
    type: z.string(),
    data: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'null once erased' }),
    created_at: z.string(),
    callback_url: z.string().optional(),
    erased_at: z.string().nullable().openapi({ description: 'When its data was erased (`DELETE …/events/{id}`); null while it is kept' }),
  })
  .openapi('EventListItem');

export const EventQuery = z.object({ type: z.string().max(128).optional().openapi({ description: 'Only events of this type' }) });

export const Event = EventListItem.extend({
  callback: Delivery.nullable().optional().openapi({ description: 'The delivery of the event.completed callback, once claimed' }),
  deliveries: z.array(Delivery),
}).openapi('Event');

export const EventCompleted = z
  .object({
    type: z.literal('event.completed'),
    timestamp: z.string().openapi({ description: 'When the last delivery became final' }),
    data: z.object({
      event_id: z.string(),
      application_id: z.string().openapi({ description: 'The event’s application: its callback secret signs this callback (a receiver shared by several applications picks the key by it)' }),
      deliveries: z.array(
        z.object({
          subscription_id: z.string(),
          status: z.enum(['succeeded', 'failed', 'cancelled']),
          attempts: z.number().int(),
          last_status: z.number().int().nullable().openapi({ description: 'HTTP status of the last attempt; null for a network error or timeout' }),
        }),
      ),
    }),
  })
  .openapi('EventCompleted');

export const DeliveryQuery = z.object({
  event_id: z.string().max(128).optional(),
  subscription_id: z.string().max(128).optional(),
  status: DeliveryStatus.optional(),
  type: z.string().max(128).optional().openapi({ description: "The event's type" }),
});
