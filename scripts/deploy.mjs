// `npm run deploy`: edgehook's first deploy, and every one after, in one command. It creates what the
// account lacks (the three queues, the D1 database; wrangler itself provisions the KV namespace),
// generates the secrets edgehook can generate when they are unset (SECRETS_KEY, CALLBACK_SECRET, and an
// API_TOKEN, printed once), applies the D1 migrations, deploys, and prints the URL. Run again, it
// creates nothing that exists and leaves set secrets alone.
//   npm run deploy -- --dry-run     the plan, without an account (and `wrangler deploy --dry-run`)
// EDGEHOOK_WRANGLER runs another wrangler (the tests' stand-in for an account).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeVersionProblem } from './lib/node-version.mjs';

const problem = nodeVersionProblem();
if (problem) {
  console.error(problem);
  process.exit(1);
}
const { ROOT } = await import('./lib/dev-server.mjs');
let dryRun = false;
try {
  dryRun = parseArgs({ options: { 'dry-run': { type: 'boolean' } }, strict: true }).values['dry-run'] ?? false;
} catch (err) {
  console.error(`npm run deploy: ${err.message}\nusage: npm run deploy [-- --dry-run]`);
  process.exit(2);
}

const WRANGLER = process.env.EDGEHOOK_WRANGLER ?? `${ROOT}node_modules/.bin/wrangler`;
const config = readFileSync(`${ROOT}wrangler.toml`, 'utf8');
const queues = [...new Set([...config.matchAll(/^\s*(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((m) => m[1]))];
const database = /database_name\s*=\s*"([^"]+)"/.exec(config)[1];
const migrations = readdirSync(`${ROOT}migrations`).filter((f) => f.endsWith('.sql')).sort();
/** The secrets edgehook can make itself, and how. */
const GENERATED = {
  SECRETS_KEY: () => `k${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`,
  CALLBACK_SECRET: () => `whsec_${randomBytes(32).toString('base64')}`,
  API_TOKEN: () => `eh_${randomBytes(24).toString('base64url')}`,
};

function wrangler(args, { input } = {}) {
  const r = spawnSync(WRANGLER, args, { cwd: ROOT, encoding: 'utf8', input, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}
function must(args, what) {
  const r = wrangler(args);
  if (!r.ok) {
    console.error(`npm run deploy: ${what} failed (wrangler ${args.join(' ')}):\n${r.out}`);
    process.exit(1);
  }
  return r;
}
const step = (text) => console.log(`• ${text}`);
/** The API reference's assets, which wrangler deploys beside the Worker (and its dry run needs). */
const build = () => spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' }).status === 0;

if (dryRun) {
  console.log('npm run deploy: the plan (dry run: no account is asked, nothing is created)\n');
  step('build the API reference assets (npm run build)');
  step('check the Cloudflare sign-in (wrangler whoami; else: npx wrangler login)');
  for (const q of queues) step(`queue ${q}: create it if the account lacks it`);
  step(`D1 database ${database}: create it if the account lacks it`);
  step('KV namespace SUBSCRIPTIONS: provisioned by wrangler deploy on the first deploy');
  for (const name of Object.keys(GENERATED)) step(`secret ${name}: generate and upload it if unset${name === 'API_TOKEN' ? ' (printed once)' : ''}`);
  step(`apply ${migrations.length} D1 migrations to ${database} (${migrations[0]} … ${migrations.at(-1)}), those not applied yet`);
  step('wrangler deploy, then print the URL');
  console.log('\nChecking that the Worker builds (npm run build, wrangler deploy --dry-run) …');
  if (!build()) process.exit(1);
  const bundled = wrangler(['deploy', '--dry-run', '--outdir', '.wrangler/deploy-dry-run']);
  if (!bundled.ok) {
    console.error(bundled.out);
    process.exit(1);
  }
  console.log('The Worker builds. Run `npm run deploy` (after `npx wrangler login`) to do the above.');
  process.exit(0);
}

step('building the API reference assets');
if (!build()) process.exit(1);

step('checking the Cloudflare sign-in');
const who = wrangler(['whoami']);
if (!who.ok || /not authenticated|You are not logged in/i.test(who.out)) {
  console.error('npm run deploy: not signed in to Cloudflare. Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then again.');
  process.exit(1);
}

const listed = must(['queues', 'list'], 'listing the queues').stdout;
for (const q of queues) {
  if (new RegExp(`(^|[^\\w-])${q.replace(/[-]/g, '\\-')}([^\\w-]|$)`, 'm').test(listed)) step(`queue ${q}: exists`);
  else {
    must(['queues', 'create', q], `creating queue ${q}`);
    step(`queue ${q}: created`);
  }
}

const dbs = JSON.parse(must(['d1', 'list', '--json'], 'listing the D1 databases').stdout || '[]');
if (dbs.some((d) => d.name === database)) step(`D1 database ${database}: exists`);
else {
  must(['d1', 'create', database], `creating the D1 database ${database}`);
  step(`D1 database ${database}: created`);
}

// Secrets of the Worker as deployed; none before its first deploy (then the list fails: no such Worker).
const secretList = wrangler(['secret', 'list', '--format', 'json']);
const set = new Set(secretList.ok ? JSON.parse(secretList.stdout || '[]').map((s) => s.name) : []);
const fresh = Object.fromEntries(Object.entries(GENERATED).flatMap(([name, make]) => (set.has(name) ? [] : [[name, make()]])));
for (const name of Object.keys(GENERATED)) step(`secret ${name}: ${set.has(name) ? 'set already, left as it is' : 'generated'}`);

step(`applying the D1 migrations to ${database}`);
must(['d1', 'migrations', 'apply', database, '--remote'], 'applying the migrations');

step('deploying');
const dir = mkdtempSync(join(tmpdir(), 'edgehook-deploy-'));
const secretsFile = join(dir, 'secrets.json');
let deployed;
try {
  const args = ['deploy'];
  if (Object.keys(fresh).length > 0) {
    writeFileSync(secretsFile, JSON.stringify(fresh), { mode: 0o600 });
    args.push('--secrets-file', secretsFile);
  }
  deployed = must(args, 'wrangler deploy');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const url = /https:\/\/[\w.-]+\.workers\.dev/.exec(deployed.out)?.[0];
console.log(`\nedgehook is deployed${url ? ` at ${url}` : ''}.`);
if (fresh.API_TOKEN) console.log(`Its API token (shown this once; keep it): ${fresh.API_TOKEN}`);
console.log(url ? `Try: curl -s ${url}/health` : 'Its URL is in wrangler deploy\'s output above.');
