// Applications: the producer's customers. Resolving the one a request acts on (404 for any other than a
// key's own, so that ids do not leak), and creating, changing and deleting them.
import type { Env, Principal } from '../env';
import {
  DEFAULT_APPLICATION,
  DEFAULT_PORTAL,
  findApplication,
  findApplicationCached,
  insertApplication,
  markApplicationDeleted,
  updateApplication,
  type ApplicationFields,
  type ApplicationRow,
  type PortalSettings,
} from '../store/applications';
import { forgetKeysOf } from '../store/api-keys';
import { purgeApplication } from '../delivery/purge-application';
import { currentCallbackSecret, rotateCallbackSecret } from '../delivery/callback-secrets';
import { generateSecret } from '../signing/secret';
import { assertGivenSecret } from './lookups';

export { listApplications } from '../store/applications';
import { newId } from '../utils/ids';
import { fail } from '../utils/problem';

/**
 * The application a request acts on: the one named (id or uid), else the key's own (the default
 * application for an operator). A missing, deleted or other application's one is a 404.
 */
export async function applicationFor(env: Env, who: Principal, named: string | undefined): Promise<ApplicationRow> {
  const wanted = named ?? (who.scope === 'application' ? who.application_id : DEFAULT_APPLICATION);
  const app = await findApplicationCached(env.DB, wanted);
  if (!app || (who.scope === 'application' && app.id !== who.application_id)) throw fail(404, `No application ${wanted}.`);
  return app;
}

/**
 * Words that already mean something where an application is named: `default` (the built-in one),
 * `operator` (an API key's scope for every application), and words a reader takes for "every" or
 * "none" or "mine". Compared without case: `Operator` reads like `operator` to a person.
 */
export const RESERVED_UIDS = ['default', 'operator', 'all', 'any', 'none', 'null', 'me', 'self'] as const;

/** `app_` is edgehook's, the reserved words are taken: a uid is anything else that fits in a path segment. */
export function assertUid(uid: string | null | undefined): void {
  if (uid === undefined || uid === null) return;
  if ((RESERVED_UIDS as readonly string[]).includes(uid.toLowerCase()) || uid.toLowerCase().startsWith('app_')) {
    throw fail(422, `A uid may not start with \`app_\` (edgehook's ids) or be one of ${RESERVED_UIDS.map((w) => `\`${w}\``).join(', ')}: those mean something else where an application is named.`, [{ path: 'uid', message: 'reserved' }]);
  }
}

export async function createApplication(
  env: Env,
  input: { name: string; uid?: string; metadata?: Record<string, string>; portal?: PortalSettings },
  nowMs = Date.now(),
): Promise<ApplicationRow> {
  assertUid(input.uid);
  const now = new Date(nowMs).toISOString();
  const app: ApplicationRow = {
    id: newId('app', nowMs),
    uid: input.uid ?? null,
    name: input.name,
    metadata: input.metadata ?? {},
    portal: input.portal ?? DEFAULT_PORTAL,
    created_at: now,
    updated_at: now,
  };
  if (!(await insertApplication(env.DB, app))) throw fail(409, `The uid ${input.uid} is taken by another application.`);
  return app;
}

export async function changeApplication(env: Env, id: string, fields: ApplicationFields, nowMs = Date.now()): Promise<ApplicationRow> {
  assertUid(fields.uid);
  const { app, conflict } = await updateApplication(env.DB, id, fields, new Date(nowMs).toISOString());
  if (conflict) throw fail(409, `The uid ${fields.uid} is taken by another application.`);
  if (!app) throw fail(404, `No application ${id}.`);
  return app;
}

/**
 * Deletes it at once for the API (its keys stop working, its uid is free again); its subscriptions are
 * removed and its pending deliveries failed after the response, and by the sweep if that does not finish.
 */
export async function deleteApplication(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, id: string, nowMs = Date.now()): Promise<void> {
  if (id === DEFAULT_APPLICATION) throw fail(409, 'The default application cannot be deleted.');
  if (!(await markApplicationDeleted(env.DB, id, new Date(nowMs).toISOString()))) throw fail(404, `No application ${id}.`);
  forgetKeysOf(id); // its keys are refused on the next request here (elsewhere within KEY_CACHE_MS)
  ctx.waitUntil(purgeApplication(env, { id, deleted_at: new Date(nowMs).toISOString() }, nowMs).catch((err) => console.error(JSON.stringify({ msg: 'application purge failed; the sweep goes on', application_id: id, error: String(err) }))));
}

/** The application's current callback secret, in clear (the application is resolved already: its portal). */
export async function callbackSecretFor(env: Env, applicationId: string): Promise<string> {
  const secret = await currentCallbackSecret(env, applicationId);
  if (!secret) throw fail(409, 'This application has no callback secret yet: set CALLBACK_SECRET, or rotate to make one.');
  return secret;
}

/** A new current callback secret (given or generated); the ones still signing keep signing for 24 h. */
export async function rotateCallbackSecretFor(env: Env, applicationId: string, given?: string): Promise<string> {
  assertGivenSecret(given);
  const secret = given ?? generateSecret();
  const refused = await rotateCallbackSecret(env, applicationId, secret);
  if (refused) throw fail(409, refused.refused);
  return secret;
}

/** The callback secret of the application a key names (its own key, or an operator's). */
export async function callbackSecretOf(env: Env, who: Principal, named: string): Promise<string> {
  return callbackSecretFor(env, (await applicationFor(env, who, named)).id);
}

export async function rotateCallbackSecretOf(env: Env, who: Principal, named: string, given?: string): Promise<string> {
  assertGivenSecret(given);
  return rotateCallbackSecretFor(env, (await applicationFor(env, who, named)).id, given);
}
