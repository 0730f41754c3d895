#!/usr/bin/env node
// A stand-in for wrangler with a pretend account, for the deploy script's tests: it keeps the account's
// queues, D1 databases, the Worker's secrets and every call in a JSON file (FAKE_WRANGLER_STATE).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const file = process.env.FAKE_WRANGLER_STATE;
const state = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { queues: [], databases: [], secrets: null, calls: [] };
const args = process.argv.slice(2);
state.calls.push(args.join(' '));
const save = () => writeFileSync(file, JSON.stringify(state));
const [a, b, c] = args;
let code = 0;
if (a === 'whoami') console.log('You are logged in with an API Token, associated with the email dev@example.com.');
else if (a === 'queues' && b === 'list') console.log(['┌──────┐', ...state.queues.map((q) => `│ ${q} │ 0 producers │`), '└──────┘'].join('\n'));
else if (a === 'queues' && b === 'create') state.queues.push(c);
else if (a === 'd1' && b === 'list') console.log(JSON.stringify(state.databases.map((name) => ({ name, uuid: `uuid-${name}` }))));
else if (a === 'd1' && b === 'create') state.databases.push(c);
else if (a === 'd1' && b === 'migrations') code = state.databases.includes(args[3]) ? 0 : 1;
else if (a === 'secret' && b === 'list') {
  if (state.secrets === null) {
    console.error('This Worker does not exist on your account. [code: 10007]');
    code = 1;
  } else console.log(JSON.stringify(state.secrets.map((name) => ({ name, type: 'secret_text' }))));
} else if (a === 'deploy') {
  const at = args.indexOf('--secrets-file');
  const given = at >= 0 ? Object.keys(JSON.parse(readFileSync(args[at + 1], 'utf8'))) : [];
  state.secrets = [...new Set([...(state.secrets ?? []), ...given])];
  state.uploaded = given;
  console.log('Uploaded edgehook\nDeployed edgehook triggers\n  https://edgehook.example-account.workers.dev\nCurrent Version ID: 1');
} else {
  console.error(`fake wrangler: unknown command ${args.join(' ')}`);
  code = 1;
}
save();
process.exit(code);
