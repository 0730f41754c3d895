// Delivery stats for an application over a window, from the counters (store/stats), in the API's shape.
import { WINDOWS, type Window } from '../schemas/stats';
import { BUCKET_SECONDS, latencyQuantile, statsOverTime, subscriptionSeries, type Counts } from '../store/stats';

const EMPTY: Counts = { attempts: 0, succeeded: 0, retrying: 0, failed: 0, latency: [] };

export function shaped(c: Counts) {
  return {
    attempts: c.attempts,
    succeeded: c.succeeded,
    retrying: c.retrying,
    failed: c.failed,
    success_rate: c.attempts ? c.succeeded / c.attempts : null,
    latency_ms: { p50: latencyQuantile(c.latency, 0.5), p95: latencyQuantile(c.latency, 0.95) },
  };
}

function add(a: Counts, b: Counts): Counts {
  const latency = Array.from({ length: Math.max(a.latency.length, b.latency.length) }, (_, i) => (a.latency[i] ?? 0) + (b.latency[i] ?? 0));
  return { attempts: a.attempts + b.attempts, succeeded: a.succeeded + b.succeeded, retrying: a.retrying + b.retrying, failed: a.failed + b.failed, latency };
}

/** The window's buckets end with the current 5-minute bucket, aligned to the window's step. */
export function windowRange(window: Window, nowMs: number) {
  const { seconds, step } = WINDOWS[window];
  const to = Math.floor(nowMs / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS + BUCKET_SECONDS;
  const end = Math.ceil(to / step) * step;
  return { from: end - seconds, to: end, step };
}

export async function deliveryStats(
  db: D1Database,
  q: { application_id: string; window: Window; subscription_id?: string; event_type?: string },
  nowMs = Date.now(),
) {
  const { from, to, step } = windowRange(q.window, nowMs);
  const rows = await statsOverTime(db, { ...q, from, to, step });
  const byStart = new Map(rows.map((r) => [r.bucket, r]));
  const buckets = Array.from({ length: (to - from) / step }, (_, i) => {
    const start = from + i * step;
    return { start: new Date(start * 1000).toISOString(), ...shaped(byStart.get(start) ?? EMPTY) };
  });
  return {
    application_id: q.application_id,
    window: q.window,
    bucket_seconds: step,
    from: new Date(from * 1000).toISOString(),
    to: new Date(to * 1000).toISOString(),
    subscription_id: q.subscription_id ?? null,
    event_type: q.event_type ?? null,
    totals: shaped(rows.reduce(add, EMPTY)),
    buckets,
  };
}

/** What the stats say of an application over a window (GET …/stats). */
export type DeliveryStats = Awaited<ReturnType<typeof deliveryStats>>;

/** Attempts and successes per bucket, oldest first (a sparkline's data). */
export type Series = { attempts: number; succeeded: number }[];

/** A share as the pages show it: `83.3 %`, or `–` without attempts. */
export const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10} %`);

/** Per subscription of an application, its attempts and successes in each of the last 24 hours (for sparklines). */
export async function hourlySeries(db: D1Database, applicationId: string, nowMs = Date.now()): Promise<Map<string, Series>> {
  const { from, to, step } = windowRange('24h', nowMs);
  const rows = await subscriptionSeries(db, { application_id: applicationId, from, to, step });
  const out = new Map<string, Series>();
  for (const [id, buckets] of rows) {
    const series: Series = Array.from({ length: (to - from) / step }, () => ({ attempts: 0, succeeded: 0 }));
    for (const b of buckets) series[(b.bucket - from) / step] = { attempts: b.attempts, succeeded: b.succeeded };
    out.set(id, series);
  }
  return out;
}
