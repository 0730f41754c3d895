// `npm test` fails when a process its suites started is still running once they end (a `wrangler dev`
// a test did not stop, say): the check names it and stops it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT } from '../../scripts/lib/dev-server.mjs';

const check = (script: string) => spawnSync(process.execPath, ['scripts/no-leftovers.mjs', 'bash', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('no process left running', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('passes a command that stops everything it started, and keeps its exit code', () => {
    const clean = check('sleep 0.2 & wait');
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /no process of the tests is left running/);
    assert.equal(check('exit 3').status, 3);
  });

  it('fails a command that leaves a process running, names it and stops it', () => {
    const marker = `leftover-${process.pid}`;
    const leaky = check(`(exec -a ${marker} sleep 300) & disown; true`);
    assert.equal(leaky.status, 1);
    assert.match(leaky.stderr, new RegExp(`1 process\\(es\\) the tests started are still running[\\s\\S]*${marker}`));
    const still = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
    assert.equal(still.stdout.trim(), '', 'the leftover was stopped');
  });
});
