// Processes a script or test started, found from /proc (Linux): wrangler puts itself in a process
// group of its own, so a group kill of what spawned it misses it and its workerd.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every process below `pid`, children first found first. */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {} // gone meanwhile
  }
  const out = [];
  const walk = (p) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Sends `sig` to each of `pids` (a negative one: a process group); one gone already is passed over. */
export function signal(pids, sig) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {} // gone already
  }
}

/** Waits up to `ms` for every one of `pids` (a negative one: a process group) to be gone; returns those still there. */
export async function gone(pids, ms) {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(alive);
  }
  return left;
}

/**
 * Stops `pid` and everything below it: SIGTERM to each (a graceful stop), SIGKILL to whatever is
 * still there after `graceMs`, and returns once all are gone. `sig` SIGKILL: at once, a crash.
 * `group`: `pid` leads a process group; its members count too, orphans included (their parent gone).
 * Without /proc (macOS) only the group is known.
 */
export async function stopTree(pid, { graceMs = 5000, sig = 'SIGTERM', group = false } = {}) {
  const pids = [pid, ...(existsSync('/proc') ? descendants(pid) : []), ...(group ? [-pid] : [])];
  signal(pids, sig);
  const left = await gone(pids, sig === 'SIGKILL' ? 5000 : graceMs);
  if (left.length > 0) {
    signal(left, 'SIGKILL');
    await gone(left, 5000);
  }
  return pids.filter((p) => p > 0).length;
}

/** Processes whose environment holds `NAME=value` (readable ones only), with their command lines. */
export function processesWithEnv(name, value) {
  const needle = `${name}=${value}`;
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) continue;
      found.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {} // gone meanwhile, or not ours to read
  }
  return found;
}
