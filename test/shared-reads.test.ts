// Shared reads (src/store/shared-reads.ts): a KV list in flight serves the fan-outs that asked for it
// after it started, and only those; a shared read that never answers is not waited for.
import { describe, expect, it } from 'vitest';
import { readMark, sharedRead } from '../src/store/shared-reads';

describe('shared reads', () => {
  const deferred = () => {
    let resolve!: (v: string) => void;
    const promise = new Promise<string>((ok) => (resolve = ok));
    return { promise, resolve };
  };

  it('serves a caller from a read of the same key that started after its mark, and from no other', async () => {
    let reads = 0;
    const slow = deferred();
    const read = () => (reads++, slow.promise);
    const before = readMark();
    const a = sharedRead('k1', before, read);
    const b = sharedRead('k1', before, read); // a's read started after `before`: shared
    expect(reads).toBe(1);
    const late = readMark(); // a's read started before this mark: a caller with it reads itself
    const c = sharedRead('k1', late, () => (reads++, Promise.resolve('own')));
    const d = sharedRead('k2', before, () => (reads++, Promise.resolve('other key')));
    const e = sharedRead('k1', undefined, () => (reads++, Promise.resolve('no mark')));
    slow.resolve('shared');
    expect(await Promise.all([a, b, c, d, e])).toEqual(['shared', 'shared', 'own', 'other key', 'no mark']);
    expect(reads).toBe(4);
  });

  it('stops waiting for a shared read that does not answer, and reads itself', async () => {
    const mark = readMark();
    void sharedRead('k3', mark, () => new Promise<string>(() => {}));
    expect(await sharedRead('k3', mark, () => Promise.resolve('own'), 50)).toBe('own');
  });
});
