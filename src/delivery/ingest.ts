// Ingest: make the event durable (O(1) work), answer, and fan out after the response.
import type { Env } from '../env';
import { insertEvent, type EventSummary } from '../store/events';
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
  const result = await insertEvent(env.DB, event, keys, nowMs);
  if (result.created) {
    const stored = { ...event, fanout_done: 0, fanout_cursor: null, erased_at: null };
    const mark = readMark(); // lists of subscriptions that start from here on see what this event must reach
    // Start after this turn of the event loop, so that the answer goes out before the fan-out's work;
    // the event is the one just stored, so its first page needs no read of it.
    const afterResponse = new Promise((resolve) => setTimeout(resolve, 0));
    ctx.waitUntil(
      afterResponse
        .then(() => fanOutPage(env, stored, null, nowMs, mark))
        .catch((err) => console.error(JSON.stringify({ msg: 'fan-out failed; the sweep re-drives it', event_id: id, error: String(err) }))),
    );
  }
  return result;
}
