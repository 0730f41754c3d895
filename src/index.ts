// The Worker: HTTP API, the two queue consumers, and the cron sweep.
import { app } from './app';
import { consumeDeliveries } from './delivery/consumer';
import { consumeDeadLetters } from './delivery/dead-letter';
import { DEAD_LETTER_QUEUE, SLOW_QUEUE } from './delivery/queues';
import { sweep } from './delivery/sweep';
import type { Task } from './delivery/tasks';
import type { Env } from './env';
import { countInvocation, d1Size, metered, meterOn, readMeter } from './meter';
import { logUnhandledRejections } from './utils/unhandled-rejections';

export { LogShard } from './objects/log-shard';
export { SubscriptionObject } from './objects/subscription-object';

logUnhandledRejections();

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (meterOn(env) && !new URL(request.url).pathname.startsWith('/__meter')) countInvocation(env, 'fetch');
    if (meterOn(env) && new URL(request.url).pathname === '/__meter') return Response.json(readMeter());
    if (meterOn(env) && new URL(request.url).pathname === '/__meter/d1') return d1Size(env).then((size) => Response.json(size));
    return app.fetch(request, metered(env), ctx);
  },
  async queue(batch, env, _ctx) {
    countInvocation(env, 'queue');
    env = metered(env);
    if (batch.queue === DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env);
    else await consumeDeliveries(batch, env, batch.queue === SLOW_QUEUE ? 'slow' : 'main');
  },
  async scheduled(controller, env, ctx) {
    countInvocation(env, 'scheduled');
    ctx.waitUntil(sweep(metered(env), controller.scheduledTime).then((report) => console.log(JSON.stringify({ msg: 'sweep', ...report }))));
  },
} satisfies ExportedHandler<Env, Task>;
