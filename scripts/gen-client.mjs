// `npm run gen:client`: regenerates src/client/api.ts from the document a fresh edgehook serves.
import { rmSync, writeFileSync } from 'node:fs';
import { clientTypes } from './lib/client-types.mjs';
import { freePort, ROOT, startDevServer } from './lib/dev-server.mjs';

const persistTo = `${ROOT}.wrangler/gen-client-${process.pid}`;
const server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: 'gen', ALLOW_INSECURE_URLS: 'true' } });
try {
  const doc = await (await fetch(`${server.url}/openapi.json`)).json();
  writeFileSync(`${ROOT}src/client/api.ts`, await clientTypes(doc));
  console.log('wrote src/client/api.ts');
} finally {
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
