// The cost meter's run: a service with METER=true counts every billable operation it makes (see
// src/meter.ts), per scenario: one subscription succeeding at once; five; a delivery retried twice;
// a 200 KB event. The counts per event and per delivery, and what they cost at Cloudflare's prices,
// after a warm-up of a few events; and the growth of D1 and of the log shards over each stream.
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { client, startReceiver, waitFor } from './lib.mjs';

const TOKEN = 'bench-cost-token';

/** Cloudflare's published prices, Workers Paid, beyond the included amounts (USD per operation). */
export const PRICES = {
  'worker.requests': 0.3 / 1e6, // developers.cloudflare.com/workers/platform/pricing/
  'd1.rows_read': 0.001 / 1e6, // developers.cloudflare.com/d1/platform/pricing/
  'd1.rows_written': 1.0 / 1e6,
  'kv.read': 0.5 / 1e6, // developers.cloudflare.com/kv/platform/pricing/
  'kv.write': 5.0 / 1e6, // writes, deletes and lists alike
  'queue.operations': 0.4 / 1e6, // developers.cloudflare.com/queues/platform/pricing/
  'do.requests': 0.15 / 1e6, // developers.cloudflare.com/durable-objects/platform/pricing/
  'do.gb_s': 12.5 / 1e6, // duration, per GB-second while active (128 MB an object)
  // A SQLite-backed object's rows are billed as D1's: the same pages.
  // Dynamic Workers (developers.cloudflare.com/dynamic-workers/pricing/): each unique (id, code) loaded in a
  // day, beyond 1,000 a month; each RPC call a request at Workers Standard rates; CPU, startup included.
  'dynamic.worker_day': 0.002,
  'dynamic.requests': 0.3 / 1e6,
  'cpu.ms': 0.02 / 1e6,
};

/** Rows written, D1's and the log shards' (which Durable Objects bill as D1 does). */
export const rowsWritten = (c) => (c['d1.rows_written'] ?? 0) + (c['shard.rows_written'] ?? 0);

/** Dollars for a set of counts. */
export function dollars(c) {
  const n = (k) => c[k] ?? 0;
  return (
    (n('worker.fetch') + n('worker.queue') + n('worker.scheduled') + n('worker.alarm')) * PRICES['worker.requests'] +
    (n('d1.rows_read') + n('shard.rows_read')) * PRICES['d1.rows_read'] +
    rowsWritten(c) * PRICES['d1.rows_written'] +
    n('kv.get') * PRICES['kv.read'] +
    (n('kv.put') + n('kv.delete') + n('kv.list')) * PRICES['kv.write'] +
    n('queue.operations') * PRICES['queue.operations'] +
    n('do.requests') * PRICES['do.requests'] +
    (n('do.ms') / 1000) * 0.128 * PRICES['do.gb_s'] // the time to each answer: an upper bound on the duration billed
  );
}

/** Events sent before the counting starts, per scenario. */
const WARM_UP = 3;

const SCENARIOS = [
  { name: '1 subscription, succeeds at once', subs: 1, events: 200 },
  { name: '5 subscriptions, succeed at once', subs: 5, events: 100 },
  { name: '1 subscription, each delivery retried twice', subs: 1, events: 20, failFirst: 2 },
  { name: '1 subscription, 200 KB events', subs: 1, events: 20, bytes: 200 * 1024 },
  { name: 'the design point: 2 subscriptions, 1 KB events', subs: 2, events: 300, bytes: 1000 },
];

export async function measureCost(state, progress) {
  const server = await startDevServer({
    port: await freePort(),
    quiet: true,
    persistTo: `${state}/cost`,
    sweepEveryMs: 3_600_000, // the sweep's own work is not the events'
    vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true', METER: 'true', RETRY_SCHEDULE: '1,1,1' },
  });
  const api = client(server.url, TOKEN);
  const meter = async () => (await fetch(`${server.url}/__meter`)).json();
  const size = async () => (await fetch(`${server.url}/__meter/d1`)).json();
  const out = [];
  try {
    for (const [i, s] of SCENARIOS.entries()) {
      progress(`cost: ${s.name}, ${s.events} events …`);
      const receiver = await startReceiver({ failFirst: s.failFirst ?? 0 });
      const type = `cost${i}.go`;
      for (let k = 0; k < s.subs; k++) await api('POST', '/v1/subscriptions', { url: receiver.url, events: [type] });
      const pad = s.bytes ? 'x'.repeat(s.bytes) : undefined;
      const send = (n) => api('POST', '/v1/events', { type, data: { sent: n, ...(pad ? { pad } : {}) } });
      // Warm-up (not counted): the isolate reads the key, the application and the shard directory once.
      for (let w = 0; w < WARM_UP; w++) await send(-w);
      await waitFor(() => receiver.count() >= WARM_UP * s.subs * ((s.failFirst ?? 0) + 1), 120_000, `${s.name}: warm-up`);
      await new Promise((r) => setTimeout(r, 1500));
      const sizeBefore = await size();
      await meter(); // from here on: the events' operations only
      const base = receiver.count();
      let sent = 0;
      await Promise.all(Array.from({ length: 8 }, async () => { while (sent < s.events) { sent++; await send(sent); } }));
      const arrivals = s.events * s.subs * ((s.failFirst ?? 0) + 1);
      await waitFor(() => receiver.count() >= base + arrivals, 120_000, `${s.name}: ${arrivals} arrivals`);
      await new Promise((r) => setTimeout(r, 2000)); // the last attempts recorded
      const c = await meter();
      const sizeAfter = await size();
      await receiver.close();
      const deliveries = s.events * s.subs;
      const per = (k, n) => (c[k] ?? 0) / n;
      out.push({
        ...s,
        counts: c,
        perEvent: Object.fromEntries(Object.keys(c).map((k) => [k, per(k, s.events)])),
        rowsWrittenPerDelivery: rowsWritten(c) / deliveries,
        dollarsPerMillionEvents: (dollars(c) / s.events) * 1e6,
        dollarsPerMillionDeliveries: (dollars(c) / deliveries) * 1e6,
        d1BytesPerEvent: (sizeAfter.bytes - sizeBefore.bytes) / s.events,
        d1QueriesPerEvent: per('d1.queries', s.events),
        shardBytesPerDelivery: (sizeAfter.shard_bytes - sizeBefore.shard_bytes) / deliveries,
      });
    }
  } finally {
    await server.stop();
  }
  return out;
}
