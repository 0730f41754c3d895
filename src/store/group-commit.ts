// Group commit: the writes that concurrent requests of one isolate make at the same moment go to D1 as
// one batch (one round trip, one transaction) instead of one query each. Nothing waits for a timer: a
// write with nothing in flight goes at once; writes that arrive while a batch is in flight go together as
// the next batch. D1 runs one database's queries one at a time, so fewer, larger queries are more events
// a second per database, and each write is still durable before its caller goes on.
//
// Each group is sent by one of its own callers (the first to wake), never on behalf of a request that may
// have ended: the sender awaits the batch it sent, so the I/O lives as long as the request that made it.
// A batch that fails (one statement of it, or D1) is run again one caller at a time, so that one caller's
// failure is only its own.
import { within } from '../utils/within';

/** The most statements (and the most bound bytes, roughly) one group sends. */
const MAX_STATEMENTS = 50;
const MAX_BYTES = 512 * 1024;
/**
 * How long a group may be in flight before the line stops waiting for it. A request that is cancelled
 * (its client went away) takes the I/O it started with it, and a batch it sent never settles: after this,
 * its group's callers fail (their writes' outcome unknown, as after any lost answer) and the line goes on.
 * Longer than D1's own limit on a query (30 s).
 */
const STALL_MS = 35_000;

interface Entry {
  statements: D1PreparedStatement[];
  bytes: number;
  /** Taken into a group (sent, or being sent). */
  taken: boolean;
  done: boolean;
  results?: D1Result[];
  error?: unknown;
}

interface Line {
  waiting: Entry[];
  inFlight: Promise<void> | null;
}

const lines = new WeakMap<D1Database, Line>();

function lineOf(db: D1Database): Line {
  let line = lines.get(db);
  if (!line) lines.set(db, (line = { waiting: [], inFlight: null }));
  return line;
}

/** The next group from the front of the line: at least one caller, then as many as fit. */
function take(line: Line): Entry[] {
  const group: Entry[] = [];
  let statements = 0;
  let bytes = 0;
  while (line.waiting.length > 0) {
    const next = line.waiting[0]!;
    if (group.length > 0 && (statements + next.statements.length > MAX_STATEMENTS || bytes + next.bytes > MAX_BYTES)) break;
    next.taken = true;
    group.push(line.waiting.shift()!);
    statements += next.statements.length;
    bytes += next.bytes;
  }
  return group;
}

/** One caller's statements as their own transaction; never throws (the error is the caller's). */
async function sendAlone(db: D1Database, entry: Entry): Promise<void> {
  try {
    entry.results = await db.batch(entry.statements);
  } catch (err) {
    entry.error = err ?? new Error('D1 batch failed');
  }
  entry.done = true;
}

/** Sends a group and settles each of its callers; never throws. */
async function send(db: D1Database, group: Entry[]): Promise<void> {
  if (group.length === 1) return sendAlone(db, group[0]!);
  try {
    const results = await db.batch(group.flatMap((e) => e.statements));
    let at = 0;
    for (const entry of group) {
      entry.results = results.slice(at, at + entry.statements.length);
      entry.done = true;
      at += entry.statements.length;
    }
  } catch {
    // One caller's statement (or the batch as a whole) failed: each caller's own transaction, in order.
    for (const entry of group) await sendAlone(db, entry);
  }
}

/**
 * Runs `statements` as one transaction, as `db.batch` does, in a group with the writes other requests of
 * this isolate make meanwhile. `bytes`: roughly how much the statements carry (a group stays under 512 KiB).
 */
export async function groupCommit(db: D1Database, statements: D1PreparedStatement[], options: { bytes?: number; stallMs?: number } = {}): Promise<D1Result[]> {
  const line = lineOf(db);
  const entry: Entry = { statements, bytes: options.bytes ?? 0, taken: false, done: false };
  line.waiting.push(entry);
  while (!entry.done) {
    const current = line.inFlight;
    if (current) {
      // Never rejects; this request is woken in its own context. A group in flight too long is let go.
      if ((await within(current, options.stallMs ?? STALL_MS)) === null && line.inFlight === current) line.inFlight = null;
      continue;
    }
    if (entry.taken) {
      // Its group was let go: whether D1 stored it is unknown, as after any answer that never came.
      entry.done = true;
      entry.error = new Error('D1 did not answer the write: the request that sent its group ended first');
      break;
    }
    const sending = send(db, take(line));
    line.inFlight = sending;
    try {
      await sending;
    } finally {
      if (line.inFlight === sending) line.inFlight = null;
    }
  }
  if (!entry.results) throw entry.error;
  return entry.results;
}
