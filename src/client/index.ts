// edgehook/client: a small typed client for the edgehook API, in any fetch runtime (Workers, Node 22+,
// Deno, Bun). Its types are generated from the served OpenAPI document (`npm run gen:client`), and its
// calls are openapi-fetch's: no second description of the API. Every failed call throws one error type,
// EdgehookError, carrying the answer's problem+json. `events.send` is safe to retry: it sends the same
// Idempotency-Key on every try, so a retry after a lost answer returns the first event, never a second.
import createFetchClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './api.ts';

export type { components, paths };
export type Problem = components['schemas']['Problem'];
export type EventCreate = components['schemas']['EventCreate'];
export type EventAccepted = components['schemas']['EventAccepted'];
/** The `event.completed` callback's body: `data.application_id` says whose callback secret signed it. */
export type EventCompleted = components['schemas']['EventCompleted'];

/** Every failed call: an answer that is not 2xx (`status` and its problem+json), or no answer (`status` 0). */
export class EdgehookError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds the service asked to wait (`Retry-After` of a 429 or 503), when it said. */
  readonly retryAfter: number | undefined;
  constructor(problem: Problem, options?: { cause?: unknown; retryAfter?: number }) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title, { cause: options?.cause });
    this.name = 'EdgehookError';
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = options?.retryAfter;
  }
}

export interface RetryOptions {
  /** Tries in all, the first included (default 4). */
  attempts?: number;
  /** The first wait; each next one doubles, with jitter (default 250 ms). */
  minDelayMs?: number;
  /** The longest wait between tries, a `Retry-After` included (default 10 s). */
  maxDelayMs?: number;
}

export interface ClientOptions {
  /** Where edgehook runs, e.g. `https://hooks.example.com`. */
  baseUrl: string;
  /** An API key (`ehk_…`) or the operator token. */
  token: string;
  /** Retries of `events.send` (network errors, 429, 5xx). */
  retry?: RetryOptions;
  /** Another fetch (a service binding's, a test's). */
  fetch?: (request: Request) => Promise<Response>;
}

export interface SendOptions {
  /** Defaults to a new random key; pass your own to make a send idempotent across processes. */
  idempotencyKey?: string;
  /** An application's id or uid (operator keys): sends under `/v1/applications/{app}/events`. */
  application?: string;
  signal?: AbortSignal;
}

export interface EdgehookClient {
  /** The whole API, typed from the OpenAPI document; any failure throws EdgehookError. */
  api: Client<paths>;
  events: {
    /** Sends an event; retries network errors, 429 and 5xx with backoff under one Idempotency-Key. */
    send(event: EventCreate, options?: SendOptions): Promise<EventAccepted>;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds from `Retry-After` (delta-seconds or an HTTP date), when present and readable. */
function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** The answer's problem+json, or one made from its status when the body is not one (a proxy's page). */
async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body.title === 'string') return { type: 'about:blank', detail: '', ...body, status: response.status } as Problem;
  } catch {
    // not JSON: described below
  }
  return { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: text.slice(0, 200) };
}

const throwOnFailure: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined;
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    throw new EdgehookError(await problemOf(response), { retryAfter });
  },
  onError({ error }) {
    if (error instanceof EdgehookError || (error instanceof Error && error.name === 'AbortError')) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new EdgehookError({ type: 'about:blank', title: 'No answer from edgehook', status: 0, detail }, { cause: error });
  },
};

const retryable = (error: unknown) =>
  error instanceof EdgehookError && (error.status === 0 || error.status === 429 || error.status >= 500);

/** The wait before try `n + 1`: exponential with jitter (half to all of it), or what `Retry-After` asked. */
function delayMs(n: number, error: EdgehookError, retry: Required<RetryOptions>): number {
  const backoff = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** (n - 1));
  const jittered = backoff / 2 + Math.random() * (backoff / 2);
  const asked = error.retryAfter === undefined ? 0 : error.retryAfter * 1000;
  return Math.min(retry.maxDelayMs, Math.max(jittered, asked));
}

export function createEdgehookClient(options: ClientOptions): EdgehookClient {
  const api = createFetchClient<paths>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  api.use(throwOnFailure);
  const retry: Required<RetryOptions> = { attempts: 4, minDelayMs: 250, maxDelayMs: 10_000, ...options.retry };

  const postEvent = (event: EventCreate, key: string, send: SendOptions) => {
    const header = { 'idempotency-key': key };
    return send.application === undefined
      ? api.POST('/v1/events', { body: event, params: { header }, signal: send.signal })
      : api.POST('/v1/applications/{app}/events', { body: event, params: { header, path: { app: send.application } }, signal: send.signal });
  };

  return {
    api,
    events: {
      async send(event, send = {}) {
        const key = send.idempotencyKey ?? crypto.randomUUID();
        for (let n = 1; ; n++) {
          try {
            const { data } = await postEvent(event, key, send);
            return data as EventAccepted;
          } catch (error) {
            if (n >= retry.attempts || !retryable(error) || send.signal?.aborted) throw error;
            await sleep(delayMs(n, error as EdgehookError, retry));
          }
        }
      },
    },
  };
}
