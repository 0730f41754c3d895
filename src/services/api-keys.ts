// API keys: made here, shown once, kept only as a SHA-256; and who a bearer token is.
import { timingSafeEqual } from 'hono/utils/buffer';
import type { Env, Principal } from '../env';
import { forgetKey, getApiKey, insertApiKey, liveKey, OPERATOR_SCOPE, revokeApiKey, touchApiKey, type ApiKeyRow } from '../store/api-keys';

export { listApiKeys } from '../store/api-keys';
import { randomToken, sha256Hex } from '../utils/hash';
import { newId } from '../utils/ids';
import { fail } from '../utils/problem';
import { applicationFor } from './applications';

/** `ehk_` + 43 characters of base64url: 256 random bits. */
const KEY_FORM = /^ehk_[A-Za-z0-9_-]{43}$/;

/**
 * Who `token` is: API_TOKEN (the bootstrap operator key, compared in constant time) or a live API key
 * (looked up by its hash, so no comparison of secrets happens at all). Null: nobody.
 */
export async function authenticate(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, token: string, nowMs = Date.now()): Promise<Principal | null> {
  if (env.API_TOKEN && (await timingSafeEqual(token, env.API_TOKEN))) return { scope: 'operator', key_id: null };
  if (!KEY_FORM.test(token)) return null;
  const key = await liveKey(env.DB, await sha256Hex(token), nowMs);
  if (!key) return null;
  if (!key.last_used_at || Date.parse(key.last_used_at) < nowMs - 60_000) {
    key.last_used_at = new Date(nowMs).toISOString(); // this isolate's copy: one stamp a minute
    ctx.waitUntil(touchApiKey(env.DB, key.id, nowMs).catch(() => {}));
  }
  return key.scope === OPERATOR_SCOPE ? { scope: 'operator', key_id: key.id } : { scope: 'application', application_id: key.scope, key_id: key.id };
}

/** Makes a key of `scope` (`operator`, or an application's id or uid); returns it with the key, the one time it is shown. */
export async function createApiKey(env: Env, input: { name: string; scope: string }, nowMs = Date.now()): Promise<ApiKeyRow & { key: string }> {
  let scope = OPERATOR_SCOPE;
  if (input.scope !== OPERATOR_SCOPE) {
    const app = await applicationFor(env, { scope: 'operator', key_id: null }, input.scope).catch(() => null);
    if (!app) throw fail(422, `No application ${input.scope}.`, [{ path: 'scope', message: '`operator`, or the id or uid of an application' }]);
    scope = app.id;
  }
  const key = `ehk_${randomToken()}`;
  const row = { id: newId('key', nowMs), name: input.name, scope, created_at: new Date(nowMs).toISOString() };
  await insertApiKey(env.DB, row, await sha256Hex(key));
  return { ...row, last_used_at: null, revoked_at: null, key };
}

export async function revokeKey(env: Env, id: string, nowMs = Date.now()): Promise<ApiKeyRow> {
  const key = await revokeApiKey(env.DB, id, new Date(nowMs).toISOString());
  if (!key) throw fail(404, `No API key ${id}.`);
  forgetKey(id); // refused on the next request here
  return key;
}

export async function apiKeyOr404(env: Env, id: string): Promise<ApiKeyRow> {
  const key = await getApiKey(env.DB, id);
  if (!key) throw fail(404, `No API key ${id}.`);
  return key;
}
