// The isolation matrix: every /v1 route the app serves (from its own route table, so a new route cannot
// skip it), called with application A's key on application B's objects (B named by id and by uid, and
// B's objects under A's own path), is refused with 404 (never 403: ids do not leak), changes nothing of
// B's, and delivers nothing to B's receiver. Routes over A's own application act on A alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { apiJson, createSubscription, eventually, newApplication, receiver, type TestReceiver } from './support/helpers';
import { queueDrained } from './support/quiet';

interface World {
  A: Awaited<ReturnType<typeof newApplication>>;
  B: Awaited<ReturnType<typeof newApplication>>;
  rA: TestReceiver;
  rB: TestReceiver;
  subB: string;
  eventB: string;
  deliveryB: string;
}
let w: World;

/** What an operator sees of B: it must be the same after the matrix as before. */
async function snapshotOfB() {
  const get = async (path: string) => (await apiJson(path)).body;
  return JSON.stringify({
    app: await get(`/v1/applications/${w.B.id}`),
    subs: await get(`/v1/applications/${w.B.id}/subscriptions`),
    secret: await get(`/v1/applications/${w.B.id}/subscriptions/${w.subB}/secret`),
    events: await get(`/v1/applications/${w.B.id}/events`),
    deliveries: await get(`/v1/applications/${w.B.id}/deliveries`),
    keys: await get(`/v1/api-keys?scope=${w.B.id}`),
    received: (await w.rB.log()).length,
    types: await get('/v1/event-types'),
  });
}

