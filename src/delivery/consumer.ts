// The delivery queues' consumer (main lane and slow lane). The log is the truth and the queue only schedules:
// a message attempts its delivery only while it is pending at the message's generation; each recorded
// attempt moves the generation on, and a retry is a new message of the new generation. A duplicate or
// late message of a chain that moved on is acked and sends nothing.
import pLimit from 'p-limit';
import { settings, type Settings } from '../config';
import { meterTime } from '../meter';
import type { Env } from '../env';
import { recordAttempts, type AttemptRecord } from '../store/attempts';
import { hasEarlierPending, loadForDispatch, markFailed, type DispatchRow } from '../store/deliveries';
import { failureRunStatements, markSlow, type HealthRow } from '../store/health';
import { earlierShardOf, logAt, type Log } from '../store/log-shards';
import { disableSubscription, readSubscription, settleDelivery } from '../store/subscription-writes';
import { CALLBACK_SUBSCRIPTION } from '../store/callbacks';
import { getSubscriptions, hasFlowControl, type StoredSubscription } from '../store/subscriptions';
import { isCallback, queueCallbackIfComplete } from './callback';
import { deliver } from './deliver';
import { enqueueDeliveries, type QueueItem } from './enqueue';
import { afterFailure } from './failed';
import { fanOut } from './fan-out';
import { failureRuns, watchHealth } from './health-watch';
import { emitDisabled } from './operational';
import { admit, type Go } from './leases';
import type { Clock, Outcome } from './retry-policy';
import { resolveTarget } from './target';
import { DYNAMIC_WORKERS_PER_REQUEST, runTransformation } from './transformation';
import type { Task } from './tasks';

export const systemClock: Clock = { now: () => Date.now(), random: () => Math.random() };

export type Lane = 'main' | 'slow';

/** FIFO across a rollover: an earlier event of the lane may still have a delivery pending in the part before. */
async function pendingInPartBefore(env: Env, log: Log, row: DispatchRow): Promise<boolean> {
  const before = log.shard === null ? null : await earlierShardOf(env, log.shard, row.ordering_key);
  return before !== null && (await hasEarlierPending(before.db, row));
}

interface Context {
  env: Env;
  /** The place of the log this group of messages is about (one shard, or D1's log from before shards). */
  log: Log;
  config: Settings;
  clock: Clock;
  lane: Lane;
  /** The batch's attempts on the wire take turns, across its groups: as many at a time as the runtime lets wait for headers. */
  onTheWire: ReturnType<typeof pLimit>;
  /** The batch's transformations take turns too: one invocation may have only so many Dynamic Workers in flight. */
  transforms: ReturnType<typeof pLimit>;
}

interface Sent {
  msg: Message<Task>;
  row: DispatchRow;
  outcome: Outcome;
  record: AttemptRecord;
  /** Its subscription delivers in order (FIFO): a final outcome frees its lane. */
  fifo: boolean;
}

/** A delivery reached a final state: the event's callback may now be due. */
async function finalised(ctx: Context, row: DispatchRow): Promise<void> {
  if (row.callback_url && !isCallback(row)) await queueCallbackIfComplete(ctx.env, ctx.log, row.event_id, ctx.clock.now());
}

const isSlow = (ctx: Context, row: DispatchRow) => row.slow_until !== null && row.slow_until > new Date(ctx.clock.now()).toISOString();

/** What follows an attempt whose state change was recorded. Retries are returned, to be queued together. */
async function settle(ctx: Context, s: Sent, generation: number): Promise<QueueItem | null> {
  const { env, clock } = ctx;
  const { row, outcome } = s;
  // A FIFO lane's delivery in flight that became final frees its lane (a retry keeps it: it keeps its place).
  if (outcome.kind !== 'retry' && s.fifo) await settleDelivery(env, row.subscription_id, row.id);
  switch (outcome.kind) {
    case 'succeeded':
    case 'cancelled':
      await finalised(ctx, row);
      return null;
    case 'retry':
      // Callbacks share one pseudo-subscription: one slow callback URL must not slow every callback down.
      if (outcome.slow && !isCallback(row)) await markSlow(ctx.log.db, row.subscription_id, new Date(clock.now() + ctx.config.slowLaneMs).toISOString());
      // A receiver that hangs waits its timeouts out in the slow lane, not in front of everyone else.
      return { id: row.id, subscription_id: row.subscription_id, generation, delaySeconds: outcome.delaySeconds, slow: (outcome.slow && !isCallback(row)) || isSlow(ctx, row) };
    case 'disable':
      if (!isCallback(row)) await emitDisabled(env, await disableSubscription(env, row.subscription_id, clock.now()), 'gone', clock.now());
      await finalised(ctx, row);
      return null;
    case 'exhausted':
      await afterFailure(env, ctx.log, row, clock.now());
      return null;
  }
}

/** Nothing to send (subscription deleted or disabled, callbacks off): the delivery fails, if still current. */
async function skip(ctx: Context, row: DispatchRow): Promise<void> {
  if (await markFailed(ctx.log.db, row.id, row.generation, new Date(ctx.clock.now()).toISOString())) await finalised(ctx, row);
}

