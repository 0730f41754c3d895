// `npm run dev`: edgehook on http://127.0.0.1:8787, offline, with the dev token from .dev.vars.
// Local state (D1, KV, Durable Objects) lives in .wrangler/state and survives a restart, a crash
// included: the sweep runs at start and every minute, and queues again whatever the crash left undone.
//   npm run dev -- --port 9000            another port (or PORT=9000)
//   npm run dev -- --var NAME:value …     set a var (as `wrangler dev --var` does)
// Also EDGEHOOK_STATE_DIR (another state folder) and EDGEHOOK_SWEEP_EVERY_MS.
import { parseArgs } from 'node:util';
import { nodeVersionProblem } from './lib/node-version.mjs';

const problem = nodeVersionProblem();
if (problem) {
  console.error(problem);
  process.exit(1);
}

const USAGE = 'usage: npm run dev -- [--port N] [--var NAME:value …]';
const refuse = (why) => {
  console.error(`npm run dev: ${why}\n${USAGE}`);
  process.exit(2);
};
let parsed;
try {
  parsed = parseArgs({ options: { port: { type: 'string' }, var: { type: 'string', multiple: true } }, strict: true }).values;
} catch (err) {
  refuse(err.message);
}
const { port: flag } = parsed;
if (flag !== undefined && !(/^\d+$/.test(flag) && Number(flag) > 0 && Number(flag) < 65536)) refuse(`cannot use --port ${flag}`);
const port = Number(flag ?? process.env.PORT ?? 8787);
const extraVars = {};
for (const pair of parsed.var ?? []) {
  if (!pair.includes(':')) refuse(`cannot use --var ${pair}: NAME:value`);
  extraVars[pair.slice(0, pair.indexOf(':'))] = pair.slice(pair.indexOf(':') + 1);
}

const { ensureDevVars, startDevServer } = await import('./lib/dev-server.mjs');
const vars = ensureDevVars();
const server = await startDevServer({
  port,
  persistTo: process.env.EDGEHOOK_STATE_DIR || undefined,
  sweepEveryMs: Number(process.env.EDGEHOOK_SWEEP_EVERY_MS) || undefined,
  vars: extraVars,
});
const token = extraVars.API_TOKEN ?? vars.API_TOKEN;
console.log(`\nedgehook is running on ${server.url}  (API token: ${token === 'dev-token' ? 'dev-token' : 'see .dev.vars'})`);
console.log('The cron sweep runs now and every minute. Ctrl-C stops everything.\n');

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
