// The size a user's bundler adds for a kit: its built entry with its dependencies (openapi-fetch for the
// client), bundled and minified by esbuild (wrangler's own bundler), then gzipped.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { ROOT } from './dev-server.mjs';

export async function kitSize(entry) {
  const out = await build({ entryPoints: [`${ROOT}${entry}`], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false });
  const bytes = out.outputFiles[0].contents;
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
