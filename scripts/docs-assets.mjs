// Copies the API reference's browser build (Scalar's ESM standalone and its lazy chunks, no source maps)
// from @scalar/api-reference into public/docs/scalar: Workers static assets, served by Cloudflare before
// the Worker runs and never part of its bundle. Part of `npm run build` (and so of `npm install`).
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { ROOT } from './lib/dev-server.mjs';

const from = `${ROOT}node_modules/@scalar/api-reference/dist/browser`;
const to = `${ROOT}public/docs/scalar`;
if (!existsSync(`${from}/standalone.esm.js`)) {
  console.error(`docs-assets: ${from}/standalone.esm.js is missing; run npm install`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
mkdirSync(`${to}/chunks`, { recursive: true });
cpSync(`${from}/standalone.esm.js`, `${to}/standalone.esm.js`);
for (const file of readdirSync(`${from}/chunks`)) if (file.endsWith('.js')) cpSync(`${from}/chunks/${file}`, `${to}/chunks/${file}`);
console.log(`docs-assets: public/docs/scalar (${readdirSync(`${to}/chunks`).length + 1} files)`);
