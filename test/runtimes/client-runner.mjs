// edgehook/client's cases in whatever runtime runs this file (Node, Bun, Deno), imported through the
// package export as a user would, against `wrangler dev` behind a proxy that drops connections
// (scripts/test-runtimes.mjs starts both and passes EDGEHOOK_URL and EDGEHOOK_TOKEN). Exits 1 on any failure.
import * as client from 'edgehook/client';
import { clientCases } from '../client-cases.mjs';
import { exit, runCases } from './run-cases.mjs';

const envVar = (name) => (globalThis.Deno ? globalThis.Deno.env.get(name) : process.env[name]);
const baseUrl = envVar('EDGEHOOK_URL');
const token = envVar('EDGEHOOK_TOKEN');
if (!baseUrl || !token) {
  console.log('client-runner: EDGEHOOK_URL and EDGEHOOK_TOKEN are needed (scripts/test-runtimes.mjs sets them)');
  exit(1);
}

const drops = async () => Number(await (await fetch(`${baseUrl}/__proxy/drops`)).text());
// Deno's fetch sends a request again by itself, POST included, when a kept-alive connection breaks in the
// middle of the answer (measured: the proxy saw the same POST twice, the caller one failure-free fetch).
// That hides the client's own retry from the count, so under Deno every request gets a fresh connection.
const http = globalThis.Deno ? { client: globalThis.Deno.createHttpClient({ poolMaxIdlePerHost: 0 }) } : undefined;
await runCases('client', clientCases(client, { baseUrl, token, fetch: (request) => fetch(request, http), drops }));
