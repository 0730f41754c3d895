import { describe, expect, it } from 'vitest';
import { freshCache } from '../../src/utils/fresh-cache';

describe('freshCache', () => {
  it('keeps a value for its time to live, then loads it again', async () => {
    const cache = freshCache<number>(1000);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k', 0, load)).toBe(1);
    expect(await cache.get('k', 999, load)).toBe(1);
    expect(await cache.get('k', 1000, load)).toBe(2);
  });

  it('forgets a key, or every value a test picks, and starts over when full', async () => {
    const cache = freshCache<string>(1000, 2);
    await cache.get('a', 0, async () => 'a1');
    await cache.get('b', 0, async () => 'b1');
    cache.forget((v) => v === 'a1');
    expect(await cache.get('a', 1, async () => 'a2')).toBe('a2');
    expect(await cache.get('b', 1, async () => 'b2')).toBe('b1');
    cache.forget('b');
    expect(await cache.get('b', 2, async () => 'b3')).toBe('b3');
    await cache.get('c', 3, async () => 'c1'); // a third key: the cache starts over
    expect(await cache.get('a', 4, async () => 'a3')).toBe('a3');
  });

  it('does not keep a load that was in flight while something was forgotten (it may predate a write)', async () => {
    const cache = freshCache<string>(1000);
    let release!: () => void;
    const slow = cache.get('k', 0, () => new Promise<string>((ok) => (release = () => ok('before the write'))));
    cache.clear(); // a write finished meanwhile
    release();
    expect(await slow).toBe('before the write'); // answered ...
    expect(await cache.get('k', 1, async () => 'after the write')).toBe('after the write'); // ... not kept
  });
});
