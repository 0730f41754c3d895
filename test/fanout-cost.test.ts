// Fan-out reads only its application's subscriptions: one KV list per event (a page holds 1,000 of
// them), no reads, however many subscriptions other applications have.
import { describe, expect, it } from 'vitest';
import { fanOut } from '../src/delivery/fan-out';
import { insertEvent } from '../src/store/events';
import { putSubscription, type StoredSubscription } from '../src/store/subscriptions';
import { newId } from '../src/utils/ids';
import { env } from './support/helpers';
import { logDb, shardOf } from './support/log';
import { logAt } from '../src/store/log-shards';

/** The KV binding, counting each call by method. */
function counted(kv: KVNamespace) {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv: proxy, calls };
}

const subscription = (applicationId: string, events: string[]): StoredSubscription => {
  const now = new Date().toISOString();
  return { id: newId('sub'), application_id: applicationId, url: 'https://example.com/hook', events, description: null, metadata: {}, disabled: false, github_signature: false, created_at: now, updated_at: now, secrets: [] };
};

async function fanOutCost(applicationId: string) {
  const id = newId('evt');
  await insertEvent(await logDb(applicationId), { id, application_id: applicationId, type: 'order.paid', data: '{}', callback_url: null, created_at: new Date().toISOString() }, { key: null, producerId: true, bodyHash: null }, Date.now());
  const { kv, calls } = counted(env.SUBSCRIPTIONS);
  await fanOut({ ...env, SUBSCRIPTIONS: kv }, logAt(env, await shardOf(applicationId)), id, null);
  const { results } = await (await logDb(applicationId)).prepare('SELECT subscription_id FROM deliveries WHERE event_id = ?').bind(id).all<{ subscription_id: string }>();
  return { calls, delivered: results.map((r) => r.subscription_id).sort() };
}

describe('fan-out cost per application', () => {
  it('is one KV list and no read per event, alone or among 1,000 subscriptions of 50 other applications', async () => {
    await env.SUBSCRIPTIONS.put('meta:application-index', 'done'); // nothing from before applications here
    const app = 'app_fanoutcost000000000000000';
    const mine = [subscription(app, ['*']), subscription(app, ['order.*']), subscription(app, ['invoice.paid'])];
    for (const s of mine) await putSubscription(env.SUBSCRIPTIONS, s);
    const wanted = [mine[0]!.id, mine[1]!.id].sort();

    const alone = await fanOutCost(app);
    expect(alone.delivered).toEqual(wanted);
    expect(alone.calls).toEqual({ list: 1 });

    for (let a = 0; a < 50; a++) {
      const other = `app_other${String(a).padStart(21, '0')}`;
      await Promise.all(Array.from({ length: 20 }, () => putSubscription(env.SUBSCRIPTIONS, subscription(other, ['*']))));
    }
    expect((await env.SUBSCRIPTIONS.list({ prefix: 'sub:' })).list_complete).toBe(false); // more than one page of them in all
    const among = await fanOutCost(app);
    expect(among.delivered).toEqual(wanted);
    expect(among.calls).toEqual({ list: 1 });
  });
});

describe('the meter npm run bench reads', () => {
  it('counts the invocation and its KV calls by method when METER=true, answers and resets at /__meter, and is not there otherwise', async () => {
    const worker = (await import('../src/index')).default;
    const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
    const call = async (path: string, bindings: typeof env) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`https://edgehook.test${path}`, { headers: { authorization: 'Bearer test-token' } }), bindings, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const on = { ...env, METER: 'true' };
    await call('/__meter', on); // start from zero
    expect((await call('/v1/subscriptions?limit=5', on)).status).toBe(200);
    expect(await (await call('/__meter', on)).json()).toEqual({ 'worker.fetch': 1, 'kv.list': 1, 'kv.get': 1 });
    expect(await (await call('/__meter', on)).json()).toEqual({});
    expect((await call('/__meter', env)).status).toBe(404);
  });
});
