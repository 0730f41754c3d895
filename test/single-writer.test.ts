// One writer per subscription: every change (PATCH, rotate, disable, the consumer's disable) goes
// through the subscription's Durable Object in order, and none is lost; KV gets the newest copy.
import { describe, expect, it } from 'vitest';
import { rotateSecret } from '../src/services/subscriptions';
import { openSecret } from '../src/signing/secret-box';
import { disableSubscription } from '../src/store/subscription-writes';
import { getSubscription } from '../src/store/subscriptions';
import { apiJson, createSubscription, env } from './support/helpers';

describe('one writer per subscription', () => {
  it('loses no change over 20 rounds of concurrent rotate + PATCH + disable + a consumer-side disable', async () => {
    const sub = await createSubscription('https://example.com/hooks/writer', ['writer.a']);
    const path = `/v1/subscriptions/${sub.id}`;
    let lost = 0;
    const t0 = Date.now();
    for (let round = 1; round <= 20; round++) {
      // Each round's rotation a day after the last (injected clock), so that no more than two secrets sign.
      const [rotatedSecret, patched, disabled, consumer] = await Promise.all([
        rotateSecret(env, 'default', sub.id, undefined, t0 + round * 25 * 3600_000),
        apiJson(path, { method: 'PATCH', json: { description: `round ${round}`, metadata: { round: String(round) } } }),
        apiJson(path, { method: 'PATCH', json: { disabled: true } }),
        disableSubscription(env, sub.id),
      ]);
      const rotated = { body: rotatedSecret as { secret: string } };
      expect([patched.status, disabled.status]).toEqual([200, 200]);
      expect(consumer === null || consumer.disabled).toBe(true); // disabled by it, or already
      const now = (await apiJson(path)).body;
      const secret = (await apiJson(`${path}/secret`)).body.secret;
      const ok = now.description === `round ${round}` && now.metadata.round === String(round) && now.disabled === true && secret === rotated.body.secret;
      if (!ok) lost++;
      // The copy fan-out reads is the newest one, secrets included.
      const published = await getSubscription(env.SUBSCRIPTIONS, sub.id);
      expect(published).toMatchObject({ description: `round ${round}`, disabled: true });
      expect(await openSecret(env, sub.id, published!.secrets[0]!.value)).toBe(rotated.body.secret);
      // Enable again for the next round (the consumer's disable only acts on an enabled subscription).
      expect((await apiJson(path, { method: 'PATCH', json: { disabled: false } })).status).toBe(200);
    }
    expect(lost).toBe(0);
  });

  it('never publishes a rotated-away secret back: the consumer disable writes the newest state', async () => {
    const sub = await createSubscription('https://example.com/hooks/writer-2', ['writer.b']);
    const rotated = (await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST' })).body.secret as string;
    expect(await disableSubscription(env, sub.id)).toMatchObject({ id: sub.id, disabled: true });
    expect(await disableSubscription(env, sub.id)).toBeNull(); // already disabled: no change, nothing published
    const published = await getSubscription(env.SUBSCRIPTIONS, sub.id);
    expect(published!.disabled).toBe(true);
    expect(await Promise.all(published!.secrets.map((s) => openSecret(env, sub.id, s.value)))).toEqual([rotated, sub.secret]);
  });

  it('adopts a subscription stored before it had an object, and a deleted one stays deleted', async () => {
    // What an earlier version left in KV: the subscription, written directly.
    const id = 'sub_01jd8x0000a1b2c3d4e5f6g7h8';
    const legacy = {
      id, url: 'https://example.com/legacy', events: ['legacy.a'], description: null, metadata: {}, disabled: false,
      github_signature: false, created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z',
      secrets: [{ value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expires_at: null }],
    };
    await env.SUBSCRIPTIONS.put(`sub:${id}`, JSON.stringify(legacy), { metadata: { e: legacy.events, d: false } });
    expect((await apiJson(`/v1/subscriptions/${id}`)).body).toMatchObject({ id, url: legacy.url });
    expect((await apiJson(`/v1/subscriptions/${id}`, { method: 'PATCH', json: { description: 'adopted' } })).body.description).toBe('adopted');
    expect((await apiJson(`/v1/subscriptions/${id}/secret`)).body.secret).toBe(legacy.secrets[0]!.value);
    expect((await apiJson(`/v1/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await getSubscription(env.SUBSCRIPTIONS, id)).toBeNull();
    // Even if an old copy turns up in KV again (eventual consistency), the object knows it is gone.
    await env.SUBSCRIPTIONS.put(`sub:${id}`, JSON.stringify(legacy));
    expect((await apiJson(`/v1/subscriptions/${id}`)).status).toBe(404);
    expect((await apiJson(`/v1/subscriptions/${id}`, { method: 'PATCH', json: { description: 'x' } })).status).toBe(404);
  });
});
