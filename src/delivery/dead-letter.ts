// The dead-letter consumer: messages the deliveries consumer could not handle after every queue retry
// (it crashed on them each time). Their delivery fails for good, if the message is of its current
// generation; a message of an older chain changes nothing.
import type { Env } from '../env';
import { markFailed } from '../store/deliveries';
import { logAt } from '../store/log-shards';
import { afterFailure } from './failed';
import type { Task } from './tasks';

export async function consumeDeadLetters(batch: MessageBatch<Task>, env: Env, nowMs = Date.now()): Promise<void> {
  const nowIso = new Date(nowMs).toISOString();
  for (const msg of batch.messages) {
    const task = msg.body;
    try {
      if (task.kind === 'deliver') {
        const log = logAt(env, task.shard);
        const failed = await markFailed(log.db, task.delivery_id, task.generation ?? 0, nowIso);
        if (failed) await afterFailure(env, log, failed, nowMs);
      } else {
        // A fan-out page that kept crashing is left to the sweep, which resumes it from its saved cursor.
        console.error(JSON.stringify({ msg: 'fan-out page dead-lettered; the sweep re-drives it', event_id: task.event_id }));
      }
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ msg: 'dead letter not recorded, will retry', task, error: String(err) }));
      msg.retry();
    }
  }
}
