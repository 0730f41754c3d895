// The delivery queues' consumer (main lane and slow lane): maps each task's outcome to ack() or
// retry(), and never acks after a failure.
import pLimit from 'p-limit';
import { settings, type Settings } from '../config';
import type { Env } from '../env';
import { loadForDispatch, markFailed, type DispatchRow } from '../store/deliveries';
import { recordAttempts, type AttemptRecord } from '../store/attempts';
import { markSlow } from '../store/health';
import { disableSubscription, getSubscriptions, type StoredSubscription } from '../store/subscriptions';
import { isCallback, queueCallbackIfComplete } from './callback';
import { deliver, type TaskOutcome } from './deliver';
import { fanOut } from './fan-out';
import type { Clock } from './retry-policy';
import { resolveTarget } from './target';
import type { Task } from './tasks';

export const systemClock: Clock = { now: () => Date.now(), random: () => Math.random() };

export type Lane = 'main' | 'slow';

interface Context {
  env: Env;
  config: Settings;
  clock: Clock;
  lane: Lane;
}

/** A delivery reached a final state: the event's callback may now be due. */
async function finalised(ctx: Context, row: DispatchRow): Promise<void> {
  if (row.callback_url && !isCallback(row)) await queueCallbackIfComplete(ctx.env, row.event_id, ctx.clock.now());
}

async function settle(ctx: Context, msg: Message<Task>, row: DispatchRow, attempt: number, outcome: TaskOutcome): Promise<void> {
  const { env, clock } = ctx;
  const nowIso = new Date(clock.now()).toISOString();
  switch (outcome.kind) {
    case 'succeeded':
      await finalised(ctx, row);
      msg.ack();
      return;
    case 'retry':
      // Callbacks share one pseudo-subscription: one slow callback URL must not slow every callback down.
      if (outcome.slow && !isCallback(row)) await markSlow(env.DB, row.subscription_id, new Date(clock.now() + ctx.config.slowLaneMs).toISOString());
      if (outcome.slow && ctx.lane === 'main') {
        // A receiver that hangs waits its timeouts out in the slow lane, not in front of everyone else.
        await env.SLOW_DELIVERIES.send({ kind: 'deliver', delivery_id: row.id, prior_attempts: attempt }, { delaySeconds: outcome.delaySeconds });
        msg.ack();
      } else {
        msg.retry({ delaySeconds: outcome.delaySeconds });
      }
      return;
    case 'disable':
      if (!isCallback(row)) await disableSubscription(env.SUBSCRIPTIONS, row.subscription_id, nowIso);
      await finalised(ctx, row);
      msg.ack();
      return;
    case 'exhausted':
      // The dead-letter consumer marks it failed: one place decides that a delivery is lost for good.
      await env.DEAD_LETTERS.send(msg.body);
      msg.ack();
      return;
    case 'skipped':
      if (outcome.reason !== 'already succeeded') {
        await markFailed(env.DB, row.id, nowIso);
        await finalised(ctx, row);
      }
      msg.ack();
      return;
  }
}

export async function consumeDeliveries(batch: MessageBatch<Task>, env: Env, lane: Lane = 'main', clock: Clock = systemClock): Promise<void> {
  const ctx: Context = { env, config: settings(env), clock, lane };
  const deliveryIds = batch.messages.flatMap((m) => (m.body.kind === 'deliver' ? [m.body.delivery_id] : []));
  let rows: Map<string, DispatchRow>;
  let subs: Map<string, StoredSubscription>;
  try {
    rows = deliveryIds.length ? await loadForDispatch(env.DB, deliveryIds) : new Map();
    // Callbacks belong to no stored subscription: a batch of only callbacks reads nothing from KV.
    const subscriptionIds = new Set([...rows.values()].flatMap((r) => (isCallback(r) ? [] : [r.subscription_id])));
    subs = await getSubscriptions(env.SUBSCRIPTIONS, [...subscriptionIds]);
  } catch (err) {
    console.error(JSON.stringify({ msg: 'could not load the batch, will retry it', error: String(err) }));
    batch.retryAll();
    return;
  }

  // Every task of the batch runs at once: a slow receiver holds up nobody else's attempt. Only the
  // attempts on the wire take turns, as many at a time as the runtime lets wait for response headers.
  const onTheWire = pLimit(ctx.config.maxConcurrentAttempts);
  const sent: { msg: Message<Task>; row: DispatchRow; attempt: number; outcome: TaskOutcome; record: AttemptRecord | null }[] = [];
  await Promise.all(
    batch.messages.map(async (msg) => {
      const task = msg.body;
      try {
        if (task.kind === 'fanout') {
          await fanOut(env, task.event_id, task.cursor);
          msg.ack();
          return;
        }
        const row = rows.get(task.delivery_id);
        if (!row) {
          msg.ack(); // the delivery no longer exists
          return;
        }
        const attempt = (task.prior_attempts ?? 0) + msg.attempts;
        if (lane === 'main' && row.slow_until !== null && row.slow_until > new Date(clock.now()).toISOString()) {
          // Its receiver hung lately (perhaps in this very batch's predecessor): move it out of everyone's way.
          await env.SLOW_DELIVERIES.send({ kind: 'deliver', delivery_id: row.id, prior_attempts: attempt - 1 });
          msg.ack();
          return;
        }
        const resolved = resolveTarget(row, subs.get(row.subscription_id) ?? null, env, clock.now());
        sent.push({ msg, row, attempt, ...(await onTheWire(() => deliver(row, resolved, attempt, { settings: ctx.config, clock }))) });
      } catch (err) {
        console.error(JSON.stringify({ msg: 'task failed, will retry', task, error: String(err) }));
        msg.retry();
      }
    }),
  );

  // The batch's attempts go to D1 in one transaction; only then is anything acked.
  try {
    await recordAttempts(env.DB, sent.flatMap((s) => (s.record ? [s.record] : [])));
  } catch (err) {
    console.error(JSON.stringify({ msg: 'could not record the attempts, will retry them', error: String(err) }));
    for (const s of sent) s.msg.retry();
    return;
  }
  await Promise.all(
    sent.map(async (s) => {
      try {
        await settle(ctx, s.msg, s.row, s.attempt, s.outcome);
      } catch (err) {
        console.error(JSON.stringify({ msg: 'task failed, will retry', delivery_id: s.row.id, error: String(err) }));
        s.msg.retry();
      }
    }),
  );
}
