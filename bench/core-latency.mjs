// Delivery latency (POST /v1/events until the receiver has it) and ingest latency with 1 and 100 subscriptions.
import { startDevServer } from '../scripts/lib/dev-server.mjs';
import { client, median, quantile, startReceiver, waitFor } from './lib.mjs';

const TOKEN = 'bench-token';
const server = await startDevServer({
  port: 8797,
  persistTo: `.wrangler/bench-${process.pid}`,
  quiet: true,
  vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' },
});
const receiver = await startReceiver();
const api = client(server.url, TOKEN);
try {
  await api('POST', '/v1/subscriptions', { url: receiver.url, events: ['bench.one'] });

  // 1. POST → arrival, 20 events one after another.
  const endToEnd = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const { id } = await api('POST', '/v1/events', { type: 'bench.one', data: { i } });
    await waitFor(() => receiver.arrivals.has(id), 30_000, `event ${i}`);
    endToEnd.push(receiver.arrivals.get(id)[0] - t0);
  }

  // Ingest latency. "quiet": each POST waits until the previous event's deliveries all arrived, so only the
  // request path is timed; "busy": back to back, while fan-out and deliveries share the local runtime's CPU.
  async function ingest(type, n, fanout, quiet) {
    const times = [];
    for (let i = 0; i < n; i++) {
      const before = receiver.count();
      const t0 = performance.now();
      await api('POST', '/v1/events', { type, data: { i } });
      times.push(performance.now() - t0);
      if (quiet) {
        await waitFor(() => receiver.count() >= before + fanout, 60_000, 'fan-out');
        await new Promise((r) => setTimeout(r, 500)); // let the consumer finish writing its attempts
      }
    }
    return times;
  }
  const one = await ingest('bench.one', 30, 1, true);
  const oneBusy = await ingest('bench.one', 30, 1, false);
  for (let i = 0; i < 99; i++) await api('POST', '/v1/subscriptions', { url: receiver.url, events: ['bench.*'] });
  await api('POST', '/v1/subscriptions', { url: receiver.url, events: ['bench.hundred'] });
  await waitFor(() => receiver.count() >= 20 + 60, 60_000, 'earlier deliveries');
  const hundred = await ingest('bench.hundred', 30, 100, true);
  const hundredBusy = await ingest('bench.hundred', 30, 100, false);
  await waitFor(() => receiver.count() >= 20 + 60 + 60 * 100, 180_000, 'all fan-out deliveries');

  const fmt = (v) => `${v.toFixed(1)} ms`;
  console.log(`POST → arrival, 20 events:        median ${fmt(median(endToEnd))}, p90 ${fmt(quantile(endToEnd, 0.9))}, min ${fmt(Math.min(...endToEnd))}`);
  const row = (label, a, b) =>
    console.log(`${label}: 1 sub median ${fmt(median(a))} (p99 ${fmt(quantile(a, 0.99))}), 100 subs median ${fmt(median(b))} (p99 ${fmt(quantile(b, 0.99))}), ratio ${(median(b) / median(a)).toFixed(2)}`);
  row('ingest, quiet', one, hundred);
  row('ingest, busy ', oneBusy, hundredBusy);
  console.log(`deliveries received: ${receiver.count()}`);
} finally {
  await receiver.close();
  await server.stop();
}
