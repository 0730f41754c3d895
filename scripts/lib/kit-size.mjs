// The size a user's bundler adds for a kit: its built entry with its dependencies (openapi-fetch for the
// client), bundled and minified by esbuild (wrangler's own bundler), then gzipped.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { ROOT } from './dev-server.mjs';

/** Bytes of minified code, and gzipped at level 9: how the benchmark reports every bundle. */
export const sizes = (bytes) => ({ minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });

export async function kitSize(entry) {
  const out = await build({ entryPoints: [`${ROOT}${entry}`], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false });
  return sizes(out.outputFiles[0].contents);
}
