// The Node.js edgehook's scripts need (wrangler's own floor), and what to tell someone who has an older
// one. Plain JavaScript that any Node parses, so the message shows instead of a syntax error.
export const NEEDED = '22.12.0';

const atLeast = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
};

/** null when `version` will do; otherwise a message saying how to get a newer Node. */
export function nodeVersionProblem(version = process.versions.node, platform = process.platform, arch = process.arch) {
  if (atLeast(version, NEEDED)) return null;
  const pkg = `node-${platform === 'win32' ? 'win' : platform}-${arch}`; // Node's own packages on the npm registry
  return [
    `edgehook needs Node.js ${NEEDED} or newer (wrangler's requirement); this is Node.js ${version}.`,
    'Get a newer one:',
    '  with nvm:        nvm install && nvm use          (reads .nvmrc)',
    `  from npm itself: npm install --prefix ~/.cache/node24 --no-save ${pkg}@24`,
    `                   export PATH=~/.cache/node24/node_modules/${pkg}/bin:$PATH`,
    'then run the command again.',
  ].join('\n');
}
