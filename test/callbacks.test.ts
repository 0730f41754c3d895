// Callbacks for real: event.completed goes to callback_url once every delivery is final, exactly once,
// signed with CALLBACK_SECRET, with the right status for each delivery.
import { createExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { queueCallbackIfComplete } from '../src/delivery/callback';
import worker from '../src/index';
import { apiJson, createSubscription, env, eventually, receiver, sendEvent, settledDelivery, TOKEN } from './support/helpers';
import { queueDrained } from './support/quiet';
import { logDb, shardOf } from './support/log';
import { logAt } from '../src/store/log-shards';

const CALLBACK_SECRET = env.CALLBACK_SECRET!;

describe('callbacks', () => {
  it('POSTs event.completed once, signed, with each delivery’s final status (one failed for good)', async () => {
    const ok = receiver('cb-ok');
    const broken = receiver('cb-broken');
    const callback = receiver('cb-target');
    await broken.script([], { status: 500 });
    const good = await createSubscription(ok.url, ['cb.order']);
    const bad = await createSubscription(broken.url, ['cb.order']);
    const event = await sendEvent('cb.order', { n: 1 }, {}, { callback_url: callback.url });

    const [got] = await eventually(async () => {
      const l = await callback.log();
      return l.length > 0 && l;
    }, 30_000);
    expect(got!.headers['webhook-id']).toBe(`${event.id}_completed`);
    const payload = new Webhook(CALLBACK_SECRET).verify(got!.body, got!.headers) as {
      type: string;
      data: { event_id: string; deliveries: { subscription_id: string; status: string; attempts: number; last_status: number | null }[] };
    };
    expect(payload.type).toBe('event.completed');
    expect(payload.data.event_id).toBe(event.id);
    const bySub = Object.fromEntries(payload.data.deliveries.map((d) => [d.subscription_id, d]));
    expect(bySub[good.id]).toEqual({ subscription_id: good.id, status: 'succeeded', attempts: 1, last_status: 200 });
    expect(bySub[bad.id]).toEqual({ subscription_id: bad.id, status: 'failed', attempts: 4, last_status: 500 });

    const { body } = await apiJson(`/v1/events/${event.id}`);
    expect(body.callback_url).toBe(callback.url);
    await eventually(async () => (await apiJson(`/v1/events/${event.id}`)).body.callback?.status === 'succeeded');
    expect(body.deliveries.map((d: { subscription_id: string }) => d.subscription_id).sort()).toEqual([good.id, bad.id].sort());

    // A redelivery afterwards does not send the callback again.
    const dlv = await settledDelivery(event.id, good.id);
    await apiJson(`/v1/deliveries/${dlv.id}/redeliver`, { method: 'POST' });
    await eventually(async () => (await ok.log()).length === 2);
    await queueDrained([event.id]);
    expect(await callback.log()).toHaveLength(1);
  });

  it('calls back at once for an event no subscription wanted', async () => {
    const callback = receiver('cb-empty');
    const event = await sendEvent('cb.nobody.wants.this', {}, {}, { callback_url: callback.url });
    const [got] = await eventually(async () => {
      const l = await callback.log();
      return l.length > 0 && l;
    });
    expect(new Webhook(CALLBACK_SECRET).verify(got!.body, got!.headers)).toMatchObject({ data: { event_id: event.id, deliveries: [] } });
  });

  it('is claimed exactly once by any number of concurrent consumers', async () => {
    const callback = receiver('cb-race');
    const r = receiver('cb-race-sub');
    const sub = await createSubscription(r.url, ['cb.race']);
    const event = await sendEvent('cb.race', {}, {}, { callback_url: callback.url });
    await settledDelivery(event.id, sub.id);
    await eventually(async () => (await callback.log()).length === 1);
    // Everyone who finished a delivery asks again at once: nobody else wins.
    await (await logDb()).prepare("UPDATE events SET callback_state = NULL WHERE id = ?").bind(event.id).run();
    await (await logDb()).prepare("DELETE FROM deliveries WHERE event_id = ? AND subscription_id = 'callback'").bind(event.id).run();
    const log = logAt(env, await shardOf());
    const wins = await Promise.all(Array.from({ length: 25 }, () => queueCallbackIfComplete(env, log, event.id)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const rows = await (await logDb()).prepare("SELECT count(*) AS n FROM deliveries WHERE event_id = ? AND subscription_id = 'callback'").bind(event.id).first<{ n: number }>();
    expect(rows?.n).toBe(1);
    await eventually(async () => (await callback.log()).length === 2);
    await queueDrained([event.id]);
    expect(await callback.log()).toHaveLength(2);
  });

  it('refuses callback_url when the service has no CALLBACK_SECRET', async () => {
    const res = await worker.fetch(
      new Request('https://edgehook.test/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'cb.off', data: {}, callback_url: 'https://example.com/cb' }),
      }),
      { ...env, CALLBACK_SECRET: undefined },
      createExecutionContext(),
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('callback_url');
  });
});