const ROUTES = [...new Set(app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].map(
  (r) => r.split(' ') as [string, string],
);

/** Routes over every application: an application's key gets 404 there whatever it names. */
const operatorOnly = (method: string, path: string) =>
  path.startsWith('/v1/api-keys') ||
  path === '/v1/applications' ||
  path === '/v1/secrets-key' ||
  (path === '/v1/applications/:app' && method !== 'GET') ||
  (path.startsWith('/v1/event-types') && method !== 'GET');

const BODIES: [RegExp, string, unknown][] = [
  [/\/subscriptions$/, 'POST', () => ({ url: w.rA.url, events: ['*'] })],
  [/\/subscriptions\/:id$/, 'PATCH', { description: 'taken over', disabled: true }],
  [/\/recover$/, 'POST', () => ({ since: new Date(Date.now() - 3600_000).toISOString() })],
  [/\/secret\/rotate$/, 'POST', {}],
  [/\/transformation\/test$/, 'POST', { event_type: 'iso.owned', code: 'export default (x) => x' }],
  [/\/events$/, 'POST', { type: 'iso.owned', data: { from: 'A' } }],
  [/^\/v1\/applications$/, 'POST', { name: 'made by A' }],
  [/^\/v1\/applications\/:app$/, 'PATCH', { name: 'taken over' }],
  [/^\/v1\/api-keys$/, 'POST', () => ({ name: 'made by A', scope: w.B.id })],
  [/^\/v1\/event-types$/, 'POST', { name: 'iso.made-by-a' }],
];

function bodyFor(method: string, path: string): unknown {
  const found = BODIES.find(([re, m]) => m === method && re.test(path));
  if (!found) return undefined;
  return typeof found[2] === 'function' ? (found[2] as () => unknown)() : found[2];
}

/** The object of B's that `:id` names on this path. */
function idOfB(path: string): string {
  if (path.includes('/subscriptions/')) return w.subB;
  if (path.includes('/deliveries/')) return w.deliveryB;
  if (path.includes('/events/')) return w.eventB;
  if (path.includes('/api-keys/')) return w.B.keyId;
  throw new Error(`no object of B for ${path}`);
}

/** The calls to make for one route: B named by id and by uid, and B's object under A's own path. */
function callsFor(path: string): { label: string; url: string }[] {
  const fill = (appRef: string) => path.replace(':app', appRef).replace(':id', path.includes(':id') ? idOfB(path) : '').replace(':name', 'iso.shared');
  if (path.includes(':app')) {
    const calls = [{ label: 'B by id', url: fill(w.B.id) }, { label: 'B by uid', url: fill(w.B.uid!) }];
    if (path.includes(':id')) calls.push({ label: "B's object under A", url: fill(w.A.id) });
    return calls;
  }
  return [{ label: 'flat', url: fill('') }];
}

describe('isolation between applications', () => {
  beforeAll(async () => {
    const rA = receiver('iso-a');
    const rB = receiver('iso-b');
    const A = await newApplication('Iso A', 'iso-a');
    const B = await newApplication('Iso B', 'iso-b');
    w = { A, B, rA, rB, subB: '', eventB: '', deliveryB: '' };
    await apiJson('/v1/event-types', { method: 'POST', json: { name: 'iso.shared', description: 'read by every application' } });
    await apiJson('/v1/subscriptions', { method: 'POST', json: { url: rA.url, events: ['*'] }, token: A.key });
    w.subB = (await apiJson(`/v1/applications/${B.id}/subscriptions`, { method: 'POST', json: { url: rB.url, events: ['*'] } })).body.id;
    w.eventB = (await apiJson(`/v1/applications/${B.id}/events`, { method: 'POST', json: { type: 'iso.shared', data: { to: 'B' } } })).body.id;
    w.deliveryB = await eventually(async () => {
      const { deliveries } = (await apiJson(`/v1/applications/${B.id}/events/${w.eventB}`)).body as { deliveries: { id: string; status: string }[] };
      return deliveries[0]?.status === 'succeeded' && deliveries[0].id;
    });
    expect(await createSubscription(rA.url, ['never.sent'])).toBeTruthy(); // the default application's, to see it is not A's either
  });

  it('refuses every route of the route table with 404 for B, and lets A act on A alone', async () => {
    const before = await snapshotOfB();
    const seen: string[] = [];
    let calls = 0;
    for (const [method, path] of ROUTES) {
      for (const { label, url } of callsFor(path)) {
        const body = bodyFor(method, path);
        const res = await apiJson(url, { method, token: w.A.key, ...(body !== undefined ? { json: body } : {}) });
        calls++;
        const named = path.includes(':app') || path.includes(':id');
        const text = JSON.stringify(res.body);
        if (named || operatorOnly(method, path)) {
          seen.push(`${method} ${path} (${label}): ${res.status}`);
          expect(res.status, `${method} ${url} (${label})`).toBe(404);
          expect(res.res.headers.get('content-type')).toBe('application/problem+json');
        } else {
          // Over A's own application (or the shared event types): allowed, and nothing of B's in it.
          expect(res.status, `${method} ${url}`).toBeLessThan(300);
        }
        // Nothing of B's comes back, beyond the id the caller sent (a 404 names what it did not find).
        for (const ofB of [w.subB, w.eventB, w.deliveryB, w.B.keyId, w.B.id, 'Iso B']) if (!url.includes(ofB)) expect(text, `${method} ${url}`).not.toContain(ofB);
      }
    }
    expect(ROUTES.length).toBeGreaterThanOrEqual(40);
    expect(calls).toBeGreaterThanOrEqual(70);
    console.log(`isolation matrix: ${ROUTES.length} routes, ${calls} calls with A's key, ${seen.length} of them refused`);

    // A's event reached A's receiver only; B's receiver got nothing more; B is as it was.
    await eventually(async () => (await w.rA.log()).some((r) => JSON.parse(r.body).type === 'iso.owned'));
    await queueDrained();
    expect(await snapshotOfB()).toBe(before);
    expect((await w.rB.log()).map((r) => JSON.parse(r.body).data)).toEqual([{ to: 'B' }]);
  });

  it("shows nothing of B's through A's filters: ?subscription_id=, ?event_id=, stats", async () => {
    const missingSub = 'sub_00000000000000000000000000';
    const missingEvent = 'evt_00000000000000000000000000';
    const filters = [
      ['/v1/deliveries?subscription_id=', w.subB, missingSub],
      ['/v1/deliveries?event_id=', w.eventB, missingEvent],
      [`/v1/applications/${w.A.id}/deliveries?subscription_id=`, w.subB, missingSub],
      [`/v1/applications/${w.A.id}/deliveries?event_id=`, w.eventB, missingEvent],
      ['/v1/stats?window=1h&subscription_id=', w.subB, missingSub],
      [`/v1/applications/${w.A.id}/stats?window=24h&subscription_id=`, w.subB, missingSub],
      ['/v1/stats?window=1h&event_type=', 'iso.shared', 'iso.nobody-sends-this'],
    ] as const;
    for (const [path, ofB, missing] of filters) {
      const other = await apiJson(path + encodeURIComponent(ofB), { token: w.A.key });
      const none = await apiJson(path + encodeURIComponent(missing), { token: w.A.key });
      // B's id answers exactly as an id that does not exist (nothing of B's, nothing that tells it exists).
      expect(other.status, path).toBe(none.status);
      const text = JSON.stringify(other.body);
      for (const leak of [w.deliveryB, w.eventB, w.B.id]) expect(text, path).not.toContain(leak);
      if (other.status === 200 && Array.isArray(other.body.data)) expect(other.body.data, path).toEqual([]);
      if (other.status === 200 && other.body.totals) expect(other.body.totals, path).toEqual(none.body.totals);
    }
    // The operator sees B's delivery under the same filters: they do find what exists.
    const seen = await apiJson(`/v1/applications/${w.B.id}/deliveries?subscription_id=${w.subB}`);
    expect(seen.body.data.map((d: { id: string }) => d.id)).toContain(w.deliveryB);
    const counted = await apiJson(`/v1/applications/${w.B.id}/stats?window=1h&subscription_id=${w.subB}`);
    expect(counted.body.totals.succeeded).toBeGreaterThanOrEqual(1);
  });

  it('answers a missing application and another application alike, so that ids do not leak', async () => {
    const other = await apiJson(`/v1/applications/${w.B.id}/subscriptions`, { token: w.A.key });
    const missing = await apiJson('/v1/applications/app_00000000000000000000000000/subscriptions', { token: w.A.key });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(Object.keys(other.body).sort()).toEqual(Object.keys(missing.body).sort());
    expect(other.body.title).toBe(missing.body.title);
  });
});
