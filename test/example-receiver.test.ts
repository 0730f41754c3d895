// The example receiver Worker end to end with the service: a delivery verifies and is recorded once,
// even when it is delivered twice; a forged one is refused.
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { apiJson, createSubscription, eventually, sendEvent, settledDelivery } from './support/helpers';

describe('example receiver', () => {
  const example = inject('exampleReceiver');

  it('verifies, records once, and acknowledges a redelivery as a duplicate', async () => {
    const sub = await createSubscription(`${example.url}/webhooks`, ['example.*'], { secret: example.secret });
    const event = await sendEvent('example.created', { order: 'ord_42' });
    const delivery = await settledDelivery(event.id, sub.id);
    const received = async () => ((await (await fetch(`${example.url}/received`)).json()) as { data: Array<{ webhook_id: string; deliveries: number; data: unknown }> }).data;
    expect((await received()).filter((r) => r.webhook_id === event.id)).toMatchObject([{ deliveries: 1, data: { order: 'ord_42' } }]);

    expect((await apiJson(`/v1/deliveries/${delivery.id}/redeliver`, { method: 'POST' })).status).toBe(202);
    await eventually(async () => (await received()).find((r) => r.webhook_id === event.id)?.deliveries === 2);
    expect((await received()).filter((r) => r.webhook_id === event.id)).toHaveLength(1);
    const { body } = await apiJson(`/v1/deliveries/${delivery.id}`);
    expect(body.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([200, 200]);
    expect(body.attempts[1].response_excerpt).toContain('"duplicate":true');
  });

  it('answers 401 to a delivery signed with another secret', async () => {
    const res = await fetch(`${example.url}/webhooks`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: '{"type":"example.forged","data":{}}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'no matching signature' });
  });
});
