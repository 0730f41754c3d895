// The flags of `npm run dev`: its own (--port, --var, --help), the wrangler dev flags it honours itself
// because it relies on what they change (--ip, --inspector-port, --persist-to, --local-protocol), the
// ones it refuses for the same reason, and every other flag of `wrangler dev`, passed on as given.
// Wrangler's flags are read from `wrangler dev --help`, so a flag wrangler does not know is refused here
// with the dev script's usage instead of a stack of wrangler's.

export const USAGE = `usage: npm run dev -- [--port N] [--var NAME:value …] [any wrangler dev flag …]
  --port N              listen on N (default 8787, or PORT)
  --var NAME:value      set a var, as wrangler dev --var does (repeat it)
  --ip ADDRESS          listen on ADDRESS (default 127.0.0.1; beyond loopback, the dev token is reachable)
  --persist-to DIR      keep local state in DIR (default .wrangler/state, or EDGEHOOK_STATE_DIR)
  --inspector-port N    the devtools port (default: a free one)
  --local-protocol http the only protocol the script serves (it talks to the service over http)
  --help                this, then wrangler dev's own flags`;

/** Flags the script cannot honour, and why. */
const REFUSED = {
  config: 'the dev script runs edgehook\'s own wrangler.toml (its D1 migrations are applied to it); run `npx wrangler dev -c …` for another Worker',
  cwd: 'the dev script runs from the repository',
  env: 'edgehook\'s wrangler.toml has no environments; its dev script serves the top-level one',
  remote: 'the dev script runs offline, with local D1, KV and queues; `npx wrangler dev --remote` uses your account\'s',
  'test-scheduled': null, // on already: the script calls the cron sweep itself
  'show-interactive-dev-session': null, // off already: the script owns the terminal
};
const SHORT = { c: 'config', e: 'env', r: 'remote', l: 'local', h: 'help', v: 'version' };

/** Wrangler dev's flags from its help text: name → takes a value (true) or is a switch (false). */
export function wranglerFlags(helpText) {
  const flags = new Map();
  for (const line of helpText.split('\n')) {
    const m = /^\s+(?:-\w, )?--([\w-]+)(?:, --([\w-]+))?\s+.*\[(string|number|array|boolean|choices:[^\]]*)\]/.exec(line);
    if (!m) continue;
    const takesValue = m[3] !== 'boolean';
    flags.set(m[1], takesValue);
    if (m[2]) flags.set(m[2], takesValue);
  }
  return flags;
}

/**
 * Reads argv into the script's own settings and the flags to pass on. Throws an Error whose message
 * says what is wrong (the caller prints it with the usage and exits 2).
 */
export function parseDevArgs(argv, wrangler) {
  const own = { vars: {}, help: false, port: undefined, ip: undefined, persistTo: undefined, inspectorPort: undefined };
  const pass = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    const long = /^--([\w-]+)(?:=(.*))?$/.exec(token);
    const short = /^-(\w)$/.exec(token);
    if (!long && !short) throw new Error(`cannot use ${JSON.stringify(token)}: not a flag`);
    let name = long ? long[1] : SHORT[short[1]];
    if (!name) throw new Error(`unknown flag ${token}`);
    let inline = long ? long[2] : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) throw new Error(`${token} needs a value`);
      i++;
      return next;
    };
    switch (name) {
      case 'help':
        own.help = true;
        continue;
      case 'port': {
        const v = value();
        if (!(/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536)) throw new Error(`cannot use --port ${v}`);
        own.port = Number(v);
        continue;
      }
      case 'var': {
        const v = value();
        if (!v.includes(':')) throw new Error(`cannot use --var ${v}: NAME:value`);
        own.vars[v.slice(0, v.indexOf(':'))] = v.slice(v.indexOf(':') + 1);
        continue;
      }
      case 'ip':
        own.ip = value();
        continue;
      case 'persist-to':
        own.persistTo = value();
        continue;
      case 'inspector-port': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new Error(`cannot use --inspector-port ${v}`);
        own.inspectorPort = Number(v);
        continue;
      }
      case 'local-protocol': {
        const v = value();
        if (v !== 'http') throw new Error(`cannot use --local-protocol ${v}: the dev script talks to edgehook over http (for https, run npx wrangler dev --local-protocol https)`);
        continue;
      }
    }
    if (Object.hasOwn(REFUSED, name)) {
      if (REFUSED[name] === null) continue;
      throw new Error(`cannot use ${token}: ${REFUSED[name]}`);
    }
    const negated = name.startsWith('no-') && wrangler.get(name.slice(3)) === false;
    if (!wrangler.has(name) && !negated) throw new Error(`unknown flag ${token} (neither the dev script's nor wrangler dev's)`);
    if (wrangler.get(name)) pass.push(`--${name}`, value());
    else pass.push(inline !== undefined ? `--${name}=${inline}` : `--${name}`);
  }
  return { ...own, pass };
}

/** Whether an address to listen on is loopback only. */
export const isLoopback = (ip) => ip === undefined || ip === 'localhost' || ip === '::1' || /^127\./.test(ip);
