// The cost of validating an event against an operator's schema, with RE2JS (now) against the engine's
// RegExp (before the trust pass): µs per validation of a 10-item order, medians of alternating runs,
// each in a process of its own. `node bench/schema-validation.mjs`, or part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { ROOT } from '../scripts/lib/dev-server.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function measureSchemaValidation(runs = 5, n = 20000) {
  const dir = mkdtempSync(`${os.tmpdir()}/edgehook-schema-bench-`);
  try {
    const out = `${dir}/bench.mjs`;
    execFileSync(`${ROOT}node_modules/.bin/esbuild`, [`${ROOT}bench/schema-validation-entry.ts`, '--bundle', '--platform=node', '--format=esm', `--outfile=${out}`, '--log-level=warning']);
    const times = { old: [], now: [] };
    for (let i = 0; i < runs; i++) {
      for (const mode of ['old', 'now']) times[mode].push(JSON.parse(execFileSync(process.execPath, [out, mode, String(n)], { encoding: 'utf8' })).us);
    }
    const before = median(times.old);
    const now = median(times.now);
    return { before_us: before, now_us: now, ratio: now / before };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(measureSchemaValidation()));
