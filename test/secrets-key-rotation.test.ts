// A SECRETS_KEY rotation: values sealed under the old key (callback secrets, signing secrets, custom
// header values) are sealed again with the new one by the sweep, a bounded share per run, through each
// subscription's object; GET /v1/secrets-key says when SECRETS_KEY_PREVIOUS can go. Here the old key
// is OLD (what the data is first stored under) and the new one is the pool's SECRETS_KEY (`test`):
// once the pass is done, deliveries and callbacks made with the pool's key alone are signed right.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { RESEAL_SUBSCRIPTIONS_PER_SWEEP, forgetFinishedReseal } from '../src/delivery/reseal';
import { sweep } from '../src/delivery/sweep';
import worker from '../src/index';
import { sealSecret } from '../src/signing/secret-box';
import { apiJson, env, eventually, newApplication, receiver, TOKEN } from './support/helpers';

const key = (id: string) => `${id}:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
const OLD = key('old');
const before = { ...env, SECRETS_KEY: OLD }; // the service before the rotation
const rotating = { ...env, SECRETS_KEY_PREVIOUS: OLD }; // after it: the new key seals, the old one still opens

async function call(bindings: typeof env, path: string, init: { method?: string; json?: unknown } = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://edgehook.test${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

async function storedText(ids: string[]): Promise<string> {
  const { keys } = await env.SUBSCRIPTIONS.list();
  const kv = await Promise.all(keys.map(async (k) => `${k.name} ${await env.SUBSCRIPTIONS.get(k.name)}`));
  const objects = await Promise.all(
    ids.map((id) => runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(id), (_o, state) => JSON.stringify(state.storage.sql.exec('SELECT doc FROM subscription').toArray()))),
  );
  const apps = await env.DB.prepare('SELECT callback_secrets FROM applications').all();
  return [...kv, ...objects, JSON.stringify(apps.results)].join('\n');
}

describe('SECRETS_KEY rotation', () => {
  it('re-seals every stored value with the new key in bounded steps, then needs the old key no more', async () => {
    forgetFinishedReseal();
    const r = receiver('reseal');
    const callbackReceiver = receiver('reseal-callback');
    const A = await newApplication('Reseal A');
    // Stored under OLD: a callback secret, subscriptions with their secrets, one with custom headers.
    const callbackSecret = (await call(before, `/v1/applications/${A.id}/callback-secret`)).body.secret as string;
    const subs: { id: string; secret: string }[] = [];
    for (let i = 0; i < RESEAL_SUBSCRIPTIONS_PER_SWEEP + 5; i++) {
      const created = await call(before, `/v1/applications/${A.id}/subscriptions`, {
        method: 'POST',
        json: { url: r.url, events: [`reseal.${i}`], ...(i === 0 ? { headers: { authorization: 'Bearer rcv_reseal', 'x-tenant': 't-1' } } : {}) },
      });
      expect(created.status).toBe(201);
      subs.push(created.body);
    }
    const rotated = await call(before, `/v1/applications/${A.id}/subscriptions/${subs[1]!.id}/secret/rotate`, { method: 'POST', json: {} }); // two secrets sign
    expect(rotated.status).toBe(200);
    // B's callback secret was sealed with a key nobody has any more: it cannot be opened, and is left as it is.
    const B = await newApplication('Reseal B');
    const lost = JSON.stringify([{ value: await sealSecret({ SECRETS_KEY: key('gone') }, `callback:${B.id}`, 'whsec_lost'), expires_at: null }]);
    await env.DB.prepare('UPDATE applications SET callback_secrets = ?2 WHERE id = ?1').bind(B.id, lost).run();
    expect((await storedText(subs.map((s) => s.id))).match(/ehsec:v1:old:/g)?.length).toBeGreaterThanOrEqual(subs.length + 4);

    // Before the pass: the status says the old key is needed.
    const status0 = await call(rotating, '/v1/secrets-key');
    expect(status0.body).toMatchObject({ key_id: 'test', previous_key_id: 'old', previous_key_needed: true, reseal: { state: 'not_started' } });
    expect((await apiJson('/v1/secrets-key', { token: A.key })).status).toBe(404); // operator keys only

    // The sweep: callback secrets first, then at most RESEAL_SUBSCRIPTIONS_PER_SWEEP subscriptions a run.
    const steps = [];
    for (let run = 0; run < 6; run++) {
      const step = (await sweep(rotating, Date.now())).resealed;
      steps.push(step);
      if (step === null || step.phase === 'done') break;
    }
    expect(steps.map((s) => s?.phase)).toEqual(['subscriptions', 'subscriptions', 'done']);
    expect(steps[0]).toEqual({ phase: 'subscriptions', resealed: 1, unreadable: 1 }); // A's callback secret; B's opens with no key
    // 25 objects in the first run of subscriptions, the 5 others in the next (each a secret, one a second, one two header values).
    expect(steps[2]!.resealed).toBeGreaterThanOrEqual(5);
    expect(steps[2]!.resealed).toBeLessThanOrEqual(5 + 3);
    const total = steps.reduce((n, s) => n + (s?.resealed ?? 0), 0);
    expect(total).toBe(1 + subs.length + 1 + 2);
    expect((await sweep(rotating, Date.now())).resealed).toBeNull(); // done: later runs do nothing

    const text = await storedText(subs.map((s) => s.id));
    expect(text).not.toContain('ehsec:v1:old:');
    expect(text.match(/ehsec:v1:test:/g)?.length).toBeGreaterThanOrEqual(total);
    const status = await call(rotating, '/v1/secrets-key');
    expect(status.body).toMatchObject({ previous_key_needed: false, reseal: { state: 'done', phase: 'done', resealed: total, unreadable: 1 } });
    expect(text).toContain(JSON.parse(lost)[0].value); // left as it was

    // Without the old key (the pool's env): deliveries are signed with the original secrets, headers sent in clear.
    await apiJson(`/v1/applications/${A.id}/events`, { method: 'POST', json: { type: 'reseal.0', data: {}, callback_url: callbackReceiver.url } });
    await apiJson(`/v1/applications/${A.id}/events`, { method: 'POST', json: { type: 'reseal.1', data: {} } });
    const got = await eventually(async () => ((await r.log()).length >= 2 ? r.log() : null));
    const first = got.find((g) => JSON.parse(g.body).type === 'reseal.0')!;
    expect(() => new Webhook(subs[0]!.secret).verify(first.body, first.headers)).not.toThrow();
    expect(first.headers).toMatchObject({ authorization: 'Bearer rcv_reseal', 'x-tenant': 't-1' });
    const second = got.find((g) => JSON.parse(g.body).type === 'reseal.1')!;
    for (const s of [subs[1]!.secret, rotated.body.secret]) expect(() => new Webhook(s).verify(second.body, second.headers)).not.toThrow();
    const [cb] = await eventually(async () => ((await callbackReceiver.log()).length > 0 ? callbackReceiver.log() : null));
    expect(() => new Webhook(callbackSecret).verify(cb!.body, cb!.headers)).not.toThrow();
  });
});
