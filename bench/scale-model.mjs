// Past this machine, a model: from what `npm run bench` measured (bench/results.json), the largest
// sustained delivery rate one application and one account can keep, which limit binds first, and what
// edgehook does there. `node bench/scale-model.mjs` prints it; bench/run.mjs puts it in BENCHMARKS.md.
// The platform's limits, as Cloudflare documents them (checked 2026-12):
//   a Durable Object runs one request at a time: about 1,000 simple requests a second, fewer when each
//   takes longer (developers.cloudflare.com/durable-objects/platform/limits/);
//   a queue takes 5,000 messages a second, and runs up to 250 consumer invocations at once
//   (developers.cloudflare.com/queues/platform/limits/);
//   an invocation makes up to 10,000 subrequests on Workers Paid, 50 on Free (workers/platform/limits/).
import { readFileSync } from 'node:fs';

export const LIMITS = {
  objectRequestsPerSecond: 1000,
  queueMessagesPerSecond: 5000,
  consumerInvocations: 250,
  subrequestsPaid: 10_000,
  subrequestsFree: 50,
  batchSize: 10, // wrangler.toml max_batch_size
  stripesMax: 64, // LOG_SHARD_STRIPES at most
  secondsPerMonth: 30 * 86_400,
};

/**
 * `m`: the measured inputs. shardRequestsPerDelivery and queueMessagesPerDelivery at the design point
 * (1 KB events, 2 subscriptions); shardMsPerRequest (the time to a shard's answer, an upper bound on its
 * service time); batchMs (a consumer batch, reading + sending + recording); subrequestsPerBatch.
 */
export function model(m, stripes = 1) {
  const perObject = Math.min(LIMITS.objectRequestsPerSecond, 1000 / Math.max(m.shardMsPerRequest, 1e-3));
  const perShard = perObject / m.shardRequestsPerDelivery; // deliveries a second one stripe takes
  const queue = LIMITS.queueMessagesPerSecond / m.queueMessagesPerDelivery;
  const consumers = (LIMITS.consumerInvocations * LIMITS.batchSize) / (m.batchMs / 1000);
  const subrequestsOk = m.subrequestsPerBatch <= LIMITS.subrequestsFree;
  const app = [
    { perApplication: true, limit: `one object's requests (${stripes} stripe${stripes > 1 ? 's' : ''} × ${perObject.toFixed(0)}/s ÷ ${m.shardRequestsPerDelivery.toFixed(2)} per delivery)`, rate: stripes * perShard, then: 'more stripes (LOG_SHARD_STRIPES) spread events with an ordering key; without one, an application stays on stripe 0' },
    { limit: `the deliveries queue (5,000 messages/s ÷ ${m.queueMessagesPerDelivery.toFixed(2)} per delivery)`, rate: queue, then: 'one queue per account today: queues sharded by subscription are the next step' },
    { limit: `consumer invocations (250 at once × 10 ÷ ${(m.batchMs / 1000).toFixed(3)} s a batch)`, rate: consumers, then: 'bigger batches on Workers Paid (subrequests allow it)' },
  ].sort((a, b) => a.rate - b.rate);
  const account = app.filter((l) => !l.perApplication).concat([
    { limit: `every application's own shards (one application at ${(stripes * perShard).toFixed(0)}/s)`, rate: Infinity, then: 'applications never share a shard' },
  ]).sort((a, b) => a.rate - b.rate);
  // The design point: one application takes half the account's traffic, so the account carries at most twice what that application can.
  const designAccount = Math.min(account[0].rate, 2 * app[0].rate);
  return {
    perObject,
    perShard,
    designPoint: { application: designAccount / 2, account: designAccount },
    application: { rate: app[0].rate, binds: app[0], all: app },
    account: { rate: account[0].rate, binds: account[0], all: account },
    subrequests: { perBatch: m.subrequestsPerBatch, free: subrequestsOk, paid: m.subrequestsPerBatch <= LIMITS.subrequestsPaid },
  };
}

/**
 * Storage at 30-day retention: a shard takes new events up to LOG_SHARD_BOUND_BYTES (5 GB) and the next
 * part opens, so no store fills; what an application keeps is bounded by its rate, not its store.
 */
export function storage(m, boundBytes = 5e9) {
  const perPart = boundBytes / m.shardBytesPerDelivery;
  const d1PerDelivery = m.d1BytesPerEvent / m.subscriptionsPerEvent + 120 / perPart; // its share of a directory row (~120 B a part)
  return {
    deliveriesPerPart: perPart,
    partsFor: (deliveriesPerMonth) => Math.ceil(deliveriesPerMonth / perPart),
    d1DeliveriesPerMonth: d1PerDelivery > 0 ? 10e9 / d1PerDelivery : Infinity,
  };
}

const fmt = (n) => (n === Infinity ? 'unbounded' : n >= 1e12 ? 'more than a trillion' : n >= 1e9 ? `${(n / 1e9).toFixed(1)} billion` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} million` : n.toFixed(0));

/** The model as Markdown lines. */
export function describe(m) {
  const lines = [];
  for (const stripes of [1, 4]) {
    const r = model(m, stripes);
    lines.push(`**${stripes} stripe${stripes > 1 ? 's' : ''} a part.** One application: **${r.application.rate.toFixed(0)} deliveries/s** (${fmt(r.application.rate * LIMITS.secondsPerMonth)} a month); the first limit is ${r.application.binds.limit}; past it: ${r.application.binds.then}. One account: **${r.account.rate.toFixed(0)} deliveries/s** (${fmt(r.account.rate * LIMITS.secondsPerMonth)} a month), bound by ${r.account.binds.limit}; past it: ${r.account.binds.then}.`);
    lines.push('');
    lines.push(`At the design point (one application taking half the account's traffic): the account carries ${r.designPoint.account.toFixed(0)} deliveries/s (${fmt(r.designPoint.account * LIMITS.secondsPerMonth)} a month), that application ${r.designPoint.application.toFixed(0)} (${fmt(r.designPoint.application * LIMITS.secondsPerMonth)} a month).`);
    lines.push('');
    for (const l of r.application.all) lines.push(`- ${l.limit}: ${l.rate.toFixed(0)} deliveries/s`);
    lines.push('');
  }
  const r = model(m);
  lines.push(`Subrequests: a batch of 10 makes about ${r.subrequests.perBatch.toFixed(0)} (within Workers Free's 50: ${r.subrequests.free ? 'yes' : 'no'}; Paid's 10,000: ${r.subrequests.paid ? 'yes' : 'no'}).`);
  const s = storage(m);
  lines.push('');
  lines.push(`Storage at 30-day retention: a part holds ${fmt(s.deliveriesPerPart)} deliveries (5 GB ÷ ${m.shardBytesPerDelivery.toFixed(0)} B), and then the next part opens: 100 million deliveries a month keep ${s.partsFor(1e8)} parts, 1 billion ${s.partsFor(1e9)}. D1 holds the control plane; at ${m.d1BytesPerEvent.toFixed(1)} B an event and a directory row a part, it fills after ${fmt(s.d1DeliveriesPerMonth)} deliveries kept.`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));
  console.log(describe(results.model_inputs));
}
