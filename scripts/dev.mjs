// `npm run dev`: edgehook on http://127.0.0.1:8787, offline, with the dev token from .dev.vars.
// Local state (D1, KV, Durable Objects) lives in .wrangler/state and survives a restart, a crash
// included: the sweep runs at start and every minute, and queues again whatever the crash left undone.
//   npm run dev -- --port 9000            another port (or PORT=9000)
//   npm run dev -- --var NAME:value …     set a var (as `wrangler dev --var` does)
//   npm run dev -- --ip 0.0.0.0 …         any other `wrangler dev` flag, passed on (see --help)
// Also EDGEHOOK_STATE_DIR (another state folder) and EDGEHOOK_SWEEP_EVERY_MS.
import { spawnSync } from 'node:child_process';
import { nodeVersionProblem } from './lib/node-version.mjs';
import { isLoopback, parseDevArgs, USAGE, wranglerFlags } from './lib/dev-flags.mjs';

const problem = nodeVersionProblem();
if (problem) {
  console.error(problem);
  process.exit(1);
}

const { ensureDevVars, ROOT, startDevServer } = await import('./lib/dev-server.mjs');
const help = spawnSync(`${ROOT}node_modules/.bin/wrangler`, ['dev', '--help'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
let args;
try {
  args = parseDevArgs(process.argv.slice(2), wranglerFlags(help.stdout));
} catch (err) {
  console.error(`npm run dev: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(`${USAGE}\n\nEvery other flag goes to wrangler dev:\n${help.stdout.slice(help.stdout.indexOf('OPTIONS'))}`);
  process.exit(0);
}
if (!isLoopback(args.ip)) {
  console.warn(
    `\n⚠  --ip ${args.ip}: edgehook will answer from the network. Its API token is the dev token in .dev.vars,\n` +
      '   and ALLOW_INSECURE_URLS=true there lets anyone who has it make edgehook call any http: URL, private ones too.\n',
  );
}

const vars = ensureDevVars();
const server = await startDevServer({
  port: args.port ?? Number(process.env.PORT ?? 8787),
  ip: args.ip,
  inspectorPort: args.inspectorPort,
  persistTo: args.persistTo ?? (process.env.EDGEHOOK_STATE_DIR || undefined),
  sweepEveryMs: Number(process.env.EDGEHOOK_SWEEP_EVERY_MS) || undefined,
  vars: args.vars,
  extraArgs: args.pass,
});
const token = args.vars.API_TOKEN ?? vars.API_TOKEN;
console.log(`\nedgehook is running on ${server.url}  (API token: ${token === 'dev-token' ? 'dev-token' : 'see .dev.vars'})`);
console.log('The cron sweep runs now and every minute. Ctrl-C stops everything.\n');

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
