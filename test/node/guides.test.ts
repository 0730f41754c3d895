// The README and the guides in docs/ cannot drift: every link resolves to a file of the repository, every
// guide starts with what the reader will have at its end, the README stays a front door, and every
// command they show that runs offline is run: the curl calls here, in document order against
// `npm run dev` with the README's own receiver, placeholders filled from earlier answers; the others
// where the table below says. A command in a block marked as needing an account or taking minutes is
// said so on the page.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT } from '../../scripts/lib/dev-server.mjs';
import { stopTree } from '../../scripts/lib/processes.mjs';
import { npmDev } from '../support/npm-dev.ts';

const GUIDES = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));
const PAGES = ['README.md', ...GUIDES];
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** Commands the pages show that this test does not run, and what runs them. */
const RUN_ELSEWHERE: [RegExp, string][] = [
  [/^npm install$/, '.ci/run (npm ci on a clean clone)'],
  [/^npm test$/, '.ci/run'],
  [/^npm run dev\b/, 'this test (it serves the curl calls) and test/node/dev-script.test.ts'],
  [/^node -e 'require\("http"\)/, 'this test (the README\'s receiver)'],
  [/^npm run deploy -- --dry-run$/, 'test/node/deploy.test.ts, on a fresh clone'],
];
const MARKED = /<!-- (needs a Cloudflare account|not run by the tests)[^>]*-->\s*$/;

/** A shell line without its trailing `# comment` (a # inside quotes stays). */
function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

interface Command {
  page: string;
  text: string;
}

/** Every command of every ```sh block, continuation lines joined, comments dropped; marked blocks apart. */
function commands(): { run: Command[]; marked: Command[] } {
  const run: Command[] = [];
  const marked: Command[] = [];
  for (const page of PAGES) {
    const text = read(page);
    for (const m of text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
      const before = text.slice(0, m.index).trimEnd().split('\n').at(-1) ?? '';
      const into = MARKED.test(before) ? marked : run;
      for (const raw of m[1]!.replace(/\\\n\s*/g, ' ').split('\n')) {
        const line = withoutComment(raw).trim();
        if (line && !line.startsWith('#')) into.push({ page, text: line });
      }
    }
  }
  return { run, marked };
}

describe('the README and the guides', () => {
  it('link only to files that exist in the repository', () => {
    for (const page of PAGES) {
      for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const file = resolve(ROOT, dirname(page), target.split('#')[0]!);
        assert.ok(!relative(ROOT, file).startsWith('..'), `${page} links outside the repository: ${target}`);
        assert.ok(existsSync(file), `${page} links to ${target}, which does not exist`);
      }
    }
  });

  it('has a README of a front door’s length, and guides that each start with what the reader will have', () => {
    const lines = read('README.md').split('\n').length;
    assert.ok(lines <= 170, `the README is ${lines} lines`);
    for (const guide of GUIDES.filter((g) => !g.startsWith('docs/design/'))) {
      assert.match(read(guide), /^# .+\n\n\*\*At the end of this guide\*\* /, guide);
      assert.ok(read('README.md').includes(`](${guide})`), `the README does not link ${guide}`);
    }
  });

  it('shows no command that no test runs, except those marked on the page as such', () => {
    const { run, marked } = commands();
    for (const c of run) {
      if (c.text.startsWith('curl ')) continue;
      assert.ok(RUN_ELSEWHERE.some(([re]) => re.test(c.text)), `${c.page}: no test runs \`${c.text}\`: run it, or mark its block`);
    }
    for (const c of marked) assert.doesNotMatch(c.text, /^curl /, `${c.page}: a curl call is marked as not run: \`${c.text}\``);
  });
});

describe('the commands they show, run', () => {
  const state = `${ROOT}.wrangler/guides-test-${process.pid}`;
  let dev: ReturnType<typeof npmDev>;
  let receiver: ChildProcess;
  let base = '';
  let hookOrigin = '';
  let received = '';
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dev = npmDev(['--port', String(port), '--persist-to', state, '--var', 'API_TOKEN:dev-token', '--var', 'ALLOW_INSECURE_URLS:true']);
    const output = await dev.running(90_000);
    assert.match(output, /edgehook is running/, output);
    // The README's receiver, as shown, on a free port.
    const shown = commands().run.find((c) => c.text.startsWith('node -e'))!;
    const receiverPort = await freePort();
    hookOrigin = `http://127.0.0.1:${receiverPort}`;
    receiver = spawn('sh', ['-c', shown.text.replace('.listen(9000)', `.listen(${receiverPort})`)], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    receiver.stdout!.on('data', (d) => (received += d));
    while (!(await fetch(hookOrigin).then(() => true, () => false))) await sleep(50);
  });
  after(async () => {
    if (receiver?.pid) await stopTree(receiver.pid, { group: true });
    await dev?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it('runs every curl call in page order, placeholders filled from earlier answers, and none fails', async () => {
    const ids: Record<string, string> = {};
    const env: Record<string, string> = {};
    const fill = (text: string) =>
      text
        .replaceAll('http://127.0.0.1:8787', base)
        .replaceAll('http://127.0.0.1:9000', hookOrigin)
        .replaceAll('sub_01m8…', ids.sub ?? 'sub_01m8…')
        .replaceAll('key_01m8…', ids.key ?? 'key_01m8…')
        .replaceAll('ehk_…', ids.ehk ?? 'ehk_…');
    let ran = 0;
    for (const c of commands().run.filter((c) => c.text.startsWith('curl '))) {
      const line = `${fill(c.text)} -w '\\n%{http_code}'`;
      const r = spawnSync('sh', ['-c', line], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
      assert.equal(r.status, 0, `${c.page}: \`${c.text}\` exited ${r.status}: ${r.stderr}`);
      const status = Number(r.stdout.trim().split('\n').at(-1));
      const body = r.stdout.trim().split('\n').slice(0, -1).join('\n');
      assert.ok(status >= 200 && status < 500, `${c.page}: \`${c.text}\` answered ${status}: ${body}`);
      if (c.page === 'README.md') assert.ok(status < 300, `README: \`${c.text}\` answered ${status}: ${body}`);
      ran++;
      let answer: any = null;
      try {
        answer = body ? JSON.parse(body) : null;
      } catch {}
      const id = typeof answer?.id === 'string' ? answer.id : '';
      if (id.startsWith('sub_')) ids.sub = id;
      if (id.startsWith('key_')) ids.key = id;
      if (typeof answer?.key === 'string') ids.ehk = answer.key;
      if (id.startsWith('evt_') || (answer?.type && id && !env.EVENT_ID)) {
        env.EVENT_ID = id;
        // The delivery the README reads next: the event's first, once fan-out made it.
        for (let i = 0; i < 100 && !env.DELIVERY_ID; i++) {
          const event = await (await fetch(`${base}/v1/events/${id}`, { headers: { authorization: 'Bearer dev-token' } })).json();
          if (event.deliveries?.[0]) env.DELIVERY_ID = event.deliveries[0].id;
          else await sleep(100);
        }
      }
    }
    assert.ok(ran >= 20, `only ${ran} curl calls ran`);
    // The README's receiver printed the webhook it got: its id, the v1 signature and the body.
    for (let i = 0; i < 100 && !received.includes('order.created'); i++) await sleep(100);
    assert.match(received, /evt_\w+ v1,\S+ \{"type":"order\.created","timestamp":"[^"]+","data":\{"id":"ord_1","total":42\}\}/);
  });
});
