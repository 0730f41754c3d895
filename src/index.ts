// The Worker: HTTP API, the two queue consumers, and the cron sweep.
import { app } from './app';
import { consumeDeliveries } from './delivery/consumer';
import { consumeDeadLetters } from './delivery/dead-letter';
import { DEAD_LETTER_QUEUE, SLOW_QUEUE } from './delivery/queues';
import { sweep } from './delivery/sweep';
import type { Task } from './delivery/tasks';
import type { Env } from './env';

export { SubscriptionObject } from './objects/subscription-object';

export default {
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (batch.queue === DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env);
    else await consumeDeliveries(batch, env, batch.queue === SLOW_QUEUE ? 'slow' : 'main');
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(sweep(env, controller.scheduledTime).then((report) => console.log(JSON.stringify({ msg: 'sweep', ...report }))));
  },
} satisfies ExportedHandler<Env, Task>;
