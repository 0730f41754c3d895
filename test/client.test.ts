// edgehook/client inside workerd, against the whole Worker: the shared cases (test/client-cases.mjs) with
// the first answer to each Idempotency-Key's first event POST lost after the Worker stored the event, as a
// connection dropped on its way back would lose it. Node, Bun and Deno run the same cases against
// `wrangler dev` through a proxy that drops the connection (scripts/test-runtimes.mjs).
import { exports } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import * as client from '../src/client/index.ts';
import { clientCases } from './client-cases.mjs';
import { TOKEN } from './support/helpers';

const seen = new Set<string>();
let drops = 0;
async function dropFirstAnswer(request: Request): Promise<Response> {
  const key = request.headers.get('idempotency-key');
  const answer = request.url.startsWith('https://edgehook.test/') ? await exports.default.fetch(request) : await fetch(request);
  if (request.method === 'POST' && key && !seen.has(key)) {
    seen.add(key);
    drops++;
    await answer.body?.cancel();
    throw new TypeError('Network connection lost.');
  }
  return answer;
}

describe('edgehook/client in workerd', () => {
  const cases = clientCases(client, { baseUrl: 'https://edgehook.test', token: TOKEN, fetch: dropFirstAnswer, drops: () => drops });
  for (const c of cases) it(c.name, () => c.run());
});
