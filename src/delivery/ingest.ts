// Ingest: make the event durable (O(1) work), answer, and fan out after the response.
import type { Env } from '../env';
import { insertEvent, replayOf, IDEMPOTENCY_WINDOW_MS, type EventKeys, type EventSummary, type NewEvent } from '../store/events';
import { legacyKeys, logAt, openShard, rollOver, type Log } from '../store/log-shards';
import { ShardFull } from '../store/shard-db';
import { readMark } from '../store/shared-reads';
import { newId } from '../utils/ids';
import { fanOutPage } from './fan-out';

export interface IncomingEvent {
  /** The application it is sent to: only its subscriptions receive it. */
  application_id: string;
  type: string;
  data: Record<string, unknown>;
  /** `data` exactly as the producer sent it (JSON text); stored instead of a re-serialisation when given. */
  data_json?: string;
  id?: string;
  callback_url?: string;
  /** FIFO subscriptions keep one line per key. */
  ordering_key?: string;
  /** Deliver to this subscription only (test events). */
  target_subscription_id?: string;
}

/** A part that fills while events arrive makes its senders move on; this many times at most. */
const ROLLOVERS_PER_SEND = 3;

/**
 * Stores the event in its application's newest part, in the stripe of its ordering key. A key (or
 * producer id) may already be in another shard: another stripe of the part (a send of the same key
 * with another ordering key), or the part before, when the newest opened less than 24 h ago. A send is
 * a replay there too.
 */
async function store(env: Env, event: NewEvent, keys: EventKeys, nowMs: number): Promise<{ log: Log; result: Awaited<ReturnType<typeof insertEvent>> }> {
  for (let tries = 0; ; tries++) {
    const open = await openShard(env, event.application_id, event.ordering_key ?? null, nowMs);
    const deduped = keys.key !== null || keys.producerId;
    if (deduped) {
      const elsewhere = [...open.siblings, ...(nowMs - open.ref.created_at_ms < IDEMPOTENCY_WINDOW_MS ? open.previous : [])].map((r) => logAt(env, r.name));
      // The first day after the move to shards, a key may still be in D1's old log.
      const old = await legacyKeys(env, IDEMPOTENCY_WINDOW_MS, nowMs);
      if (old) elsewhere.push({ db: old, shard: null });
      const replays = await Promise.all(elsewhere.map((log) => replayOf(log.db, event, keys, nowMs)));
      const at = replays.findIndex((r) => r !== null);
      if (at >= 0) return { log: elsewhere[at]!, result: replays[at]! };
    }
    try {
      return { log: logAt(env, open.ref.name), result: await insertEvent(open.db, event, keys, nowMs) };
    } catch (err) {
      if (!(err instanceof ShardFull) || tries >= ROLLOVERS_PER_SEND) throw err;
      await rollOver(env, open.ref, nowMs);
    }
  }
}

/**
 * Stores the event (deduplicated on `idempotencyKey`, else on the producer's `id`) and, when it is new,
 * starts the fan-out in `waitUntil`. If that never finishes, the cron sweep re-drives it.
 */
export async function ingestEvent(
  env: Env,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  input: IncomingEvent,
  idempotencyKey: string | undefined,
  nowMs = Date.now(),
  bodyHash: string | null = null,
): Promise<{ event: EventSummary; created: boolean; conflict: boolean }> {
  const id = input.id ?? newId('evt', nowMs);
  const event = {
    id,
    application_id: input.application_id,
    type: input.type,
    data: input.data_json ?? JSON.stringify(input.data),
    callback_url: input.callback_url ?? null,
    created_at: new Date(nowMs).toISOString(),
    target_subscription_id: input.target_subscription_id ?? null,
    ordering_key: input.ordering_key ?? null,
    fanout_runs: 1, // its first run starts below, after the response
  };
  // A producer's key, and its own event id, dedupe; an id edgehook makes now is new by construction.
  const keys = { key: idempotencyKey ?? null, producerId: input.id !== undefined, bodyHash };
  const { log, result } = await store(env, event, keys, nowMs);
  if (result.created) {
    const stored = { ...event, fanout_done: 0, fanout_cursor: null, erased_at: null };
    const mark = readMark(); // lists of subscriptions that start from here on see what this event must reach
    // Start after this turn of the event loop, so that the answer goes out before the fan-out's work;
    // the event is the one just stored, so its first page needs no read of it.
    const afterResponse = new Promise((resolve) => setTimeout(resolve, 0));
    ctx.waitUntil(
      afterResponse
        .then(() => fanOutPage(env, log, stored, null, nowMs, mark))
        .catch((err) => console.error(JSON.stringify({ msg: 'fan-out failed; the sweep re-drives it', event_id: id, error: String(err) }))),
    );
  }
  return result;
}
