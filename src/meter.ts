// A meter of billable operations, for benchmarks: with METER=true (never in production) every handler
// gets its KV binding wrapped so that each call is counted, and GET /__meter answers the counts since
// the last read, and GET /__meter/d1 the database's size. Counts are per isolate; `wrangler dev` runs
// the Worker in one.
import type { Env } from './env';

const counts: Record<string, number> = {};

function counting<T extends object>(name: string, binding: T): T {
  return new Proxy(binding, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${name}.${String(prop)}`;
        counts[key] = (counts[key] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export const meterOn = (env: Env) => env.METER === 'true';

/** The bindings the meter counts, wrapped (KV for now). */
export function metered(env: Env): Env {
  return meterOn(env) ? { ...env, SUBSCRIPTIONS: counting('kv', env.SUBSCRIPTIONS) } : env;
}

/** The counts since the last read, and a fresh start. */
export function readMeter(): Record<string, number> {
  const now = { ...counts };
  for (const k of Object.keys(counts)) delete counts[k];
  return now;
}

/** The database's size as D1 reports it (`meta.size_after`), with the log's row counts. */
export async function d1Size(env: Env): Promise<{ bytes: number; events: number; deliveries: number; attempts: number; idempotency_keys: number }> {
  const r = await env.DB.prepare(
    'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries, (SELECT count(*) FROM attempts) AS attempts, (SELECT count(*) FROM idempotency_keys) AS idempotency_keys',
  ).all<{ events: number; deliveries: number; attempts: number; idempotency_keys: number }>();
  return { bytes: r.meta.size_after ?? 0, ...r.results[0]! };
}
