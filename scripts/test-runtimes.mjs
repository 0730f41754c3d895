// The verify module's cases under Bun and Deno, the two WebCrypto runtimes the other suites do not cover.
// Both come from the npm registry as their per-platform packages (a binary inside the package, no
// download of its own), installed once into ~/.cache/edgehook-runtimes at pinned versions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { ROOT } from './lib/dev-server.mjs';

const BUN = '1.4.5';
const DENO = '2.9.6';
const DIR = process.env.EDGEHOOK_RUNTIMES_DIR ?? `${homedir()}/.cache/edgehook-runtimes`;
const PLATFORMS = {
  'linux-x64': { bun: '@oven/bun-linux-x64', deno: '@deno/linux-x64-glibc' },
  'linux-arm64': { bun: '@oven/bun-linux-aarch64', deno: '@deno/linux-arm64-glibc' },
  'darwin-x64': { bun: '@oven/bun-darwin-x64', deno: '@deno/darwin-x64' },
  'darwin-arm64': { bun: '@oven/bun-darwin-aarch64', deno: '@deno/darwin-arm64' },
};
const pkgs = PLATFORMS[`${process.platform}-${process.arch}`];
if (!pkgs) {
  console.error(`test:runtimes: no Bun/Deno packages known for ${process.platform}-${process.arch}`);
  process.exit(1);
}
const runtimes = [
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
if (!existsSync(`${ROOT}dist/verify/index.js`)) {
  console.error('test:runtimes: dist/verify is missing; run `npm run build` first');
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
process.exit(failed ? 1 : 0);
