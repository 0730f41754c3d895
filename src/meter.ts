// A meter of billable operations, for benchmarks: with METER=true (never in production) every handler
// gets its KV binding wrapped so that each call is counted, and GET /__meter answers the counts since
// the last read. Counts are per isolate; `wrangler dev` runs the Worker in one.
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
