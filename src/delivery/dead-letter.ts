// The dead-letter consumer: a delivery that arrives here has used every attempt and is failed for good.
import type { Env } from '../env';
import { markFailed } from '../store/deliveries';
import type { Task } from './tasks';

export async function consumeDeadLetters(batch: MessageBatch<Task>, env: Env, nowMs = Date.now()): Promise<void> {
  const nowIso = new Date(nowMs).toISOString();
  for (const msg of batch.messages) {
    const task = msg.body;
    if (task.kind === 'deliver') await markFailed(env.DB, task.delivery_id, nowIso);
    // A fan-out page that kept crashing is left to the sweep, which re-drives unfinished fan-outs.
    else console.error(JSON.stringify({ msg: 'fan-out page dead-lettered; the sweep re-drives it', event_id: task.event_id }));
    msg.ack();
  }
}
