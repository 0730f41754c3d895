// Each application's callback secrets: `event.completed` is signed with its application's own, so no
// application can have edgehook sign a callback another application's receiver would trust. Sealed at
// rest (bound to the application), rotated like a subscription's (24 h overlap). The default
// application's first secret is CALLBACK_SECRET; any other's is made the first time it is needed.
import type { Env } from '../env';
import { generateSecret } from '../signing/secret';
import { openSecret, sealSecret } from '../signing/secret-box';
import { DEFAULT_APPLICATION, readCallbackSecrets, writeCallbackSecrets } from '../store/applications';
import { liveSecrets, rotateSecrets, type Refusal, type StoredSecret } from '../store/secret-rotation';

/** What a sealed callback secret is bound to: it opens for this application's callbacks only. */
export const callbackSecretOwner = (applicationId: string) => `callback:${applicationId}`;

type Stored = { json: string | null; secrets: StoredSecret[] };

/** The stored secrets; the default application's before any rotation: CALLBACK_SECRET, as it is set. */
async function stored(env: Env, applicationId: string): Promise<Stored | null> {
  const json = await readCallbackSecrets(env.DB, applicationId);
  if (json === undefined) return null;
  if (json !== null) return { json, secrets: JSON.parse(json) as StoredSecret[] };
  const first = applicationId === DEFAULT_APPLICATION ? env.CALLBACK_SECRET : undefined;
  return { json, secrets: first ? [{ value: first, expires_at: null }] : [] };
}

/** The application's secrets, making its first one when it has none (null: no such live application). */
async function ensured(env: Env, applicationId: string): Promise<Stored | null> {
  for (let tries = 0; tries < 3; tries++) {
    const found = await stored(env, applicationId);
    if (!found || found.secrets.length > 0 || applicationId === DEFAULT_APPLICATION) return found;
    const secrets = [{ value: await sealSecret(env, callbackSecretOwner(applicationId), generateSecret()), expires_at: null }];
    if (await writeCallbackSecrets(env.DB, applicationId, null, secrets)) return { json: JSON.stringify(secrets), secrets };
  }
  throw new Error(`callback secrets of ${applicationId} keep changing under us`);
}

const opened = (env: Env, applicationId: string, secrets: StoredSecret[]) => Promise.all(secrets.map((s) => openSecret(env, callbackSecretOwner(applicationId), s.value)));

/** The secrets that sign the application's callbacks now, in clear, newest first ([]: it can sign none). */
export async function callbackSigningSecrets(env: Env, applicationId: string, nowMs = Date.now()): Promise<string[]> {
  const found = await ensured(env, applicationId);
  return found ? opened(env, applicationId, liveSecrets(found.secrets, nowMs)) : [];
}

/** The current callback secret in clear; null when the application has none (the default one without CALLBACK_SECRET). */
export async function currentCallbackSecret(env: Env, applicationId: string, nowMs = Date.now()): Promise<string | null> {
  return (await callbackSigningSecrets(env, applicationId, nowMs))[0] ?? null;
}

/** A new current secret (`secret`, sealed here); the others sign beside it for 24 h. */
export async function rotateCallbackSecret(env: Env, applicationId: string, secret: string, nowMs = Date.now()): Promise<Refusal | null> {
  const sealed = await sealSecret(env, callbackSecretOwner(applicationId), secret);
  for (let tries = 0; tries < 3; tries++) {
    const found = await ensured(env, applicationId);
    if (!found) throw new Error(`no application ${applicationId}`);
    // The default application's CALLBACK_SECRET, kept in clear in the setting, is sealed as it is stored.
    const before = await Promise.all(found.secrets.map(async (s) => (found.json === null ? { ...s, value: await sealSecret(env, callbackSecretOwner(applicationId), s.value) } : s)));
    const after = rotateSecrets(before, { value: sealed }, nowMs);
    if ('refused' in after) return after;
    if (await writeCallbackSecrets(env.DB, applicationId, found.json, after)) return null;
  }
  throw new Error(`callback secrets of ${applicationId} keep changing under us`);
}

/** Whether the application's callbacks can be signed: without, an event with a `callback_url` is refused. */
export async function canSignCallbacks(env: Env, applicationId: string): Promise<boolean> {
  if (applicationId !== DEFAULT_APPLICATION) return Boolean(env.SECRETS_KEY); // its first secret is made and sealed when needed
  return Boolean(env.CALLBACK_SECRET) || Boolean(await readCallbackSecrets(env.DB, applicationId));
}
