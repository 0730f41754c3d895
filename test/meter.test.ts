// The benchmarks' cost meter, on a known set of operations: each billable operation counted once, D1's
// rows as D1 reports them, a bulk KV read as the keys it asks for, a Queue message as 3 operations per
// 64 KB, a Durable Object request per RPC call; and nothing counted when the meter is off.
import { describe, expect, it } from 'vitest';
import { metered, meterTime, readMeter } from '../src/meter';
import { env } from './support/helpers';

describe('the cost meter', () => {
  it('counts exactly the operations made', async () => {
    const m = metered({ ...env, METER: 'true' });
    readMeter(); // a fresh start
    await m.SUBSCRIPTIONS.put('meter:a', '1');
    await m.SUBSCRIPTIONS.get('meter:a');
    await m.SUBSCRIPTIONS.get(['meter:a', 'meter:b', 'meter:c']);
    await m.SUBSCRIPTIONS.list({ prefix: 'meter:' });
    await m.DB.prepare("INSERT INTO delivery_stats (application_id, bucket, subscription_id, event_type, attempts) VALUES ('meter', 0, 's', 't', 1)").run();
    expect(await m.DB.prepare("SELECT attempts FROM delivery_stats WHERE application_id = 'meter'").first('attempts')).toBe(1);
    await m.DB.batch([
      m.DB.prepare("UPDATE delivery_stats SET attempts = 2 WHERE application_id = 'meter'"),
      m.DB.prepare("SELECT * FROM delivery_stats WHERE application_id = ?").bind('meter'),
    ]);
    await m.DELIVERIES.send({ kind: 'deliver', delivery_id: 'dlv_meter_1' });
    await m.DELIVERIES.sendBatch([{ body: { kind: 'deliver', delivery_id: 'dlv_meter_2' } }, { body: { kind: 'deliver', delivery_id: 'dlv_meter_3', pad: 'x'.repeat(100 * 1024) } as never }]);
    await m.SUBSCRIPTION_OBJECTS.getByName('sub_meter').waiting();
    const counts = readMeter();
    expect(counts).toMatchObject({
      'kv.put': 1,
      'kv.get': 4,
      'kv.list': 1,
      'd1.queries': 4,
      'd1.round_trips': 3, // the batch of two statements is one
      'd1.rows_written': 2, // the insert, the update (no secondary index on the table)
      'queue.messages': 3,
      'queue.operations': 3 + 3 + 6, // a 100 KiB message is two 64 KB chunks: 6 operations
      'do.requests': 1,
    });
    expect(counts['d1.rows_read']).toBeGreaterThanOrEqual(2);
    expect(readMeter()).toEqual({}); // read: started afresh

    // Each binding is wrapped once: what keeps state per binding (group commit's line) sees one.
    expect(metered({ ...env, METER: 'true' }).DB).toBe(m.DB);
    // Where a queue batch's time goes: milliseconds added per phase.
    const since = Date.now() - 7;
    meterTime({ ...env, METER: 'true' }, 'consumer.load_ms', since);
    expect(readMeter()['consumer.load_ms']).toBeGreaterThanOrEqual(7);

    // Off: the bindings as they are, nothing counted.
    const off = metered({ ...env, METER: undefined });
    expect(off.DB).toBe(env.DB);
    await off.SUBSCRIPTIONS.get('meter:a');
    meterTime(off, 'consumer.load_ms', Date.now() - 7);
    expect(readMeter()).toEqual({});
  });
});
