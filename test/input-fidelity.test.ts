// Input kept as sent or refused: an event id with another body is a 409 whichever send carried a key,
// `__proto__` is refused where it would be dropped, and uids that mean something else are refused.
import { describe, expect, it } from 'vitest';
import { apiJson, env } from './support/helpers';
import { logDb } from './support/log';

const send = (body: Record<string, unknown>, key?: string) => apiJson('/v1/events', { method: 'POST', json: body, headers: key ? { 'idempotency-key': key } : {} });

describe('the same event id', () => {
  // Every way two sends of one id can carry keys: the first's, the second's, both (one key or two), neither.
  const cases: [string, (k: string) => string | undefined, (k: string) => string | undefined][] = [
    ['key, then no key', (k) => k, () => undefined],
    ['no key, then key', () => undefined, (k) => k],
    ['a key, then the same key', (k) => k, (k) => k],
    ['a key, then another key', (k) => k, (k) => `${k}-other`],
    ['no key, then no key', () => undefined, () => undefined],
  ];
  for (const [name, first, second] of cases) {
    it(`replays the same body and refuses another with 409: ${name}`, async () => {
      const id = `evt_fidelity_${crypto.randomUUID().slice(0, 8)}`;
      const k = `k-${id}`;
      const body = { id, type: 'fidelity.sent', data: { n: 1 } };
      const made = await send(body, first(k));
      expect(made.status).toBe(202);
      expect(made.res.headers.get('idempotent-replayed')).toBeNull();
      const other = await send({ ...body, data: { n: 2 } }, second(k));
      expect(other.status).toBe(409);
      const again = await send(body, second(k));
      expect(again.status).toBe(202);
      expect(again.res.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(id);
      // Nothing of the other body was stored, and there is one event.
      expect((await apiJson(`/v1/events/${id}`)).body.data).toEqual({ n: 1 });
      expect((await (await logDb()).prepare('SELECT count(*) AS n FROM events WHERE id = ?1').bind(id).first<{ n: number }>())!.n).toBe(1);
    });
  }

  it('the reported case: key first, then another body without it, then the first body again', async () => {
    const id = `evt_fidelity_report_${crypto.randomUUID().slice(0, 8)}`;
    expect((await send({ id, type: 'fidelity.sent', data: { v: 'first' } }, `report-${id}`)).status).toBe(202);
    expect((await send({ id, type: 'fidelity.sent', data: { v: 'second' } })).status).toBe(409);
    expect((await send({ id, type: 'fidelity.sent', data: { v: 'first' } })).status).toBe(202);
  });
});

describe('`__proto__` and friends', () => {
  const sub = (extra: Record<string, unknown>) => apiJson('/v1/subscriptions', { method: 'POST', json: { url: 'http://127.0.0.1:9/x', events: ['*'], ...extra } });
  const raw = (path: string, text: string, method = 'POST') => apiJson(path, { method, body: text, headers: { 'content-type': 'application/json' } });

  it('are refused with 422 where the key would be dropped, and nothing is made', async () => {
    const before = (await env.DB.prepare('SELECT count(*) AS n FROM applications').first<{ n: number }>())!.n;
    const bodies: [string, string][] = [
      ['/v1/subscriptions', '{"url":"http://127.0.0.1:9/x","events":["*"],"metadata":{"__proto__":"x"}}'],
      ['/v1/subscriptions', '{"url":"http://127.0.0.1:9/x","events":["*"],"headers":{"__proto__":"x"}}'],
      ['/v1/subscriptions', '{"url":"http://127.0.0.1:9/x","events":["*"],"filter":{"__proto__":{"a":1}}}'],
      ['/v1/subscriptions', '{"url":"http://127.0.0.1:9/x","events":["*"],"filter":{"$or":[{"\\u005f_proto__":1}]}}'],
      ['/v1/applications', '{"name":"proto","metadata":{"__proto__":"x"}}'],
      ['/v1/event-types', '{"name":"fidelity.proto","schema":{"type":"object","properties":{"__proto__":{"type":"string"}}}}'],
    ];
    for (const [path, text] of bodies) {
      const r = await raw(path, text);
      expect(r.status, text).toBe(422);
      expect(r.body.errors[0].path).toMatch(/__proto__$/);
    }
    expect((await env.DB.prepare('SELECT count(*) AS n FROM applications').first<{ n: number }>())!.n).toBe(before);
    expect((await apiJson('/v1/event-types/fidelity.proto')).status).toBe(404);
  });

  it('other such names are stored as sent, and a filter on one reads only the data’s own keys', async () => {
    const made = await sub({ metadata: { constructor: 'a', toString: 'b' }, headers: { constructor: 'c' }, filter: { constructor: { $exists: true } } });
    expect(made.status).toBe(201);
    const read = (await apiJson(`/v1/subscriptions/${made.body.id}`)).body;
    expect(read.metadata).toEqual({ constructor: 'a', toString: 'b' });
    expect(read.headers).toEqual({ constructor: 'c' });
    expect(read.filter).toEqual({ constructor: { $exists: true } });
    // An event's data keeps `__proto__` as sent (its bytes are stored as they came).
    const evt = await raw('/v1/events', '{"type":"fidelity.proto","data":{"__proto__":{"x":1}}}');
    expect(evt.status).toBe(202);
  });
});

describe('application uids', () => {
  it('refuse the words that mean something else, in any case', async () => {
    for (const uid of ['operator', 'Operator', 'DEFAULT', 'all', 'App_x']) {
      const r = await apiJson('/v1/applications', { method: 'POST', json: { name: 'Reserved', uid } });
      expect(r.status, uid).toBe(422);
      expect(r.body.errors).toEqual([{ path: 'uid', message: 'reserved' }]);
    }
    const ok = await apiJson('/v1/applications', { method: 'POST', json: { name: 'Fine', uid: 'operators-inc' } });
    expect(ok.status).toBe(201);
    expect((await apiJson(`/v1/applications/${ok.body.id}`, { method: 'PATCH', json: { uid: 'operator' } })).status).toBe(422);
  });
});
