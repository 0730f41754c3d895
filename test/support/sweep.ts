// Runs the Worker's cron handler at a given time, as the cron trigger would, and waits for it.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';

export async function runSweep(atMs: number, bindings: typeof env = env) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: atMs, cron: '* * * * *' }), bindings, ctx);
  await waitOnExecutionContext(ctx);
}
