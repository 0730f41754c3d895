// `npm run dev`: edgehook on http://127.0.0.1:8787, offline, with the dev token from .dev.vars.
// Local state (D1, KV, Durable Objects) lives in .wrangler/state and survives a restart, a crash
// included: the sweep runs at start and every minute, and queues again whatever the crash left undone.
// Optional: PORT, EDGEHOOK_STATE_DIR (another state folder), EDGEHOOK_SWEEP_EVERY_MS, and
// `npm run dev -- --var NAME:value …` to set a var (as `wrangler dev --var` does).
import { ensureDevVars, startDevServer } from './lib/dev-server.mjs';

const vars = ensureDevVars();
const port = Number(process.env.PORT ?? 8787);
const args = process.argv.slice(2);
const extraVars = {};
for (let i = 0; i < args.length; i++) {
  const pair = args[i] === '--var' ? args[++i] : undefined;
  if (!pair?.includes(':')) throw new Error(`unknown argument ${args[i]}: only --var NAME:value is understood`);
  extraVars[pair.slice(0, pair.indexOf(':'))] = pair.slice(pair.indexOf(':') + 1);
}
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
