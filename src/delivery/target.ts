// Where an attempt goes and how it is signed: a subscription's URL and secrets, or an event's callback.
import { settings } from '../config';
import type { Env } from '../env';
import type { DispatchRow } from '../store/deliveries';
import { openSecret } from '../signing/secret-box';
import { signingSecrets, type StoredSubscription } from '../store/subscriptions';
import { callbackBody, callbackWebhookId, isCallback } from './callback';
import { callbackSigningSecrets } from './callback-secrets';
import { openHeaders } from './header-values';
import { envelopeBody } from './envelope';
import { transformationIsolate } from './transformation';
import { urlProblem } from '../utils/url-policy';

export interface Target {
  url: string;
  /** Newest first; each adds one signature (`v1,` HMAC, `v1a,` Ed25519). */
  secrets: string[];
  github: boolean;
  webhookId: string;
  body: string;
  /** The subscription's custom headers. */
  headers?: Record<string, string>;
  /** Its enabled transformation: the isolate to run it in and the module to load there. */
  transformation?: { isolate: string; module: string };
}

/** The target, or why there is nothing to send. */
export type Resolved = { target: Target } | { skip: string };

/** The egress policy again, at send time: the rules may have tightened since the URL was accepted. */
function refused(url: string, env: Env): string | null {
  const problem = urlProblem(url, { allowInsecure: settings(env).allowInsecureUrls });
  return problem ? `receiver URL refused: it ${problem}` : null;
}

/** Where the attempt goes; the subscription's signing secrets are opened here (sealed at rest). */
export async function resolveTarget(row: DispatchRow, sub: StoredSubscription | null, env: Env, nowMs: number): Promise<Resolved> {
  if (isCallback(row)) {
    if (!row.callback_url) return { skip: 'event has no callback_url' };
    const problem = refused(row.callback_url, env);
    if (problem) return { skip: problem };
    // Signed with the event's application's own secrets only: no other application's receiver trusts them.
    const secrets = await callbackSigningSecrets(env, row.application_id, nowMs);
    if (secrets.length === 0) return { skip: 'the application has no callback secret (the default one: CALLBACK_SECRET is not set)' };
    return { target: { url: row.callback_url, secrets, github: false, webhookId: callbackWebhookId(row.event_id), body: callbackBody(row) } };
  }
  if (!sub) return { skip: 'subscription deleted' };
  if (sub.disabled) return { skip: 'subscription disabled' };
  if (row.erased_at) return { skip: 'event data erased' };
  const problem = refused(sub.url, env);
  if (problem) return { skip: problem };
  return {
    target: {
      url: sub.url,
      secrets: await Promise.all(signingSecrets(sub, nowMs).map((value) => openSecret(env, sub.id, value))),
      github: sub.github_signature,
      webhookId: row.event_id,
      body: envelopeBody(row.type, row.event_created_at, row.data),
      ...(sub.headers ? { headers: await openHeaders(env, sub.id, sub.headers) } : {}),
      ...(sub.transformation?.enabled ? { transformation: { isolate: transformationIsolate(sub.id, sub.transformation.version), module: sub.transformation.module } } : {}),
    },
  };
}
