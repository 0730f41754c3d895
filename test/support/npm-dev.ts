// `npm run dev -- …` as a reader runs it, for the Node tests: in a process group of its own (npm, the dev
// script, wrangler and workerd all stop together), its stdout and stderr collected.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../scripts/lib/dev-server.mjs';
import { stopTree } from '../../scripts/lib/processes.mjs';

export function npmDev(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn('npm', ['run', 'dev', '--', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return {
    output: () => output,
    /** Waits (up to `ms`) for its "edgehook is running" line; answers what it printed by then. */
    async running(ms = 60_000): Promise<string> {
      const deadline = Date.now() + ms;
      while (!output.includes('edgehook is running') && Date.now() < deadline) await sleep(100);
      return output;
    },
    stop: () => stopTree(child.pid!, { group: true }),
  };
}
