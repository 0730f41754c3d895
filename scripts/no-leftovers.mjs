// `npm test` runs its suites under this: every process they start carries a marker in its environment,
// and once they end, none may be left running. One that is (a `wrangler dev` a test did not stop, its
// workerd) is named, stopped, and fails the run.
//   node scripts/no-leftovers.mjs <command> [args…]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { gone, processesWithEnv, signal } from './lib/processes.mjs';

const MARK = 'EDGEHOOK_TEST_RUN';
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/no-leftovers.mjs <command> [args…]');
  process.exit(2);
}
const run = randomUUID();
const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, [MARK]: run } });
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));

if (process.platform !== 'linux') {
  console.log('no-leftovers: not checked (reads /proc, Linux only)');
  process.exit(code);
}
// A process stopping as the suite ended gets a moment to finish.
await gone(processesWithEnv(MARK, run).map((p) => p.pid), 10_000);
const left = processesWithEnv(MARK, run);
if (left.length > 0) {
  console.error(`no-leftovers: ${left.length} process(es) the tests started are still running; stopping them:`);
  for (const p of left) console.error(`  ${p.pid} ${p.cmd.slice(0, 200)}`);
  signal(left.map((p) => p.pid), 'SIGKILL');
  process.exit(code === 0 ? 1 : code);
}
console.log('no-leftovers: no process of the tests is left running');
process.exit(code);
