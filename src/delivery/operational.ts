// Sends an operational webhook (see operational-types.ts): one event in the subscription's application
// and one in the operator's, each deduplicated on a key of what happened, so that a consumer that runs
// twice over the same happening sends it once. The fan-out is awaited here (callers run after a response
// or in a queue consumer); a failure is logged, and the sweep finishes a fan-out that stalled.
import type { Env } from '../env';
import { DEFAULT_APPLICATION } from '../store/applications';
import { ingestEvent } from './ingest';
import type { OperationalEventType } from './operational-types';

export async function emitOperational(env: Env, type: OperationalEventType, applicationId: string, data: Record<string, unknown>, happening: string, nowMs: number): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) };
  try {
    for (const application_id of new Set([applicationId, DEFAULT_APPLICATION])) {
      await ingestEvent(env, ctx, { application_id, type, data }, `edgehook:${type}:${happening}`, nowMs);
    }
    await Promise.all(pending);
  } catch (err) {
    console.error(JSON.stringify({ msg: 'operational webhook not sent', type, application_id: applicationId, error: String(err) }));
  }
}

export type DisabledReason = 'gone' | 'failing' | 'manual';

/** subscription.disabled, after a disable that changed it (once per disable). */
export async function emitDisabled(env: Env, sub: { id: string; application_id: string; url: string } | null, reason: DisabledReason, nowMs: number): Promise<void> {
  if (!sub) return;
  const disabled_at = new Date(nowMs).toISOString();
  const data = { subscription_id: sub.id, application_id: sub.application_id, url: sub.url, reason, disabled_at };
  await emitOperational(env, 'subscription.disabled', sub.application_id, data, `${sub.id}:${disabled_at}`, nowMs);
}
