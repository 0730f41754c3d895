// The benchmark's retention stream: a second edgehook under wrangler dev keeps RETENTION_DAYS of 10 s,
// receives 1,000 events for 2 subscriptions, has the sweep run once the window has passed, and does it
// again; the log's size (D1's `meta.size_after` and the shards' database sizes, through the meter's
// /__meter/d1) after each step shows whether it stops growing once the window is full.
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { client, startReceiver, waitFor } from './lib.mjs';

const TOKEN = 'bench-retention-token';
const WINDOW_S = 10;
const EVENTS = 1000;

/** D1's size as it reports it (`meta.size_after`) and the log shards' (their databases' sizes), and the log's rows in both. */
const d1 = async (url) => {
  const r = await (await fetch(`${url}/__meter/d1`)).json();
  return { ...r, KiB: (r.bytes + r.shard_bytes) / 1024, d1KiB: r.bytes / 1024, shardKiB: r.shard_bytes / 1024, logEvents: r.events + r.shard.events };
};

export async function measureRetention(state, progress) {
  const persistTo = `${state}/retention`;
  const server = await startDevServer({
    port: await freePort(),
    quiet: true,
    persistTo,
    sweepEveryMs: 3_600_000, // only when asked below
    vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true', METER: 'true', RETENTION_DAYS: String(WINDOW_S / 86_400), RETENTION_CHUNK: '5000' },
  });
  const receiver = await startReceiver();
  const api = client(server.url, TOKEN);
  const steps = [];
  try {
    for (let i = 0; i < 2; i++) await api('POST', '/v1/subscriptions', { url: receiver.url, events: ['keep.*'] });
    const stream = async (round) => {
      progress(`retention: stream ${round}, ${EVENTS} events to 2 subscriptions …`);
      const before = receiver.count();
      let sent = 0;
      await Promise.all(Array.from({ length: 16 }, async () => { while (sent < EVENTS) { sent++; await api('POST', '/v1/events', { type: 'keep.go', data: { round, sent, pad: 'x'.repeat(200) } }); } }));
      await waitFor(() => receiver.count() >= before + 2 * EVENTS, 120_000, 'the stream’s deliveries');
      await new Promise((r) => setTimeout(r, 1000)); // the last batches recorded
      steps.push({ step: `after stream ${round}`, ...(await d1(server.url)) });
    };
    const retain = async (round) => {
      await new Promise((r) => setTimeout(r, (WINDOW_S + 1) * 1000));
      progress(`retention: the sweep, ${WINDOW_S} s later …`);
      const started = performance.now();
      await fetch(`${server.url}/__scheduled?cron=*+*+*+*+*`);
      await waitFor(async () => (await d1(server.url)).logEvents === 0, 60_000, 'retention');
      steps.push({ step: `after retention ${round}`, ms: performance.now() - started, ...(await d1(server.url)) });
    };
    await stream(1);
    await retain(1);
    await stream(2);
    await retain(2);
    await stream(3);
  } finally {
    await receiver.close();
    await server.stop();
  }
  return steps;
}
