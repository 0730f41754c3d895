// `npm run deploy`: the plan without an account on a fresh clone (--dry-run), and the real path against
// a stand-in wrangler with a pretend account: the first run creates what is missing and generates the
// secrets (the API token printed once); the second creates nothing and leaves the secrets alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../../scripts/lib/dev-server.mjs';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'edgehook-deploy-test-'));
  dirs.push(d);
  return d;
};

describe('npm run deploy', () => {
  it('prints the plan without an account on a fresh clone (--dry-run), and checks that the Worker builds', () => {
    const clone = join(temp(), 'edgehook');
    const cloned = spawnSync('git', ['clone', '-q', ROOT, clone], { encoding: 'utf8' });
    assert.equal(cloned.status, 0, cloned.stderr);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules')); // the install, shared
    const env = { ...process.env, CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '', WRANGLER_SEND_METRICS: 'false' };
    const run = spawnSync('npm', ['run', 'deploy', '--', '--dry-run'], { cwd: clone, encoding: 'utf8', env, timeout: 420_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    for (const line of [
      'queue edgehook-deliveries: create it if the account lacks it',
      'queue edgehook-deliveries-slow: create it if the account lacks it',
      'queue edgehook-dead-letters: create it if the account lacks it',
      'D1 database edgehook: create it if the account lacks it',
      'secret SECRETS_KEY: generate and upload it if unset',
      'secret API_TOKEN: generate and upload it if unset (printed once)',
      'The Worker builds.',
    ]) assert.ok(run.stdout.includes(line), `missing "${line}" in:\n${run.stdout}`);
    assert.match(run.stdout, /apply \d+ D1 migrations to edgehook \(0001_init\.sql … /);
  });

  it('creates what the account lacks and generates the secrets once; run again, changes nothing it need not', () => {
    const stateFile = join(temp(), 'account.json');
    const env = { ...process.env, EDGEHOOK_WRANGLER: join(ROOT, 'test/support/fake-wrangler.mjs'), FAKE_WRANGLER_STATE: stateFile };
    const first = spawnSync('node', ['scripts/deploy.mjs'], { cwd: ROOT, encoding: 'utf8', env, timeout: 420_000 });
    assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
    let account = JSON.parse(readFileSync(stateFile, 'utf8'));
    assert.deepEqual(account.queues.sort(), ['edgehook-dead-letters', 'edgehook-deliveries', 'edgehook-deliveries-slow']);
    assert.deepEqual(account.databases, ['edgehook']);
    assert.deepEqual(account.uploaded.sort(), ['API_TOKEN', 'CALLBACK_SECRET', 'SECRETS_KEY']);
    const token = /Its API token \(shown this once; keep it\): (eh_[\w-]+)/.exec(first.stdout)?.[1];
    assert.ok(token, first.stdout);
    assert.match(first.stdout, /edgehook is deployed at https:\/\/edgehook\.example-account\.workers\.dev/);
    // Migrations go before the deploy: the new code never meets old tables.
    const migrated = account.calls.findIndex((c: string) => c.startsWith('d1 migrations apply edgehook --remote'));
    const deployed = account.calls.findIndex((c: string) => c.startsWith('deploy'));
    assert.ok(migrated !== -1 && migrated < deployed, account.calls.join(', '));

    const second = spawnSync('node', ['scripts/deploy.mjs'], { cwd: ROOT, encoding: 'utf8', env, timeout: 420_000 });
    assert.equal(second.status, 0, `${second.stdout}\n${second.stderr}`);
    account = JSON.parse(readFileSync(stateFile, 'utf8'));
    const since = account.calls.slice(account.calls.lastIndexOf('whoami'));
    assert.equal(since.filter((c: string) => / create /.test(` ${c} `)).length, 0, since.join('\n'));
    assert.deepEqual(account.uploaded, []);
    assert.doesNotMatch(second.stdout, /API token/);
    assert.match(second.stdout, /secret SECRETS_KEY: set already, left as it is/);
    assert.ok(!second.stdout.includes(token!), 'the token is never printed again');
  });

  it('stops with a clear message when not signed in', () => {
    const stateFile = join(temp(), 'account.json');
    const fake = join(temp(), 'wrangler');
    writeFileSync(fake, '#!/bin/sh\necho "You are not authenticated. Please run `wrangler login`."\nexit 1\n');
    chmodSync(fake, 0o755);
    const run = spawnSync('node', ['scripts/deploy.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EDGEHOOK_WRANGLER: fake, FAKE_WRANGLER_STATE: stateFile }, timeout: 420_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /not signed in to Cloudflare\. Run `npx wrangler login`/);
  });
});
