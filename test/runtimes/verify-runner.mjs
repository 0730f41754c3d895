// The verify module's cases in whatever runtime runs this file (Bun, Deno; Node and workerd have their
// own suites). Imports the package export `edgehook/verify` as a user would. Exits 1 on any failure.
import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import * as mod from 'edgehook/verify';
import { verifyCases } from '../verify-cases.mjs';

const runtime = globalThis.Bun ? `Bun ${globalThis.Bun.version}` : globalThis.Deno ? `Deno ${globalThis.Deno.version.deno}` : `Node ${process.version}`;
let failed = 0;
const cases = verifyCases(mod, { Webhook, sign });
for (const c of cases) {
  try {
    await c.run();
    console.log(`ok   ${runtime}: ${c.name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${runtime}: ${c.name}: ${err instanceof Error ? err.message : err}`);
  }
}
console.log(`${runtime}: ${cases.length - failed} of ${cases.length} verify cases passed`);
if (failed > 0 || cases.length === 0) {
  // Deno has no process global without node: imports; both runtimes honour this.
  globalThis.Deno ? globalThis.Deno.exit(1) : process.exit(1);
}
