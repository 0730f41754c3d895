// After a SECRETS_KEY rotation (the old key moved to SECRETS_KEY_PREVIOUS, a new one in SECRETS_KEY),
// the sweep seals every sealed value again with the new key, a bounded step per run: the applications'
// callback secrets (D1), then each subscription's signing secrets and custom header values, through
// its object (the one writer; a change made meanwhile wins). Values stored in clear from before sealing
// are sealed too. Once the pass for the current key set is done, nothing needs SECRETS_KEY_PREVIOUS:
// GET /v1/secrets-key says so.
import type { Env } from '../env';
import { keyIdOf, needsReseal, resealSecret } from '../signing/secret-box';
import { callbackSecretsPage, writeCallbackSecrets } from '../store/applications';
import { readResealProgress, saveResealProgress, startResealProgress, type ResealPhase, type ResealProgress } from '../store/reseal-progress';
import type { StoredSecret } from '../store/secret-rotation';
import { changeStoredSubscription, readSubscription } from '../store/subscription-writes';
import { getSubscriptions, subscriptionIdsPage, type StoredSubscription } from '../store/subscriptions';
import { callbackSecretOwner } from './callback-secrets';
import { headerOwner } from './header-values';

/** Applications whose callback secrets one run looks at. */
export const RESEAL_APPLICATIONS_PER_SWEEP = 100;
/** Subscriptions one run re-seals through their objects; it reads the copies of one KV page (1,000) to find them. */
export const RESEAL_SUBSCRIPTIONS_PER_SWEEP = 25;

/** The pass's key: the current key id, and the previous one when set (a key set changed is a new pass). */
export function keySetOf(env: Env): string | null {
  const current = keyIdOf(env.SECRETS_KEY);
  const previous = keyIdOf(env.SECRETS_KEY_PREVIOUS);
  return current ? [current, previous].filter(Boolean).join(' ') : null;
}

type Added = { resealed: number; unreadable: number };

/** The values of `pairs` ([owner, stored value]) sealed anew: old value → new one; those no key opens are counted. */
async function resealed(env: Env, pairs: [string, string][], added: Added): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const [owner, value] of pairs) {
    if (!needsReseal(env, value)) continue;
    const again = await resealSecret(env, owner, value);
    if (again === null) added.unreadable++;
    else values[value] = again;
  }
  return values;
}

const subscriptionValues = (sub: StoredSubscription): [string, string][] => [
  ...sub.secrets.map((s): [string, string] => [sub.id, s.value]),
  ...Object.entries(sub.headers ?? {}).map(([name, v]): [string, string] => [headerOwner(sub.id, name), v]),
];

async function applicationsStep(env: Env, p: ResealProgress, added: Added): Promise<ResealProgress> {
  const rows = await callbackSecretsPage(env.DB, p.cursor ?? '', RESEAL_APPLICATIONS_PER_SWEEP);
  let last = p.cursor;
  for (const row of rows) {
    const secrets = JSON.parse(row.callback_secrets) as StoredSecret[];
    const owner = callbackSecretOwner(row.id);
    const counted: Added = { resealed: 0, unreadable: 0 };
    const values = await resealed(env, secrets.map((s) => [owner, s.value]), counted);
    if (Object.keys(values).length > 0) {
      const after = secrets.map((s) => ({ ...s, value: values[s.value] ?? s.value }));
      // Rotated meanwhile: this application is taken again next run.
      if (!(await writeCallbackSecrets(env.DB, row.id, row.callback_secrets, after))) return { ...p, cursor: last };
    }
    added.resealed += Object.keys(values).length;
    added.unreadable += counted.unreadable;
    last = row.id;
  }
  return rows.length < RESEAL_APPLICATIONS_PER_SWEEP ? { ...p, phase: 'subscriptions', cursor: null, skip: 0 } : { ...p, cursor: last };
}

async function subscriptionsStep(env: Env, p: ResealProgress, added: Added, nowMs: number): Promise<ResealProgress> {
  const page = await subscriptionIdsPage(env.SUBSCRIPTIONS, p.cursor ?? undefined);
  const ids = page.ids.slice(p.skip);
  const copies = await getSubscriptions(env.SUBSCRIPTIONS, ids);
  let done = 0;
  let asked = 0;
  for (const id of ids) {
    const copy = copies.get(id);
    // The copy only says where to look (a missing one is asked too): the object's state is re-sealed.
    if (!copy || subscriptionValues(copy).some(([, v]) => needsReseal(env, v))) {
      if (asked === RESEAL_SUBSCRIPTIONS_PER_SWEEP) break;
      asked++;
      const sub = await readSubscription(env, id);
      const values = sub ? await resealed(env, subscriptionValues(sub), added) : {};
      if (Object.keys(values).length > 0) {
        await changeStoredSubscription(env, id, { kind: 'reseal', values }, nowMs);
        added.resealed += Object.keys(values).length;
      }
    }
    done++;
  }
  if (p.skip + done < page.ids.length) return { ...p, skip: p.skip + done };
  return page.cursor === null ? { ...p, phase: 'done', cursor: null, skip: 0 } : { ...p, cursor: page.cursor, skip: 0 };
}

/** The isolate's memory of a finished pass: a run then costs nothing. */
let finished: string | null = null;

/** One bounded step of the pass for the current key set; null when there is nothing to do. */
export async function resealStep(env: Env, nowMs = Date.now()): Promise<{ phase: ResealPhase } & Added | null> {
  const keySet = keySetOf(env);
  if (!keySet || finished === keySet) return null;
  const nowIso = new Date(nowMs).toISOString();
  const p = await startResealProgress(env.DB, keySet, nowIso);
  if (p.phase === 'done') {
    finished = keySet;
    return null;
  }
  const added: Added = { resealed: 0, unreadable: 0 };
  const next = p.phase === 'applications' ? await applicationsStep(env, p, added) : await subscriptionsStep(env, p, added, nowMs);
  await saveResealProgress(env.DB, next, added, nowIso);
  if (next.phase === 'done') finished = keySet;
  return { phase: next.phase, ...added };
}

/** Where the pass for the current key set stands (null: no SECRETS_KEY). */
export async function resealStatus(env: Env): Promise<{ key_set: string; progress: ResealProgress | null } | null> {
  const keySet = keySetOf(env);
  return keySet ? { key_set: keySet, progress: await readResealProgress(env.DB, keySet) } : null;
}

/** Tests that rotate the key start this isolate over. */
export function forgetFinishedReseal(): void {
  finished = null;
}
