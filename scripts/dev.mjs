// `npm run dev`: edgehook on http://127.0.0.1:8787, offline, with the dev token from .dev.vars.
import { ensureDevVars, startDevServer } from './lib/dev-server.mjs';

const vars = ensureDevVars();
const port = Number(process.env.PORT ?? 8787);
const server = await startDevServer({ port });
console.log(`\nedgehook is running on ${server.url}  (API token: ${vars.API_TOKEN === 'dev-token' ? 'dev-token' : 'see .dev.vars'})`);
console.log('The cron sweep runs every minute. Ctrl-C stops everything.\n');

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
