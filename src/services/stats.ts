// Delivery stats for an application over a window, from the counters (store/stats), in the API's shape.
import { WINDOWS, type Window } from '../schemas/stats';
import type { Env } from '../env';
import { logSources } from '../store/log-shards';
import { BUCKET_SECONDS, latencyQuantile, statsOverTime, subscriptionSeries, type BucketCounts, type Counts } from '../store/stats';

const EMPTY: Counts = { attempts: 0, succeeded: 0, retrying: 0, failed: 0, cancelled: 0, latency: [] };

export function shaped(c: Counts) {
  return {
    attempts: c.attempts,
    succeeded: c.succeeded,
    retrying: c.retrying,
    failed: c.failed,
    cancelled: c.cancelled,
    success_rate: c.attempts ? c.succeeded / c.attempts : null,
    latency_ms: { p50: latencyQuantile(c.latency, 0.5), p95: latencyQuantile(c.latency, 0.95) },
  };
}

function add(a: Counts, b: Counts): Counts {
  const latency = Array.from({ length: Math.max(a.latency.length, b.latency.length) }, (_, i) => (a.latency[i] ?? 0) + (b.latency[i] ?? 0));
  return { attempts: a.attempts + b.attempts, succeeded: a.succeeded + b.succeeded, retrying: a.retrying + b.retrying, failed: a.failed + b.failed, cancelled: a.cancelled + b.cancelled, latency };
}

/** The window's buckets end with the current 5-minute bucket, aligned to the window's step. */
export function windowRange(window: Window, nowMs: number) {
  const { seconds, step } = WINDOWS[window];
  const to = Math.floor(nowMs / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS + BUCKET_SECONDS;
  const end = Math.ceil(to / step) * step;
  return { from: end - seconds, to: end, step };
}

/** Counters of the same bucket from several places of the log, added up. */
function byBucket(rows: BucketCounts[]): Map<number, BucketCounts> {
  const out = new Map<number, BucketCounts>();
  for (const r of rows) {
    const seen = out.get(r.bucket);
    out.set(r.bucket, seen ? { ...add(seen, r), bucket: r.bucket } : r);
  }
  return out;
}

/** An application's stats live with its log: its shards' counters (and the old log's), added up. */
export async function deliveryStats(
  env: Env,
  q: { application_id: string; window: Window; subscription_id?: string; event_type?: string },
  nowMs = Date.now(),
) {
  const { from, to, step } = windowRange(q.window, nowMs);
  const sources = await logSources(env, q.application_id, nowMs);
  const byStart = byBucket((await Promise.all(sources.map((s) => statsOverTime(s.db, { ...q, from, to, step })))).flat());
  const rows = [...byStart.values()];
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
export async function hourlySeries(env: Env, applicationId: string, nowMs = Date.now()): Promise<Map<string, Series>> {
  const { from, to, step } = windowRange('24h', nowMs);
  const sources = await logSources(env, applicationId, nowMs);
  const out = new Map<string, Series>();
  for (const rows of await Promise.all(sources.map((s) => subscriptionSeries(s.db, { application_id: applicationId, from, to, step })))) {
    for (const [id, buckets] of rows) {
      const series: Series = out.get(id) ?? Array.from({ length: (to - from) / step }, () => ({ attempts: 0, succeeded: 0 }));
      for (const b of buckets) {
        const at = series[(b.bucket - from) / step]!;
        series[(b.bucket - from) / step] = { attempts: at.attempts + b.attempts, succeeded: at.succeeded + b.succeeded };
      }
      out.set(id, series);
    }
  }
  return out;
}
