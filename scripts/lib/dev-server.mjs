// Starts edgehook under `wrangler dev` (offline: local KV, D1, Queues), with D1 migrations applied first.
// Used by `npm run dev`, the demo and the benchmarks; stops every process it started.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopTree } from './processes.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = `${ROOT}node_modules/.bin/wrangler`;

/**
 * `.dev.vars` holds the local secrets (git-ignored): written once with a dev token, a fresh callback
 * secret and a fresh key that seals subscription secrets (added to an older file that lacks it).
 */
export function ensureDevVars(path = `${ROOT}.dev.vars`) {
  if (!existsSync(path)) {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    writeFileSync(path, `API_TOKEN=dev-token\nCALLBACK_SECRET=${secret}\nALLOW_INSECURE_URLS=true\n`, { mode: 0o600 });
  }
  if (!/^SECRETS_KEY=/m.test(readFileSync(path, 'utf8'))) {
    appendFileSync(path, `SECRETS_KEY=dev${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}\n`);
  }
  const vars = Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
  );
  return vars;
}

export function applyMigrations(persistTo) {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])];
  const r = spawnSync(WRANGLER, args, { cwd: ROOT, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrangler d1 migrations apply failed:\n${r.stdout}\n${r.stderr}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ port?: number, ip?: string, inspectorPort?: number, vars?: Record<string,string>, persistTo?: string, quiet?: boolean,
 *           sweepEveryMs?: number, config?: string, readyPath?: string, extraArgs?: string[] }} options
 *   `config`: another Worker's wrangler config (the example receiver); then no migrations and no sweep.
 *   `ip`: the address to listen on (default 127.0.0.1); `extraArgs`: more `wrangler dev` flags, as given.
 */
export async function startDevServer(options = {}) {
  const port = options.port ?? 8787;
  const persistTo = options.persistTo;
  const isService = options.config === undefined;
  if (isService) {
    ensureDevVars(); // wrangler dev reads .dev.vars: the service needs its SECRETS_KEY
    applyMigrations(persistTo);
  }
  const ip = options.ip ?? '127.0.0.1';
  const inspectorPort = options.inspectorPort ?? (await freePort());
  const args = ['dev', '--port', String(port), '--ip', ip, '--show-interactive-dev-session=false', '--inspector-port', String(inspectorPort), ...(options.extraArgs ?? [])];
  if (isService) args.push('--test-scheduled');
  else args.push('--config', options.config);
  if (persistTo) args.push('--persist-to', persistTo);
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push('--var', `${k}:${v}`);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    detached: true, // its own process group: wrangler starts workerd children, and stop() ends them all
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let exited = false;
  child.on('exit', () => (exited = true));

  // Every address (0.0.0.0, ::) includes loopback, where the script talks to it; another is asked as it is.
  const host = ip === '0.0.0.0' || ip === '::' || ip === 'localhost' ? '127.0.0.1' : ip.includes(':') ? `[${ip}]` : ip;
  const url = `http://${host}:${port}`;
  // Returns once wrangler and every workerd it started are gone (a workerd outliving wrangler included).
  const stop = async () => {
    clearInterval(sweeper);
    await stopTree(child.pid, { group: true });
  };
  // Cron triggers do not fire under `wrangler dev`: call the sweep the way the cron would, once at
  // start (a restart after a crash picks up at once what is overdue) and then on a timer.
  const runSweep = () => isService && fetch(`${url}/__scheduled?cron=*+*+*+*+*`).catch(() => {});
  const sweeper = setInterval(runSweep, options.sweepEveryMs ?? 60_000);
  sweeper.unref();
  const readyPath = options.readyPath ?? '/health';

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) {
        runSweep();
        return { url, stop, output: () => output };
      }
    } catch {}
    await sleep(200);
  }
  await stop();
  throw new Error(`wrangler dev did not answer ${readyPath} within 60 s:\n${output}`);
}
