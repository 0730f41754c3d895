// Operational webhooks, delivered through edgehook itself to the subscriptions that name them, in the
// subscription's application and the operator's: subscription.disabled (410, failing for days, by hand),
// subscription.failing once per episode (failures in a row, or the hour's success rate), then
// subscription.recovered; delivery.exhausted. Each verified with its subscription's secret.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { consumeDeadLetters } from '../src/delivery/dead-letter';
import type { Task } from '../src/delivery/tasks';
import { apiJson, createSubscription, env, eventually, newApplication, receiver, type TestReceiver } from './support/helpers';
import { storedDelivery } from './support/stored';
import { queueDrained } from './support/quiet';
import { logDb } from './support/log';

type Op = { type: string; timestamp: string; data: Record<string, any> };

/** The operational webhooks a receiver got about `subscriptionId`, each verified with `secret`. */
async function opsAbout(r: TestReceiver, secret: string, subscriptionId: string): Promise<Op[]> {
  const wh = new Webhook(secret.slice('whsec_'.length));
  const got: Op[] = [];
  for (const l of await r.log()) {
    const body = wh.verify(l.body, l.headers) as Op; // throws on a bad signature
    if (body.data.subscription_id === subscriptionId) got.push(body);
  }
  return got;
}

const OPS_EVENTS = ['subscription.*', 'delivery.exhausted'];

/** An application with an operator subscription of its own; the default application's operator subscription too. */
async function setUp(label: string) {
  const app = await newApplication(label);
  const appOps = receiver(`${label}-app-ops`);
  const appOpsSub = (await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: appOps.url, events: OPS_EVENTS } })).body;
  const ops = receiver(`${label}-operator-ops`);
  const opsSub = await createSubscription(ops.url, OPS_EVENTS);
  const catchAll = receiver(`${label}-catch-all`);
  await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: catchAll.url, events: ['*'] } });
  const subscribe = async (url: string, events: string[]) => (await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url, events } })).body as { id: string };
  const send = async (type: string, data: Record<string, unknown> = {}) => (await apiJson(`/v1/applications/${app.id}/events`, { method: 'POST', json: { type, data } })).body as { id: string };
  /** Both operator receivers' verified webhooks about a subscription. */
  const both = async (subscriptionId: string) => ({ app: await opsAbout(appOps, appOpsSub.secret, subscriptionId), operator: await opsAbout(ops, opsSub.secret, subscriptionId) });
  /** Waits until the event's delivery to the subscription has `status`. */
  const settled = (eventId: string, subscriptionId: string, status: string, timeout = 20_000) =>
    eventually(async () => {
      const deliveries = (await apiJson(`/v1/applications/${app.id}/events/${eventId}`)).body.deliveries as { subscription_id: string; status: string }[];
      return deliveries.some((d) => d.subscription_id === subscriptionId && d.status === status);
    }, timeout);
  return { app, subscribe, send, both, catchAll, settled };
}

