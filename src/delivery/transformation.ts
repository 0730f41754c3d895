// Runs a subscription's transformation in a Dynamic Worker (the Worker Loader binding, `LOADER`): an
// isolate of its own per (subscription, version of its code), with no network (`globalOutbound: null`),
// no bindings, a CPU limit, an iteration budget put into the code when it was saved, a timeout here for
// a promise that never settles, and a bound on its answer's size. What it returns is checked here again.
import type { Env } from '../env';
import { headerErrors } from '../utils/custom-headers';
import { RESET } from '../utils/iteration-budget';

export const TRANSFORMATION_LIMITS = {
  /** The code as sent, in UTF-8 bytes (422 above). */
  codeBytes: 64 * 1024,
  /** Loop iterations and function calls, together, per run. */
  iterations: 1_000_000,
  /** CPU time per run, enforced by Cloudflare (not by `wrangler dev`: the iteration budget is the local line). */
  cpuMs: 10,
  /** How long a run may take before the caller gives up on it (a promise that never settles). */
  timeoutMs: 2_000,
  /** The serialised payload it returns, in UTF-8 bytes. */
  answerBytes: 1024 * 1024,
} as const;

/** Distinct Dynamic Workers one Worker request may have in flight (Cloudflare's limit, "Limits" in the Dynamic Workers docs). */
export const DYNAMIC_WORKERS_PER_REQUEST = 4;

export interface TransformationInput {
  event_type: string;
  /** The whole body edgehook would send, parsed: `{type, timestamp, data}`. */
  payload: unknown;
  /** The subscription's custom headers. */
  headers: Record<string, string>;
}

/**
 * The body to send (serialised once, in the isolate) and the headers to send with it (null: the
 * subscription's custom headers, unchanged); or nothing to send; or why it failed.
 */
export type TransformationResult = { body: string; headers: Record<string, string> | null } | { cancel: true } | { error: string };

/** The isolate of a subscription's code at one version: the same name always carries the same code. */
export const transformationIsolate = (subscriptionId: string, version: string) => `sub:${subscriptionId}:${version}`;

/** The loaded Worker's own module: calls the user's function and checks the shape of what it returns. */
const MAIN = `import * as user from './user.js';
const fail = (error) => ({ error });
export default {
  // One argument: a plain object's methods take exactly one over RPC.
  async run({ input, answerBytes }) {
    user.${RESET}();
    const fn = typeof user.default === 'function' ? user.default : typeof user.handler === 'function' ? user.handler : null;
    if (!fn) return fail('the module exports no function: export default (or export a function named handler)');
    let out;
    try {
      out = await fn(input);
    } catch (err) {
      return fail('it threw ' + (err && err.name ? err.name + ': ' : '') + (err && err.message !== undefined ? err.message : String(err)));
    }
    if (out === null || typeof out !== 'object' || Array.isArray(out)) return fail('it returned ' + (out === null ? 'null' : Array.isArray(out) ? 'an array' : typeof out) + ', not {payload, headers?} or {cancel: true}');
    if (out.cancel === true) return { cancel: true };
    if (!('payload' in out)) return fail('it returned an object without payload (or cancel: true)');
    let body;
    try {
      body = JSON.stringify(out.payload);
    } catch (err) {
      return fail('its payload is not JSON: ' + err.message);
    }
    if (body === undefined) return fail('its payload is not JSON (' + typeof out.payload + ')');
    if (new TextEncoder().encode(body).length > answerBytes) return fail('its payload is larger than ' + answerBytes + ' bytes');
    if (out.headers === undefined) return { body, headers: null };
    const headers = out.headers;
    if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return fail('its headers are not an object of strings');
    const extra = {};
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v !== 'string') return fail('its header ' + JSON.stringify(k) + ' is not a string');
      extra[k] = v;
    }
    return { body, headers: extra };
  },
};
`;

/** Whether this deployment can run transformations (a plan without Dynamic Workers has no binding). */
export const canTransform = (env: Pick<Env, 'LOADER'>): boolean => Boolean(env.LOADER);

/**
 * Runs `module` (the code as saved, with its iteration budget) on `input` in the isolate named `isolate`
 * (one per subscription and code version; the same name must always carry the same code).
 */
export async function runTransformation(env: Pick<Env, 'LOADER'>, isolate: string, module: string, input: TransformationInput): Promise<TransformationResult> {
  if (!env.LOADER) return { error: 'transformations are not available here (no Worker Loader binding)' };
  const worker = env.LOADER.get(isolate, async () => ({
    compatibilityDate: '2026-11-01',
    mainModule: 'main.js',
    modules: { 'main.js': MAIN, 'user.js': module },
    globalOutbound: null,
    env: {},
    limits: { cpuMs: TRANSFORMATION_LIMITS.cpuMs },
  }));
  const entry = worker.getEntrypoint() as unknown as { run(call: { input: TransformationInput; answerBytes: number }): Promise<TransformationResult> };
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<TransformationResult>((resolve) => {
    timer = setTimeout(() => resolve({ error: `it did not finish within ${TRANSFORMATION_LIMITS.timeoutMs} ms` }), TRANSFORMATION_LIMITS.timeoutMs);
  });
  try {
    const result = await Promise.race([entry.run({ input, answerBytes: TRANSFORMATION_LIMITS.answerBytes }), timeout]);
    if ('body' in result && result.headers) {
      const problems = headerErrors(result.headers);
      if (problems.length > 0) return { error: `its headers are refused: ${problems.map((p) => `${p.path.join('.') || 'headers'} ${p.message}`).join('; ')}` };
    }
    return result;
  } catch (err) {
    // The platform's own stops (the CPU limit, an allocation too large, a module that does not load).
    return { error: `it was stopped: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