/**
 * A batch's messages, a group per place of the log they name (each shard is read once and written once
 * per batch), the groups side by side.
 */
export async function consumeDeliveries(batch: MessageBatch<Task>, env: Env, lane: Lane = 'main', clock: Clock = systemClock): Promise<void> {
  const config = settings(env);
  const onTheWire = pLimit(config.maxConcurrentAttempts);
  const transforms = pLimit(DYNAMIC_WORKERS_PER_REQUEST);
  const groups = Map.groupBy(batch.messages, (m) => m.body.shard ?? '');
  await Promise.all([...groups].map(([shard, messages]) => consumeGroup(messages, { env, log: logAt(env, shard), config, clock, lane, onTheWire, transforms })));
}

async function consumeGroup(messages: readonly Message<Task>[], ctx: Context): Promise<void> {
  const { env, log, clock, lane } = ctx;
  let phase = Date.now(); // with METER=true, where the batch's time goes: reading, sending, recording
  const delivers = messages.flatMap((m) => (m.body.kind === 'deliver' ? [m.body] : []));
  const deliveryIds = delivers.map((d) => d.delivery_id);
  let rows: Map<string, DispatchRow>;
  let subs: Map<string, StoredSubscription>;
  // Flow control asked early, while the log is read, for subscriptions without FIFO (FIFO needs the log's order).
  const early = new Map<string, { generation: number; verdict: Promise<Go | 'hold' | 'stale' | null> }>();
  try {
    // The messages name their subscriptions: read those from KV while D1 reads the deliveries.
    const hinted = [...new Set(delivers.flatMap((d) => (d.subscription_id && d.subscription_id !== CALLBACK_SUBSCRIPTION ? [d.subscription_id] : [])))];
    const fromKv = (hinted.length ? getSubscriptions(env.SUBSCRIPTIONS, hinted) : Promise.resolve(new Map<string, StoredSubscription>())).then((found) => {
      for (const d of delivers) {
        const sub = d.subscription_id ? found.get(d.subscription_id) : undefined;
        if (!sub || !hasFlowControl(sub) || sub.ordering === 'fifo' || early.has(d.delivery_id)) continue;
        const generation = d.generation ?? 0;
        const verdict = admit(env, sub.id, { delivery_id: d.delivery_id, generation, lane: '', seq: d.delivery_id, mayWait: lane === 'slow', shard: log.shard }, !d.released).catch(() => null);
        early.set(d.delivery_id, { generation, verdict });
      }
      return found;
    });
    const [loaded, found] = await Promise.all([deliveryIds.length ? loadForDispatch(log.db, deliveryIds) : new Map<string, DispatchRow>(), fromKv]);
    rows = loaded;
    // Callbacks belong to no stored subscription: a batch of only callbacks reads nothing from KV.
    const missing = [...new Set([...rows.values()].flatMap((r) => (isCallback(r) || found.has(r.subscription_id) ? [] : [r.subscription_id])))];
    subs = missing.length ? new Map([...found, ...(await getSubscriptions(env.SUBSCRIPTIONS, missing))]) : found;
    // KV is a cache: a copy missing there (not yet replicated to this location, or lost) is asked of the
    // subscription's object, its one writer, before anything is taken for a deletion.
    const unknown = missing.filter((id) => !subs.has(id));
    for (const sub of await Promise.all(unknown.map((id) => readSubscription(env, id)))) if (sub) subs.set(sub.id, sub);
  } catch (err) {
    console.error(JSON.stringify({ msg: 'could not load the batch, will retry it', shard: log.shard, error: String(err) }));
    for (const m of messages) m.retry();
    return;
  }

  phase = meterTime(env, 'consumer.load_ms', phase);
  // Every task of the batch runs at once: a slow receiver holds up nobody else's attempt. Only the
  // attempts on the wire take turns, as many at a time as the runtime lets wait for response headers.
  const { onTheWire } = ctx;
  const sent: Sent[] = [];
  const taken = new Set<string>(); // two messages of one delivery in a batch make one attempt
  await Promise.all(
    messages.map(async (msg) => {
      const task = msg.body;
      try {
        if (task.kind === 'fanout') {
          await fanOut(env, log, task.event_id, task.cursor);
          msg.ack();
          return;
        }
        const row = rows.get(task.delivery_id);
        if (!row || row.status !== 'pending' || row.generation !== (task.generation ?? 0) || taken.has(row.id)) {
          // Gone, final, or a message of a chain that has moved on: nothing to send (and nothing to keep waiting).
          const asked = early.get(task.delivery_id);
          if (asked && !taken.has(task.delivery_id) && (await asked.verdict) === 'hold') await settleDelivery(env, task.subscription_id!, task.delivery_id);
          // A final delivery of a FIFO subscription frees its lane, if it still holds it (its consumer may have
          // died between recording it and settling it; the object sends it again to ask).
          else if (row && row.status !== 'pending' && subs.get(row.subscription_id)?.ordering === 'fifo') await settleDelivery(env, row.subscription_id, row.id);
          msg.ack();
          return;
        }
        taken.add(row.id);
        if (lane === 'main' && isSlow(ctx, row)) {
          // Its receiver hung lately (perhaps in this very batch's predecessor): move it out of everyone's way.
          await enqueueDeliveries(env, log, [{ id: row.id, subscription_id: row.subscription_id, generation: row.generation, slow: true }], clock.now());
          msg.ack();
          return;
        }
        const sub = subs.get(row.subscription_id) ?? null;
        let lentUntil: number | undefined;
        const resolved = await resolveTarget(row, sub, env, clock.now());
        if ('skip' in resolved) {
          await skip(ctx, row);
          if (sub && (hasFlowControl(sub) || early.has(row.id))) await settleDelivery(env, sub.id, row.id); // it leaves its lane, or stops waiting
          msg.ack();
          return;
        }
        // Flow control, where the subscription has any: its object says whether this attempt may go now.
        // Held, the delivery waits there and comes back through the queue; the message's work is done.
        if (sub && hasFlowControl(sub)) {
          const fifo = sub.ordering === 'fifo';
          const asked = early.get(row.id);
          let verdict = asked && !fifo && asked.generation === row.generation ? await asked.verdict : null;
          if (verdict === null) {
            // FIFO lanes hold by the order events were stored; the others by delivery id (creation order).
            const earlier = fifo && ((await hasEarlierPending(log.db, row)) || (await pendingInPartBefore(env, log, row)));
            const arrival = { delivery_id: row.id, generation: row.generation, lane: fifo ? (row.ordering_key ?? '') : '', seq: fifo ? row.event_seq : row.id, earlier, mayWait: ctx.lane === 'slow', shard: log.shard };
            verdict = await admit(env, sub.id, arrival, !fifo && !task.released);
          }
          if (typeof verdict !== 'object') {
            msg.ack();
            return;
          }
          const wait = verdict.go - Date.now(); // the rate limit's slot for it
          if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
          lentUntil = verdict.by;
        }
        const attempt = row.chain_attempts + 1;
        // A lent attempt that waited for the wire past its lease does not go: it is queued again, to ask anew.
        const done = await onTheWire(() => (lentUntil !== undefined && Date.now() > lentUntil ? null : deliver(row, resolved.target, attempt, { settings: ctx.config, clock, transform: (isolate, module, input) => ctx.transforms(() => runTransformation(env, isolate, module, input)), cancellable: log.shard !== null })));
        if (!done) {
          await enqueueDeliveries(env, log, [{ id: row.id, subscription_id: row.subscription_id, generation: row.generation, slow: lane === 'slow' }], clock.now());
          msg.ack();
          return;
        }
        sent.push({ msg, row, fifo: sub?.ordering === 'fifo', ...done });
      } catch (err) {
        console.error(JSON.stringify({ msg: 'task failed, will retry', task, error: String(err) }));
        msg.retry();
      }
    }),
  );

  phase = meterTime(env, 'consumer.send_ms', phase);
  // The group's attempts go to its shard in one transaction; only then is anything acked.
  // With them, each subscription's run of failures (callbacks have no subscription to watch).
  // A cancelled delivery says nothing of the receiver's health: it is left out of the runs.
  const runs = failureRuns(sent.flatMap((s) => (isCallback(s.row) || s.outcome.kind === 'cancelled' ? [] : [{ subscription_id: s.row.subscription_id, ok: s.outcome.kind === 'succeeded' }])));
  let applied: Map<string, number>;
  let health: HealthRow[];
  try {
    const recorded = await recordAttempts(log.db, sent.map((s) => s.record), failureRunStatements(log.db, runs));
    applied = recorded.applied;
    health = recorded.alongside.flatMap((r) => r.results as HealthRow[]);
  } catch (err) {
    console.error(JSON.stringify({ msg: 'could not record the attempts, will retry them', error: String(err) }));
    for (const s of sent) s.msg.retry();
    return;
  }
  const retries: QueueItem[] = [];
  await Promise.all(
    sent.map(async (s) => {
      const generation = applied.get(s.row.id);
      if (generation === undefined) return; // another message of the delivery moved its chain on meanwhile
      try {
        const retry = await settle(ctx, s, generation);
        if (retry) retries.push(retry);
      } catch (err) {
        // The attempt and the delivery's state are recorded; what is left undone (a callback, a disable) is logged.
        console.error(JSON.stringify({ msg: 'after the attempt, a follow-up failed', delivery_id: s.row.id, error: String(err) }));
      }
    }),
  );
  try {
    await enqueueDeliveries(env, log, retries, clock.now());
  } catch (err) {
    // Recorded as due at their retry time: the sweep queues them once they are overdue.
    console.error(JSON.stringify({ msg: 'could not queue the retries; the sweep will', count: retries.length, error: String(err) }));
  }
  for (const s of sent) s.msg.ack();
  meterTime(env, 'consumer.record_ms', phase);
  if (health.length > 0) {
    // Failing episodes start and end here; their webhooks are events of their own (a failure is logged).
    await watchHealth(env, log.db, ctx.config, health, subs, clock.now()).catch((err) =>
      console.error(JSON.stringify({ msg: 'failing episodes not updated', error: String(err) })),
    );
  }
}
