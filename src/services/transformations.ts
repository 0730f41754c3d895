// Transformations as the API and the pages handle them: checked and given their iteration budget when
// saved (422 where the code does not parse, or where the deployment has no Worker Loader binding), and
// tried on a sample without sending anything.
import { canTransform, runTransformation, TRANSFORMATION_LIMITS, transformationIsolate, type TransformationResult } from '../delivery/transformation';
import { envelopeBody } from '../delivery/envelope';
import type { Env } from '../env';
import { getEventType } from '../store/event-types';
import type { StoredSubscription, StoredTransformation } from '../store/subscriptions';
import { sha256Hex } from '../utils/hash';
import { withIterationBudget } from '../utils/iteration-budget';
import { fail } from '../utils/problem';
import { exampleOf } from '../utils/schema-example';
import { openHeaders } from '../delivery/header-values';

export interface GivenTransformation {
  code: string;
  enabled?: boolean;
}

function refuseWithoutLoader(env: Env): void {
  if (!canTransform(env)) {
    throw fail(422, 'Transformations need Dynamic Workers (the Worker Loader binding `LOADER`), which this deployment does not have.', [
      { path: 'transformation', message: 'no Worker Loader binding' },
    ]);
  }
}

/** The code with its budget, or a 422 naming what is wrong with it. */
async function compiled(code: string, path: string): Promise<{ module: string; version: string }> {
  const made = withIterationBudget(code, TRANSFORMATION_LIMITS.iterations);
  if ('error' in made) throw fail(422, `The transformation's code is refused: ${made.error}.`, [{ path, message: made.error }]);
  return { module: made.module, version: (await sha256Hex(code)).slice(0, 16) };
}

/** What is stored for a transformation given by the API (undefined: left as it is; null: none). */
export async function preparedTransformation(env: Env, given: GivenTransformation | null | undefined): Promise<StoredTransformation | null | undefined> {
  if (given === undefined || given === null) return given;
  refuseWithoutLoader(env);
  return { code: given.code, enabled: given.enabled ?? true, ...(await compiled(given.code, 'transformation.code')) };
}

export interface TransformationSample {
  event_type: string;
  /** The event's `data`; absent: the event type's example, else `{}`. */
  payload?: unknown;
  /** Code to try instead of the saved code. */
  code?: string;
}

export type TestResult = { ok: true; cancel: false; body: string; headers: Record<string, string> } | { ok: true; cancel: true } | { ok: false; error: string };

const answer = (r: TransformationResult, headers: Record<string, string>): TestResult =>
  'error' in r ? { ok: false, error: `transformation: ${r.error}` } : 'cancel' in r ? { ok: true, cancel: true } : { ok: true, cancel: false, body: r.body, headers: r.headers ?? headers };

/** Runs the subscription's transformation (or `sample.code`) on a sample event; nothing is sent. */
export async function tryTransformation(env: Env, sub: StoredSubscription, sample: TransformationSample, nowMs = Date.now()): Promise<TestResult> {
  refuseWithoutLoader(env);
  let module: string;
  let isolate: string;
  if (sample.code !== undefined) {
    const made = await compiled(sample.code, 'code');
    module = made.module;
    // Unsaved code gets an isolate per application and code: another application's tries never share it.
    isolate = `try:${sub.application_id}:${made.version}`;
  } else if (sub.transformation) {
    module = sub.transformation.module;
    isolate = transformationIsolate(sub.id, sub.transformation.version);
  } else {
    throw fail(409, 'The subscription has no transformation: send `code` to try one.');
  }
  const data = sample.payload !== undefined ? sample.payload : await catalogueExample(env, sample.event_type);
  const body = envelopeBody(sample.event_type, new Date(nowMs).toISOString(), JSON.stringify(data) ?? 'null');
  const headers = sub.headers ? await openHeaders(env, sub.id, sub.headers) : {};
  return answer(await runTransformation(env, isolate, module, { event_type: sample.event_type, payload: JSON.parse(body), headers }), headers);
}

async function catalogueExample(env: Env, type: string): Promise<unknown> {
  const row = await getEventType(env.DB, type);
  return row?.schema ? (exampleOf(JSON.parse(row.schema)) ?? {}) : {};
}
