// edgehook/client's cases, shared by the workerd suite (test/client.test.ts) and the runner that runs them
// in Node, Bun and Deno (test/runtimes/client-runner.mjs) against `wrangler dev`. In every place the
// first answer to each Idempotency-Key's first POST of an event is lost after edgehook stored the event
// (a dropped connection); `drops()` says how many were dropped. Each case throws when the client misbehaves.

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function rejects(promise, EdgehookError) {
  try {
    await promise;
  } catch (err) {
    assert(err instanceof EdgehookError, `expected EdgehookError, got ${err}`);
    return err;
  }
  throw new Error('expected an EdgehookError, but the call succeeded');
}

/**
 * @param mod the client module ({ createEdgehookClient, EdgehookError })
 * @param service { baseUrl, token, fetch (the runtime's, through whatever drops answers), drops() (may be async) }
 */
export function clientCases(mod, service) {
  const { createEdgehookClient, EdgehookError } = mod;
  const tag = Math.random().toString(36).slice(2, 8);
  let tries = 0;
  const counting = (request) => {
    tries++;
    return service.fetch(request);
  };
  const fast = { minDelayMs: 5, maxDelayMs: 50 };
  const client = createEdgehookClient({ baseUrl: service.baseUrl, token: service.token, fetch: counting, retry: fast });
  const eventsOfType = async (type) => {
    const { data } = await client.api.GET('/v1/events', { params: { query: { type, limit: 10 } } });
    return data.data;
  };

  return [
    {
      name: 'a send whose answer is lost is retried with the same key and makes exactly one event',
      async run() {
        const type = `client.${tag}.lost`;
        const dropsBefore = await service.drops();
        tries = 0;
        const sent = await client.events.send({ type, data: { n: 1 } });
        assert(/^evt_/.test(sent.id), `expected an event id, got ${JSON.stringify(sent)}`);
        const dropsAfter = await service.drops();
        assert(dropsAfter === dropsBefore + 1, `expected the first answer dropped, drops ${dropsBefore} -> ${dropsAfter}`);
        assert(tries === 2, `expected 2 tries, made ${tries}`);
        const logged = await eventsOfType(type);
        assert(logged.length === 1, `expected exactly one event of ${type} in the log, found ${logged.length}`);
        assert(logged[0].id === sent.id, `the log's event ${logged[0].id} is not the one answered ${sent.id}`);
      },
    },
    {
      name: "the caller's own Idempotency-Key across two sends makes one event",
      async run() {
        const type = `client.${tag}.own`;
        const key = `order-42-${tag}`;
        const first = await client.events.send({ type, data: { order: 42 } }, { idempotencyKey: key });
        const again = await client.events.send({ type, data: { order: 42 } }, { idempotencyKey: key });
        assert(first.id === again.id, `two sends with one key made ${first.id} and ${again.id}`);
        assert((await eventsOfType(type)).length === 1, 'expected one event in the log');
      },
    },
    {
      name: 'a refused event throws EdgehookError with its problem+json, and is not retried',
      async run() {
        tries = 0;
        const err = await rejects(client.events.send({ type: 'bad..type', data: {} }), EdgehookError);
        assert(err.status === 422 && err.problem.status === 422, `expected 422, got ${err.status}`);
        assert(typeof err.problem.title === 'string' && err.problem.errors?.[0]?.path === 'type', `problem body: ${JSON.stringify(err.problem)}`);
        // Two tries: the first one's answer is dropped (every new key's is, here), the second is the 422.
        assert(tries === 2, `a 422 was tried ${tries - 1} times after the dropped one`);
      },
    },
    {
      name: 'a reused key with another body is a 409 EdgehookError, not retried',
      async run() {
        const key = `reuse-${tag}`;
        await client.events.send({ type: `client.${tag}.reuse`, data: { a: 1 } }, { idempotencyKey: key });
        tries = 0;
        const err = await rejects(client.events.send({ type: `client.${tag}.reuse`, data: { a: 2 } }, { idempotencyKey: key }), EdgehookError);
        assert(err.status === 409, `expected 409, got ${err.status}`);
        assert(tries === 1, `a 409 was tried ${tries} times`);
      },
    },
    {
      name: 'a wrong token is a 401 EdgehookError from any call of the typed API',
      async run() {
        const stranger = createEdgehookClient({ baseUrl: service.baseUrl, token: 'not-a-token', fetch: service.fetch });
        const err = await rejects(stranger.api.GET('/v1/subscriptions', {}), EdgehookError);
        assert(err.status === 401 && err.problem.status === 401, `expected 401, got ${err.status}`);
        const notFound = await rejects(client.api.GET('/v1/events/{id}', { params: { path: { id: 'evt_missing' } } }), EdgehookError);
        assert(notFound.status === 404, `expected 404, got ${notFound.status}`);
      },
    },
    {
      name: '429 and 503 are retried (Retry-After honoured) under one key; the event is made once',
      async run() {
        const keys = [];
        let refusals = 0;
        const busy = async (request) => {
          keys.push(request.headers.get('idempotency-key'));
          if (refusals < 2) {
            refusals++;
            const status = refusals === 1 ? 429 : 503;
            const problem = { type: 'about:blank', title: 'Busy', status, detail: 'try again' };
            return new Response(JSON.stringify(problem), { status, headers: { 'content-type': 'application/problem+json', 'retry-after': '0' } });
          }
          return service.fetch(request);
        };
        const patient = createEdgehookClient({ baseUrl: service.baseUrl, token: service.token, fetch: busy, retry: fast });
        const type = `client.${tag}.busy`;
        const sent = await patient.events.send({ type, data: {} });
        assert(keys.length >= 3 && keys.every((k) => k && k === keys[0]), `expected 3+ tries under one key, got ${JSON.stringify(keys)}`);
        assert((await eventsOfType(type)).length === 1 && sent.id, 'expected one event');
      },
    },
    {
      name: 'no answer at all: EdgehookError status 0 with the cause, after the configured tries',
      async run() {
        let made = 0;
        const refused = (request) => {
          made++;
          return fetch(request);
        };
        const nowhere = createEdgehookClient({ baseUrl: 'http://127.0.0.1:1', token: 't', fetch: refused, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5 } });
        const err = await rejects(nowhere.events.send({ type: 'client.nowhere', data: {} }), EdgehookError);
        assert(err.status === 0 && err.cause !== undefined, `expected status 0 with a cause, got ${err.status}`);
        assert(made === 3, `expected 3 tries, made ${made}`);
      },
    },
  ];
}
