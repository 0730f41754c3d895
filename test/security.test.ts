// Secrets stay secret: only the create answer and the two secret routes show one; logs and errors never do.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { api, createSubscription, env, eventually, receiver, sendEvent, settledDelivery, TOKEN } from './support/helpers';

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original(...args);
    });
  }
});
afterEach(() => vi.restoreAllMocks());

/** The secret and its key material (the base64 after whsec_), either of which would be a leak. */
const leaks = (secret: string) => [secret, secret.slice('whsec_'.length)];

describe('secrets', () => {
  it('appear only in the create answer and the secret routes', async () => {
    const r = receiver('secrets');
    await r.script([{ status: 500 }]);
    const created = await api('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['sec.*'] } });
    const sub = (await created.json()) as { id: string; secret: string };
    const rotated = (await (await api(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST' })).json()) as { secret: string };
    const event = await sendEvent('sec.created', { n: 1 });
    const delivery = await settledDelivery(event.id, sub.id, 'succeeded', 30_000);

    const everyOtherRoute: [string, string, unknown?][] = [
      ['GET', '/v1/subscriptions'],
      ['GET', `/v1/subscriptions/${sub.id}`],
      ['PATCH', `/v1/subscriptions/${sub.id}`, { description: 'changed' }],
      ['GET', `/v1/events/${event.id}`],
      ['GET', '/v1/deliveries'],
      ['GET', `/v1/deliveries?subscription_id=${sub.id}`],
      ['GET', `/v1/deliveries/${delivery.id}`],
      ['POST', `/v1/deliveries/${delivery.id}/redeliver`],
      ['POST', `/v1/subscriptions/${sub.id}/test`],
      ['POST', `/v1/subscriptions/${sub.id}/recover`, { since: new Date(Date.now() - 60_000).toISOString() }],
      ['GET', '/openapi.json'],
      ['GET', '/health'],
    ];
    for (const [method, path, json] of everyOtherRoute) {
      const res = await api(path, { method, json });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      const text = await res.text();
      for (const secret of [sub.secret, rotated.secret]) for (const leak of leaks(secret)) expect(text, `${method} ${path}`).not.toContain(leak);
    }
    for (const secret of [sub.secret, rotated.secret]) for (const leak of leaks(secret)) expect(logged.join('\n')).not.toContain(leak);
    await eventually(async () => (await r.log()).length >= 3); // first (500), retry, redelivery and test
  });

  it('never appear in errors or logs, even when a request or our storage fails', async () => {
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sub = await createSubscription('https://example.com/hook', ['sec.fail'], { secret: given });
    // A malformed secret is refused without being echoed.
    const badSecret = 'whsec_tooShortButSecret';
    const bad = await api('/v1/subscriptions', { method: 'POST', json: { url: 'https://example.com', events: ['*'], secret: badSecret } });
    expect(bad.status).toBe(422);
    expect(await bad.text()).not.toContain('tooShortButSecret');
    // Storage failing under a request: a generic 500, nothing of the request in the log.
    const brokenDb = { prepare: () => { throw new Error('D1 is down'); }, batch: () => Promise.reject(new Error('D1 is down')) } as unknown as D1Database;
    const res = await worker.fetch(
      new Request('https://edgehook.test/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'sec.fail', data: { card: '4242 4242 4242 4242' } }),
      }),
      { ...env, DB: brokenDb },
      { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext,
    );
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.text();
    expect(body).not.toMatch(/D1 is down|at .+\.ts:\d+/);
    const all = logged.join('\n');
    expect(all).toContain('D1 is down'); // the operator sees what failed...
    expect(all).not.toContain('4242'); // ...but not what was sent
    expect(all).not.toContain(TOKEN);
    for (const leak of leaks(given)) expect(all).not.toContain(leak);
    expect(sub.secret).toBe(given);
  });
});
