// The cron sweep: re-drives fan-outs that a lost or crashed waitUntil left unfinished.
import { settings } from '../config';
import type { Env } from '../env';
import { unqueuedDeliveries } from '../store/deliveries';
import { purgeIdempotencyKeys, unfinishedFanouts } from '../store/events';
import { enqueueDeliveries } from './enqueue';
import { fanOut } from './fan-out';

const EVENTS_PER_SWEEP = 50;

export interface SweepReport {
  redriven: number;
  requeued: number;
  failed: number;
  purged_keys: number;
}

export async function sweep(env: Env, nowMs = Date.now()): Promise<SweepReport> {
  const graceMs = settings(env).sweepGraceSeconds * 1000;
  const ids = await unfinishedFanouts(env.DB, new Date(nowMs - graceMs).toISOString(), EVENTS_PER_SWEEP);
  const results = await Promise.allSettled(ids.map((id) => fanOut(env, id, undefined, nowMs)));
  const failed = results.filter((r) => r.status === 'rejected');
  for (const r of failed) console.error(JSON.stringify({ msg: 'sweep fan-out failed', error: String((r as PromiseRejectedResult).reason) }));
  // Deliveries created but never queued (a callback claimed by an isolate that died, for one).
  const stranded = await unqueuedDeliveries(env.DB, new Date(nowMs - graceMs).toISOString(), 500);
  await enqueueDeliveries(env, stranded, nowMs);
  const purged = await purgeIdempotencyKeys(env.DB, nowMs);
  return { redriven: ids.length - failed.length, requeued: stranded.length, failed: failed.length, purged_keys: purged };
}
