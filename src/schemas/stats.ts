// GET /v1/stats: delivery outcomes and attempt latency over a window, in time buckets.
import { z } from '@hono/zod-openapi';

export const WINDOWS = { '1h': { seconds: 3600, step: 300 }, '24h': { seconds: 86_400, step: 3600 }, '7d': { seconds: 604_800, step: 21_600 } } as const;
export type Window = keyof typeof WINDOWS;

export const StatsQuery = z.object({
  window: z.enum(['1h', '24h', '7d']).default('24h').openapi({ description: 'How far back: 1 h in 5-minute buckets, 24 h in hours, 7 d in 6-hour buckets' }),
  subscription_id: z.string().min(1).max(128).optional().openapi({ description: 'Only this subscription' }),
  event_type: z.string().min(1).max(200).optional().openapi({ description: 'Only this event type' }),
});

const Latency = z.object({
  p50: z.number().int().nullable().openapi({ description: 'ms; null without attempts' }),
  p95: z.number().int().nullable(),
});

const Counts = {
  attempts: z.number().int(),
  succeeded: z.number().int().openapi({ description: 'Attempts that delivered' }),
  retrying: z.number().int().openapi({ description: 'Attempts that failed, with another scheduled' }),
  failed: z.number().int().openapi({ description: 'Attempts that failed for good (retries used up, or 410 Gone)' }),
  cancelled: z.number().int().openapi({ description: 'Deliveries their transformation cancelled: nothing was sent' }),
  success_rate: z.number().nullable().openapi({ description: 'succeeded / attempts; null without attempts' }),
  latency_ms: Latency,
};

export const StatsBucket = z.object({ start: z.string().openapi({ format: 'date-time' }), ...Counts }).openapi('StatsBucket');

export const Stats = z
  .object({
    application_id: z.string(),
    window: z.enum(['1h', '24h', '7d']),
    bucket_seconds: z.number().int(),
    from: z.string().openapi({ format: 'date-time' }),
    to: z.string().openapi({ format: 'date-time' }),
    subscription_id: z.string().nullable(),
    event_type: z.string().nullable(),
    totals: z.object(Counts),
    buckets: z.array(StatsBucket).openapi({ description: 'Every bucket of the window, oldest first (empty ones with zeros)' }),
  })
  .openapi('Stats', {
    description: 'Answered from counters the consumer keeps as it records attempts (5-minute resolution), never by scanning the attempts.',
  });
