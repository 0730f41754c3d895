// An event answered 202 is never lost: a crashed or lost waitUntil fan-out is re-driven by the cron sweep.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { insertEvent } from '../src/store/events';
import { createSubscription, env, eventually, receiver, settledDelivery, TOKEN } from './support/helpers';

function postEvent(type: string) {
  return new Request('https://edgehook.test/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type, data: { n: 1 } }),
  });
}

async function runSweep(atMs: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: atMs, cron: '* * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function fanoutRow(id: string) {
  return env.DB.prepare('SELECT fanout_done, fanout_runs FROM events WHERE id = ?').bind(id).first<{ fanout_done: number; fanout_runs: number }>();
}

describe('sweep', () => {
  it('delivers an event whose waitUntil fan-out threw', async () => {
    const r = receiver('sweep-throw');
    const sub = await createSubscription(r.url, ['sweep.throw']);
    // The queue binding fails under the fan-out, as a platform outage would.
    const broken = {
      ...env,
      DELIVERIES: {
        send: () => Promise.reject(new Error('queue unavailable')),
        sendBatch: () => Promise.reject(new Error('queue unavailable')),
      },
    } as unknown as typeof env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(postEvent('sweep.throw'), broken, ctx);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await waitOnExecutionContext(ctx);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 0, fanout_runs: 1 });
    expect(await r.log()).toEqual([]);

    // Within the grace period the sweep leaves it alone; after it, the sweep re-drives it.
    await runSweep(Date.now());
    expect((await fanoutRow(id))?.fanout_runs).toBe(1);
    await runSweep(Date.now() + 120_000);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 1, fanout_runs: 2 });
    await settledDelivery(id, sub.id);
    expect((await r.log()).map((l) => l.headers['webhook-id'])).toEqual([id]);
  });

  it('delivers an event whose waitUntil never ran', async () => {
    const r = receiver('sweep-lost');
    const sub = await createSubscription(r.url, ['sweep.lost']);
    // What a request leaves behind when the isolate dies right after its response: the stored event only.
    const now = Date.now();
    const id = `evt_lost${now}`;
    const stored = await insertEvent(env.DB, { id, type: 'sweep.lost', data: '{"n":1}', callback_url: null, created_at: new Date(now).toISOString() }, `id:${id}`, now);
    expect(stored.created).toBe(true);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 0, fanout_runs: 0 });

    await runSweep(now + 120_000);
    await settledDelivery(id, sub.id);
    await eventually(async () => (await r.log()).length === 1);
    // A second sweep finds nothing left to do and sends nothing again.
    await runSweep(now + 240_000);
    await new Promise((ok) => setTimeout(ok, 1500));
    expect(await r.log()).toHaveLength(1);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 1, fanout_runs: 1 });
  });

  it('purges idempotency keys older than 24 h', async () => {
    const old = Date.now() - 25 * 3600_000;
    await env.DB.prepare('INSERT INTO idempotency_keys (key, event_id, created_at_ms) VALUES (?, ?, ?)').bind('key:old', 'evt_x', old).run();
    await runSweep(Date.now());
    expect(await env.DB.prepare("SELECT key FROM idempotency_keys WHERE key = 'key:old'").first()).toBeNull();
  });
});
