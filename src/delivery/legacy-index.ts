// Subscriptions made before applications belong to the default application, but have no entry in its
// index until this gives them one, a KV list page (up to 1,000) per sweep, each through its own object
// (the one writer). Until it is done, the default application's fan-out reads the `sub:` keys instead.
import type { Env } from '../env';
import { reindexSubscription } from '../store/subscription-writes';
import { legacyIndexCursor, saveLegacyIndexCursor, unindexedSubscriptionIds } from '../store/subscriptions';

/** Objects asked at once. */
const CONCURRENCY = 25;

/** One page; returns how many subscriptions were indexed (0 once everything is). */
export async function indexLegacySubscriptions(env: Env): Promise<number> {
  const state = await legacyIndexCursor(env.SUBSCRIPTIONS);
  if (state.done) return 0;
  const page = await unindexedSubscriptionIds(env.SUBSCRIPTIONS, state.cursor);
  for (let i = 0; i < page.ids.length; i += CONCURRENCY) {
    await Promise.all(page.ids.slice(i, i + CONCURRENCY).map((id) => reindexSubscription(env, id)));
  }
  await saveLegacyIndexCursor(env.SUBSCRIPTIONS, page.cursor);
  return page.ids.length;
}
