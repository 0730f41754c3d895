// Applications: CRUD by id and uid, events that reach only their application's subscriptions, the
// default application that today's routes act on, lists of events and deliveries per application,
// and deletion that removes subscriptions and stops pending deliveries.
import { describe, expect, it } from 'vitest';
import { sweep } from '../src/delivery/sweep';
import { createDeliveries } from './support/stored';
import { insertEvent } from '../src/store/events';
import { apiJson, createSubscription, env, eventually, newApplication, receiver } from './support/helpers';
import { queueDrained } from './support/quiet';
import { logDb } from './support/log';

const as = (key: string) => ({ token: key });

describe('applications', () => {
  it('are created, read by id or uid, changed, listed newest first with a cursor, and refuse bad uids', async () => {
    const a = await apiJson('/v1/applications', { method: 'POST', json: { name: 'Acme', uid: 'acme', metadata: { plan: 'pro' } } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ id: expect.stringMatching(/^app_[0-9a-z]{26}$/), uid: 'acme', name: 'Acme', metadata: { plan: 'pro' } });
    expect((await apiJson('/v1/applications/acme')).body.id).toBe(a.body.id);
    expect((await apiJson(`/v1/applications/${a.body.id}`)).body.uid).toBe('acme');

    expect((await apiJson('/v1/applications', { method: 'POST', json: { name: 'Other', uid: 'acme' } })).status).toBe(409);
    for (const uid of ['default', 'app_x', 'has space']) {
      const bad = await apiJson('/v1/applications', { method: 'POST', json: { name: 'X', uid } });
      expect(bad.status).toBe(422);
    }
    const renamed = await apiJson('/v1/applications/acme', { method: 'PATCH', json: { name: 'Acme Inc', uid: 'acme-inc' } });
    expect(renamed.body).toMatchObject({ name: 'Acme Inc', uid: 'acme-inc', metadata: { plan: 'pro' } });
    expect((await apiJson('/v1/applications/acme')).status).toBe(404);

    const b = (await apiJson('/v1/applications', { method: 'POST', json: { name: 'Beta' } })).body;
    const c = (await apiJson('/v1/applications', { method: 'POST', json: { name: 'Gamma' } })).body;
    const first = await apiJson('/v1/applications?limit=2');
    expect(first.body.data.map((x: { id: string }) => x.id)).toEqual(['default', c.id]); // `default` sorts first, then newest
    const second = await apiJson(`/v1/applications?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data.map((x: { id: string }) => x.id)).toEqual([b.id, a.body.id]);
    expect(second.body.next_cursor).toBeNull();
    expect((await apiJson('/v1/applications?cursor=nope')).status).toBe(400);
  });

  it('send an event only to the subscriptions of its application, at both route shapes', async () => {
    const rA = receiver('app-a');
    const rB = receiver('app-b');
    const rDefault = receiver('app-default');
    const A = await newApplication('A');
    const B = await newApplication('B', 'bee');
    const subA = await apiJson(`/v1/applications/${A.id}/subscriptions`, { method: 'POST', json: { url: rA.url, events: ['*'] } });
    const subB = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: rB.url, events: ['*'] }, ...as(B.key) }); // B's key: its own application
    await createSubscription(rDefault.url, ['*']); // operator token, flat route: the default application
    expect(subA.body.application_id).toBe(A.id);
    expect(subB.body.application_id).toBe(B.id);

    const sentA = await apiJson(`/v1/applications/${A.id}/events`, { method: 'POST', json: { type: 'app.ping', data: { to: 'A' } } });
    const sentB = await apiJson('/v1/applications/bee/events', { method: 'POST', json: { type: 'app.ping', data: { to: 'B' } } });
    const sentDefault = await apiJson('/v1/events', { method: 'POST', json: { type: 'app.ping', data: { to: 'default' } } });
    for (const s of [sentA, sentB, sentDefault]) expect(s.status).toBe(202);

    for (const [r, sent] of [[rA, sentA], [rB, sentB], [rDefault, sentDefault]] as const) {
      const log = await eventually(async () => ((await r.log()).length > 0 ? r.log() : null));
      expect(log.map((l) => l.headers['webhook-id'])).toEqual([sent.body.id]);
    }
    await queueDrained([sentA.body.id, sentB.body.id, sentDefault.body.id]);
    expect((await rA.log()).length + (await rB.log()).length + (await rDefault.log()).length).toBe(3);

    // Lists are per application: events and deliveries, at both shapes.
    const eventsA = await apiJson(`/v1/applications/${A.id}/events`);
    expect(eventsA.body.data.map((e: { id: string }) => e.id)).toEqual([sentA.body.id]);
    expect(eventsA.body.data[0]).toMatchObject({ application_id: A.id, type: 'app.ping', data: { to: 'A' } });
    const deliveriesB = await apiJson('/v1/deliveries', as(B.key));
    expect(deliveriesB.body.data.map((d: { event_id: string; application_id: string }) => [d.event_id, d.application_id])).toEqual([[sentB.body.id, B.id]]);
    const defaultDeliveries = await apiJson('/v1/deliveries');
    expect(defaultDeliveries.body.data.every((d: { application_id: string }) => d.application_id === 'default')).toBe(true);
    expect((await apiJson(`/v1/applications/${B.id}/subscriptions`)).body.data.map((s: { id: string }) => s.id)).toEqual([subB.body.id]);
  });

  it('list events newest first, by type, page by page', async () => {
    const A = await newApplication('Lister');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = await apiJson('/v1/events', { method: 'POST', json: { type: i % 2 ? 'list.odd' : 'list.even', data: { i } }, ...as(A.key) });
      ids.push(sent.body.id);
      await new Promise((ok) => setTimeout(ok, 2));
    }
    const page1 = await apiJson('/v1/events?limit=2', as(A.key));
    expect(page1.body.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    const page2 = await apiJson(`/v1/events?limit=2&cursor=${page1.body.next_cursor}`, as(A.key));
    expect(page2.body.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const page3 = await apiJson(`/v1/events?limit=2&cursor=${page2.body.next_cursor}`, as(A.key));
    expect(page3.body.data.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
    expect(page3.body.next_cursor).toBeNull();
    const odd = await apiJson('/v1/events?type=list.odd', as(A.key));
    expect(odd.body.data.map((e: { id: string }) => e.id)).toEqual([ids[3], ids[1]]);
    expect((await apiJson('/v1/events?cursor=a%20b', as(A.key))).status).toBe(400);
    // An event's body may be up to 1 MiB at both paths (other bodies: 64 KiB).
    const big = { type: 'list.big', data: { blob: 'x'.repeat(200_000) } };
    expect((await apiJson(`/v1/applications/${A.id}/events`, { method: 'POST', json: big })).status).toBe(202);
    expect((await apiJson(`/v1/applications/${A.id}/subscriptions`, { method: 'POST', json: { url: 'https://example.com/x'.padEnd(270_000, 'x'), events: ['*'] } })).status).toBe(413);
  });

  it('keep idempotency keys and event ids per application: an id another application used is this one’s own', async () => {
    const A = await newApplication('Idem A');
    const B = await newApplication('Idem B');
    const send = (key: string, headers: Record<string, string>, json: unknown) => apiJson('/v1/events', { method: 'POST', json, headers, token: key });
    const a1 = await send(A.key, { 'idempotency-key': 'order-1' }, { type: 'idem.x', data: { n: 1 } });
    const b1 = await send(B.key, { 'idempotency-key': 'order-1' }, { type: 'idem.x', data: { n: 2 } });
    expect(a1.status).toBe(202);
    expect(b1.status).toBe(202);
    expect(b1.body.id).not.toBe(a1.body.id);
    const again = await send(A.key, { 'idempotency-key': 'order-1' }, { type: 'idem.x', data: { n: 1 } });
    expect(again.body.id).toBe(a1.body.id);
    expect(again.res.headers.get('idempotent-replayed')).toBe('true');

    const own = await send(A.key, {}, { id: 'shared-id', type: 'idem.x', data: {} });
    expect(own.status).toBe(202);
    // Event ids are unique per application: B's event of the same id is B's, and neither reads the other's.
    const theirs = await send(B.key, {}, { id: 'shared-id', type: 'idem.y', data: { b: true } });
    expect(theirs.status).toBe(202);
    expect(theirs.res.headers.get('idempotent-replayed')).toBeNull();
    expect((await apiJson('/v1/events/shared-id', { token: A.key })).body).toMatchObject({ application_id: A.id, type: 'idem.x', data: {} });
    expect((await apiJson('/v1/events/shared-id', { token: B.key })).body).toMatchObject({ application_id: B.id, type: 'idem.y', data: { b: true } });
    // Each is still its own application's key: B's other body under the id is refused.
    expect((await send(B.key, {}, { id: 'shared-id', type: 'idem.y', data: { b: false } })).status).toBe(409);
  });

  it('when deleted: 404 at once, keys refused, subscriptions removed, pending deliveries failed, uid free again', async () => {
    const r = receiver('doomed');
    const D = await newApplication('Doomed', 'doomed');
    const sub = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['*'] }, ...as(D.key) });
    // A delivery waiting for a retry an hour away (stored as the consumer leaves one; no message queued).
    const sent = { body: { id: `evt_doom${Date.now()}` } };
    const now = new Date().toISOString();
    await insertEvent(await logDb(D.id), { id: sent.body.id, application_id: D.id, type: 'doom.x', data: '{}', callback_url: null, created_at: now }, { key: null, producerId: true, bodyHash: null }, Date.now());
    const [pending] = await createDeliveries(await logDb(D.id), { id: sent.body.id, application_id: D.id }, [sub.body.id], now);
    await (await logDb(D.id)).prepare('UPDATE deliveries SET next_attempt_at = ? WHERE id = ?').bind(new Date(Date.now() + 3600_000).toISOString(), pending!.id).run();

    expect((await apiJson('/v1/applications/default', { method: 'DELETE' })).status).toBe(409);
    expect((await apiJson('/v1/applications/doomed', { method: 'DELETE' })).status).toBe(204);
    expect((await apiJson(`/v1/applications/${D.id}`)).status).toBe(404);
    expect((await apiJson(`/v1/applications/${D.id}/subscriptions`)).status).toBe(404);
    expect((await apiJson('/v1/subscriptions', as(D.key))).status).toBe(401);
    expect((await apiJson(`/v1/api-keys/${D.keyId}`)).body.revoked_at).not.toBeNull();

    // After the response (or the sweep): the subscription is gone and the delivery failed.
    await eventually(async () => (await env.SUBSCRIPTIONS.get(`sub:${sub.body.id}`)) === null);
    expect((await env.SUBSCRIPTIONS.list({ prefix: `app:${D.id}:` })).keys).toEqual([]);
    const delivery = await eventually(async () => {
      const row = await (await logDb(D.id)).prepare('SELECT status FROM deliveries WHERE event_id = ?').bind(sent.body.id).first<{ status: string }>();
      return row?.status === 'failed' && row;
    });
    expect(delivery.status).toBe('failed');
    // The sweep finishes the purge once KV's lists can be trusted (injected clock: 3 minutes on).
    const report = await sweep(env, Date.now() + 180_000);
    expect(report.purged_applications).toBe(1);
    expect((await apiJson('/v1/applications', { method: 'POST', json: { name: 'Reborn', uid: 'doomed' } })).status).toBe(201);
  });
});