describe('operational webhooks', () => {
  it('a 410 disables the subscription: subscription.disabled (gone) reaches the application’s and the operator’s subscriptions, not a catch-all', async () => {
    const t = await setUp('gone');
    const r = receiver('gone-receiver');
    await r.script([], { status: 410 });
    const sub = await t.subscribe(r.url, ['op.gone']);
    await t.send('op.gone', { n: 1 });
    const got = await eventually(async () => {
      const b = await t.both(sub.id);
      return b.app.length >= 1 && b.operator.length >= 1 && b;
    });
    for (const list of [got.app, got.operator]) {
      expect(list.map((o) => o.type)).toEqual(['subscription.disabled']);
      expect(list[0]!.data).toMatchObject({ subscription_id: sub.id, application_id: t.app.id, url: r.url, reason: 'gone' });
    }
    expect((await apiJson(`/v1/applications/${t.app.id}/subscriptions/${sub.id}`)).body.disabled).toBe(true);
    await queueDrained();
    // `*` is no request for operational webhooks: the catch-all got the producer's event only.
    expect((await t.catchAll.log()).map((l) => JSON.parse(l.body).type)).toEqual(['op.gone']);
  });

  it('failures in a row: subscription.failing once, delivery.exhausted per delivery, then subscription.recovered', async () => {
    const t = await setUp('flaky');
    const r = receiver('flaky-receiver');
    await r.script([], { status: 500 });
    const sub = await t.subscribe(r.url, ['op.flaky']);
    // Two deliveries, 4 attempts each (test schedule 1,1,1): 8 failures in a row; failing after 5.
    const failed = [await t.send('op.flaky', { n: 1 }), await t.send('op.flaky', { n: 2 })];
    for (const e of failed) await t.settled(e.id, sub.id, 'failed', 30_000);
    const during = await eventually(async () => {
      const b = await t.both(sub.id);
      return b.operator.filter((o) => o.type === 'delivery.exhausted').length >= 2 && b.app.filter((o) => o.type === 'delivery.exhausted').length >= 2 && b;
    }, 20_000);
    for (const list of [during.app, during.operator]) {
      expect(list.filter((o) => o.type === 'subscription.failing')).toHaveLength(1);
      const failing = list.find((o) => o.type === 'subscription.failing')!;
      expect(failing.data).toMatchObject({ reason: 'consecutive_failures', application_id: t.app.id });
      expect(failing.data.consecutive_failures).toBeGreaterThanOrEqual(5);
      const exhausted = list.filter((o) => o.type === 'delivery.exhausted').map((o) => o.data.event_id).sort();
      expect(exhausted).toEqual(failed.map((e) => e.id).sort());
    }
    // It answers again: once the hour's success rate is back at one half, recovered, once.
    await r.script([], { status: 200 });
    for (let i = 0; i < 8; i++) await t.settled((await t.send('op.flaky', { ok: i })).id, sub.id, 'succeeded');
    const after = await eventually(async () => {
      const b = await t.both(sub.id);
      return b.operator.some((o) => o.type === 'subscription.recovered') && b.app.some((o) => o.type === 'subscription.recovered') && b;
    }, 20_000);
    for (const list of [after.app, after.operator]) {
      expect(list.filter((o) => o.type === 'subscription.failing')).toHaveLength(1);
      expect(list.filter((o) => o.type === 'subscription.recovered')).toHaveLength(1);
      const recovered = list.find((o) => o.type === 'subscription.recovered')!;
      expect(recovered.data.failing_since).toBe(list.find((o) => o.type === 'subscription.failing')!.data.failing_since);
      expect(list.findIndex((o) => o.type === 'subscription.recovered')).toBeGreaterThan(list.findIndex((o) => o.type === 'subscription.failing'));
    }
    expect((await (await logDb(t.app.id)).prepare('SELECT failing_since, consecutive_failures FROM subscription_health WHERE subscription_id = ?').bind(sub.id).first())).toEqual({
      failing_since: null,
      consecutive_failures: 0,
    });
  }, 60_000);

  it('a success rate under one half over the hour, without 5 failures in a row: subscription.failing (success_rate)', async () => {
    const t = await setUp('rate');
    const r = receiver('rate-receiver');
    const sub = await t.subscribe(r.url, ['op.rate']);
    // Every delivery fails twice, then succeeds: at most 2 failures in a row, one attempt in 3 succeeds.
    for (let i = 0; i < 4; i++) {
      await r.script([{ status: 500 }, { status: 500 }], { status: 200 });
      await t.settled((await t.send('op.rate', { i })).id, sub.id, 'succeeded');
    }
    const got = await eventually(async () => {
      const b = await t.both(sub.id);
      return b.operator.some((o) => o.type === 'subscription.failing') && b;
    }, 20_000);
    const failing = got.operator.find((o) => o.type === 'subscription.failing')!;
    expect(failing.data).toMatchObject({ reason: 'success_rate' });
    expect(failing.data.consecutive_failures).toBeLessThan(5);
    expect(failing.data.last_hour.attempts).toBeGreaterThanOrEqual(10);
    expect(failing.data.last_hour.success_rate).toBeLessThan(0.5);
  }, 60_000);

  it('every delivery failing for days (dates injected) disables it: subscription.disabled (failing); by hand: (manual)', async () => {
    const ops = receiver('days-ops');
    const opsSub = await createSubscription(ops.url, ['subscription.disabled']);
    const day = 86_400_000;
    const sub = await createSubscription('https://failing-for-days.example.com/x', ['none']);
    const old = await storedDelivery(sub.id, 'op.old', Date.now() - 6 * day);
    await (await logDb()).prepare("UPDATE deliveries SET status = 'failed', updated_at = created_at WHERE id = ?").bind(old.deliveryId).run();
    const { deliveryId } = await storedDelivery(sub.id, 'op.new', Date.now() - 2 * day);
    const batch = createMessageBatch<Task>('edgehook-dead-letters', [{ id: 'd', timestamp: new Date(), attempts: 1, body: { kind: 'deliver', delivery_id: deliveryId, shard: 'default/0' } }]);
    const ctx = createExecutionContext();
    await consumeDeadLetters(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['d']);
    const [disabled] = await eventually(async () => {
      const got = await opsAbout(ops, opsSub.secret, sub.id);
      return got.length > 0 && got;
    });
    expect(disabled!.data).toMatchObject({ reason: 'failing', subscription_id: sub.id, application_id: 'default' });

    const byHand = await createSubscription('https://by-hand.example.com/x', ['none']);
    expect((await apiJson(`/v1/subscriptions/${byHand.id}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200);
    expect((await apiJson(`/v1/subscriptions/${byHand.id}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200); // no change: nothing sent
    const manual = await eventually(async () => {
      const got = await opsAbout(ops, opsSub.secret, byHand.id);
      return got.length > 0 && got;
    });
    await queueDrained();
    expect((await opsAbout(ops, opsSub.secret, byHand.id)).map((o) => o.data.reason)).toEqual(['manual']);
    expect(manual[0]!.type).toBe('subscription.disabled');
  });

  it('are edgehook’s own: a producer may not send them, nor register their types; they are in the OpenAPI webhooks', async () => {
    const sent = await apiJson('/v1/events', { method: 'POST', json: { type: 'subscription.disabled', data: {} } });
    expect(sent.status).toBe(422);
    expect(sent.body.errors).toEqual([{ path: 'type', message: 'reserved for operational webhooks' }]);
    expect((await apiJson('/v1/event-types', { method: 'POST', json: { name: 'delivery.exhausted' } })).status).toBe(409);
    const doc = (await apiJson('/openapi.json')).body;
    for (const type of ['subscription.disabled', 'subscription.failing', 'subscription.recovered', 'delivery.exhausted']) {
      expect(doc.webhooks[type].post.requestBody.content['application/json'].schema.properties.data.required.length).toBeGreaterThan(0);
    }
  });
});
