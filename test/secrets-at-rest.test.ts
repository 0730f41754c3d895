// Subscription secrets are sealed at rest (AES-256-GCM under SECRETS_KEY): a raw dump of the KV
// namespace and of the subscriptions' objects shows no secret, and signing still works.
import { runInDurableObject } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from '../src/signing/secret-box';
import { apiJson, createSubscription, env, eventually, receiver, sendEvent } from './support/helpers';

const leaks = (secret: string) => [secret, secret.slice('whsec_'.length)];

/** Everything the KV namespace holds, keys, values and metadata, as text. */
async function kvDump(): Promise<string> {
  const { keys } = await env.SUBSCRIPTIONS.list();
  const values = await Promise.all(keys.map(async (k) => `${k.name} ${JSON.stringify(k.metadata)} ${await env.SUBSCRIPTIONS.get(k.name)}`));
  return values.join('\n');
}

/** Everything a subscription's object stores, as text. */
function objectDump(id: string): Promise<string> {
  return runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(id), (_instance, state) =>
    JSON.stringify(state.storage.sql.exec('SELECT * FROM subscription').toArray()),
  );
}

describe('secrets at rest', () => {
  it('are in neither KV nor the objects in clear, through create, rotate and delivery', async () => {
    const r = receiver('at-rest');
    const sub = await createSubscription(r.url, ['rest.*']);
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const withGiven = await createSubscription(r.url, ['other.*'], { secret: given });
    const rotated = (await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST' })).body.secret as string;

    const dump = `${await kvDump()}\n${await objectDump(sub.id)}\n${await objectDump(withGiven.id)}`;
    expect(dump).toContain('ehsec:v1:test:');
    for (const secret of [sub.secret, rotated, given]) for (const leak of leaks(secret)) expect(dump).not.toContain(leak);

    // The secret routes open them; deliveries are signed with both live secrets.
    expect((await apiJson(`/v1/subscriptions/${sub.id}/secret`)).body.secret).toBe(rotated);
    expect((await apiJson(`/v1/subscriptions/${withGiven.id}/secret`)).body.secret).toBe(given);
    await sendEvent('rest.created', { n: 1 });
    const [got] = await eventually(async () => {
      const l = await r.log();
      return l.length > 0 && l;
    });
    for (const secret of [sub.secret, rotated]) expect(() => new Webhook(secret).verify(got!.body, got!.headers)).not.toThrow();
  });

  it('include custom header values: sealed in KV and the object, shown masked or in clear as before, sent in clear', async () => {
    const r = receiver('at-rest-headers');
    const sub = await createSubscription(r.url, ['restheaders.*'], { headers: { authorization: 'Bearer rcv_sealed_me', 'x-tenant': 'tenant-sealed-too' } });
    const changed = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { headers: { authorization: '********', 'x-tenant': 'tenant-changed', 'x-api-key': 'key-sealed-3' } } });
    expect(changed.body.headers).toEqual({ authorization: '********', 'x-tenant': 'tenant-changed', 'x-api-key': '********' });
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.headers).toEqual({ authorization: '********', 'x-tenant': 'tenant-changed', 'x-api-key': '********' });
    const dump = `${await kvDump()}\n${await objectDump(sub.id)}`;
    for (const clear of ['rcv_sealed_me', 'tenant-changed', 'key-sealed-3']) expect(dump).not.toContain(clear);
    await sendEvent('restheaders.x', {});
    const [got] = await eventually(async () => {
      const l = await r.log();
      return l.length > 0 && l;
    });
    expect(got!.headers).toMatchObject({ authorization: 'Bearer rcv_sealed_me', 'x-tenant': 'tenant-changed', 'x-api-key': 'key-sealed-3' });
  });

  it('open only for their own subscription, under a key that is still configured', async () => {
    const keyA = env.SECRETS_KEY!;
    const keyB = `next:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const sealed = await sealSecret({ SECRETS_KEY: keyA }, 'sub_a', 'whsec_one');
    expect(sealed).toMatch(/^ehsec:v1:test:/);
    await expect(openSecret({ SECRETS_KEY: keyA }, 'sub_b', sealed)).rejects.toThrow(); // copied onto another subscription
    // The key is rotated: the new one seals, the previous one still opens what it sealed.
    const rotatedKeys = { SECRETS_KEY: keyB, SECRETS_KEY_PREVIOUS: keyA };
    expect(await openSecret(rotatedKeys, 'sub_a', sealed)).toBe('whsec_one');
    expect(await sealSecret(rotatedKeys, 'sub_a', 'whsec_two')).toMatch(/^ehsec:v1:next:/);
    await expect(openSecret({ SECRETS_KEY: keyB }, 'sub_c', await sealSecret({ SECRETS_KEY: keyA }, 'sub_c', 'whsec_x'))).rejects.toThrow(/no key test/);
    // Without a key nothing is stored in clear: creating a subscription fails instead.
    await expect(sealSecret({}, 'sub_a', 'whsec_one')).rejects.toThrow(/SECRETS_KEY is not set/);
  });
});
