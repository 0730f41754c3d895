// Operator tools and failure handling: test events, recover, rotation, GitHub signatures, Retry-After,
// auto-disable, bodies of 1 MiB.
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { consumeDeliveries } from '../src/delivery/consumer';
import { consumeDeadLetters } from '../src/delivery/dead-letter';
import type { Task } from '../src/delivery/tasks';
import { signStandard } from '../src/signing/sign';
import { storedDelivery } from './support/stored';
import { apiJson, createSubscription, deliveriesOf, env, eventually, receiver, sendEvent, settledDelivery } from './support/helpers';
import { logDb } from './support/log';

describe('test events', () => {
  it('sends webhook.test to that subscription only', async () => {
    const target = receiver('test-target');
    const bystander = receiver('test-bystander');
    const sub = await createSubscription(target.url, ['order.created']);
    await createSubscription(bystander.url, ['*']);
    const { status, body } = await apiJson(`/v1/subscriptions/${sub.id}/test`, { method: 'POST' });
    expect(status).toBe(202);
    expect(body.type).toBe('webhook.test');
    const [got] = await eventually(async () => {
      const l = await target.log();
      return l.length > 0 && l;
    });
    expect(new Webhook(sub.secret).verify(got!.body, got!.headers)).toMatchObject({ type: 'webhook.test', data: { subscription_id: sub.id } });
    await settledDelivery(body.id, sub.id);
    expect(await deliveriesOf(body.id)).toHaveLength(1);
    expect(await bystander.log()).toEqual([]);
  });

  it('refuses to test a disabled subscription', async () => {
    const sub = await createSubscription('https://example.com/x', ['a']);
    await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { disabled: true } });
    const { status, res } = await apiJson(`/v1/subscriptions/${sub.id}/test`, { method: 'POST' });
    expect(status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('recover', () => {
  it('re-sends the failed deliveries since a time, with their webhook-id', async () => {
    const r = receiver('recover');
    await r.script([], { status: 500 });
    const sub = await createSubscription(r.url, ['ops.recover']);
    const event = await sendEvent('ops.recover', { n: 1 });
    const failed = await settledDelivery(event.id, sub.id, 'failed', 30_000);
    expect(failed.attempt_count).toBe(4); // the test schedule: 1 attempt + 3 retries
    expect((await r.log()).length).toBe(4);

    await r.script([], { status: 200 });
    const since = new Date(Date.now() - 3600_000).toISOString();
    const { status, body } = await apiJson(`/v1/subscriptions/${sub.id}/recover`, { method: 'POST', json: { since } });
    expect(status).toBe(202);
    expect(body).toEqual({ recovering: 1 });
    await settledDelivery(event.id, sub.id);
    const log = await r.log();
    expect(log).toHaveLength(5);
    expect(log[4]!.headers['webhook-id']).toBe(event.id);
    // Nothing failed is left: a second recover re-sends nothing.
    expect((await apiJson(`/v1/subscriptions/${sub.id}/recover`, { method: 'POST', json: { since } })).body).toEqual({ recovering: 0 });
  });

  it('refuses a since that is not a time, or in the future', async () => {
    const sub = await createSubscription('https://example.com/x', ['a']);
    for (const since of ['yesterday', '', 5, new Date(Date.now() + 3600_000).toISOString()]) {
      const { status } = await apiJson(`/v1/subscriptions/${sub.id}/recover`, { method: 'POST', json: { since } });
      expect(status).toBe(422);
    }
  });
});

describe('secret rotation', () => {
  it('signs with the new and the old secret, space-separated, for 24 h; then with the new one only', async () => {
    const r = receiver('rotate');
    const sub = await createSubscription(r.url, ['ops.rotate']);
    const rotated = await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(sub.secret);
    expect((await apiJson(`/v1/subscriptions/${sub.id}/secret`)).body.secret).toBe(fresh);

    // Through the whole pipeline, now: both secrets verify.
    const event = await sendEvent('ops.rotate', { n: 1 });
    const [got] = await eventually(async () => {
      const l = await r.log();
      return l.length > 0 && l;
    });
    expect(got!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(got!.body, got!.headers)).not.toThrow();
    expect(() => new Webhook(sub.secret).verify(got!.body, got!.headers)).not.toThrow();
    await settledDelivery(event.id, sub.id);

    // With the clock injected: 23 h later both still sign; 25 h later only the new one.
    async function signaturesAt(offsetMs: number) {
      const { deliveryId } = await storedDelivery(sub.id, 'ops.rotate');
      const batch = createMessageBatch<Task>('edgehook-deliveries', [{ id: 'm', timestamp: new Date(), attempts: 1, body: { kind: 'deliver', delivery_id: deliveryId, shard: 'default/0' } }]);
      const now = Date.now() + offsetMs;
      await consumeDeliveries(batch, env, 'main', { now: () => now, random: () => 0.5 });
      const last = (await r.log()).at(-1)!;
      const ts = Number(last.headers['webhook-timestamp']);
      const expected = async (secret: string) => signStandard(secret, last.headers['webhook-id']!, ts, last.body);
      return { header: last.headers['webhook-signature']!.split(' '), fresh: await expected(fresh), old: await expected(sub.secret) };
    }
    const at23h = await signaturesAt(23 * 3600_000);
    expect(at23h.header).toEqual([at23h.fresh, at23h.old]);
    const at25h = await signaturesAt(25 * 3600_000);
    expect(at25h.header).toEqual([at25h.fresh]);
    expect(at25h.header).not.toContain(at25h.old);
  });

  it('keeps a given secret and refuses a malformed one', async () => {
    const sub = await createSubscription('https://example.com/x', ['a']);
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect((await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST', json: { secret: given } })).body).toEqual({ secret: given });
    const bad = await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST', json: { secret: 'whsec_nope' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).not.toContain('whsec_nope');
    expect((await apiJson(`/v1/subscriptions/${sub.id}/secret`)).body.secret).toBe(given);
  });
});

describe('GitHub signatures', () => {
  it('adds x-hub-signature-256 when the subscription asks for it, verifiable by @octokit/webhooks-methods', async () => {
    const r = receiver('github');
    const sub = await createSubscription(r.url, ['ops.github'], { github_signature: true });
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.github_signature).toBe(true);
    await sendEvent('ops.github', { pr: 7 });
    const [got] = await eventually(async () => {
      const l = await r.log();
      return l.length > 0 && l;
    });
    const signature = got!.headers['x-hub-signature-256']!;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verifyGithub(sub.secret, got!.body, signature)).toBe(true);
    expect(await verifyGithub(sub.secret, `${got!.body} `, signature)).toBe(false);
    expect(() => new Webhook(sub.secret).verify(got!.body, got!.headers)).not.toThrow();
  });
});

describe('failure handling', () => {
  it('honours Retry-After on 429 within the clamp', async () => {
    const r = receiver('retry-after');
    await r.script([{ status: 429, headers: { 'retry-after': '2' } }]);
    const sub = await createSubscription(r.url, ['ops.ratelimited']);
    const event = await sendEvent('ops.ratelimited', {});
    await settledDelivery(event.id, sub.id, 'succeeded', 30_000);
    const log = await r.log();
    expect(log).toHaveLength(2);
    // The schedule says 1 s; Retry-After asks 2 s, which the clamp [1 s, 2 s] allows.
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('disables a subscription whose deliveries have all failed for 5 days, not one that succeeded since', async () => {
    const day = 86_400_000;
    const failing = await createSubscription('https://failing.example.com/x', ['none']);
    const recovering = await createSubscription('https://recovering.example.com/x', ['none']);
    for (const sub of [failing, recovering]) {
      const old = await storedDelivery(sub.id, 'ops.old', Date.now() - 6 * day);
      await (await logDb()).prepare("UPDATE deliveries SET status = 'failed', updated_at = created_at WHERE id = ?").bind(old.deliveryId).run();
    }
    const success = await storedDelivery(recovering.id, 'ops.ok', Date.now() - day);
    await (await logDb()).prepare("UPDATE deliveries SET status = 'succeeded', updated_at = created_at WHERE id = ?").bind(success.deliveryId).run();

    for (const sub of [failing, recovering]) {
      const { deliveryId } = await storedDelivery(sub.id, 'ops.new', Date.now() - 2 * day);
      const batch = createMessageBatch<Task>('edgehook-dead-letters', [{ id: 'd', timestamp: new Date(), attempts: 1, body: { kind: 'deliver', delivery_id: deliveryId, shard: 'default/0' } }]);
      const ctx = createExecutionContext();
      await consumeDeadLetters(batch, env);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['d']);
      expect((await apiJson(`/v1/deliveries/${deliveryId}`)).body.status).toBe('failed');
    }
    expect((await apiJson(`/v1/subscriptions/${failing.id}`)).body.disabled).toBe(true);
    expect((await apiJson(`/v1/subscriptions/${recovering.id}`)).body.disabled).toBe(false);
  });

  it('delivers a 1 MiB event whole: the body travels by reference, never truncated', async () => {
    const r = receiver('big');
    const sub = await createSubscription(r.url, ['ops.big']);
    const blob = 'x'.repeat(1024 * 1024 - 200);
    const event = await sendEvent('ops.big', { blob });
    const [got] = await eventually(async () => {
      const l = await r.log();
      return l.length > 0 && l;
    });
    expect(got!.body.length).toBeGreaterThan(1024 * 1024 - 200);
    const payload = new Webhook(sub.secret).verify(got!.body, got!.headers) as { data: { blob: string } };
    expect(payload.data.blob).toBe(blob);
    await settledDelivery(event.id, sub.id);
  });
});
