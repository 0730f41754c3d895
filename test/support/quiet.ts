// Waiting on a fact instead of a sleep before asserting that nothing more happened.
import { apiJson, eventually, newApplication, receiver } from './helpers';

const FINAL = new Set(['succeeded', 'failed']);

let sentinel: Promise<{ id: string; key: string; type: string; log: () => Promise<unknown[]> }> | undefined;

/** One application of its own per test file: its sentinel events reach nobody else's subscriptions. */
function sentinelApp() {
  sentinel ??= (async () => {
    const app = await newApplication('queue sentinel');
    const r = receiver('sentinel');
    const type = `sentinel.${crypto.randomUUID().slice(0, 8)}`;
    const sub = await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: r.url, events: [type] } });
    if (sub.status !== 201) throw new Error(`sentinel subscription: ${sub.status}`);
    return { ...app, type, log: r.log };
  })();
  return sentinel;
}

/**
 * The delivery queue has handed out, attempted and recorded everything sent to it before this call:
 * every delivery of `eventIds` is final first (so no retry of theirs waits on a delay), then a sentinel
 * event is sent and waited for until its delivery is recorded. The local queue hands out its messages
 * in order, one batch at a time, and a batch's attempts are recorded together, so a message sent
 * before the sentinel's has been attempted and recorded by then.
 */
export async function queueDrained(eventIds: string[] = []): Promise<void> {
  for (const id of eventIds) {
    await eventually(async () => {
      const { body } = await apiJson(`/v1/events/${id}`);
      const all = [...(body.deliveries ?? []), ...(body.callback ? [body.callback] : [])] as Array<{ status: string }>;
      return all.every((d) => FINAL.has(d.status));
    });
  }
  const s = await sentinelApp();
  const sent = await apiJson(`/v1/applications/${s.id}/events`, { method: 'POST', json: { type: s.type, data: {} } });
  if (sent.status !== 202) throw new Error(`sentinel event: ${sent.status}`);
  await eventually(async () => {
    const { body } = await apiJson(`/v1/applications/${s.id}/events/${sent.body.id}`);
    return body.deliveries?.length === 1 && body.deliveries[0].status === 'succeeded';
  });
}
