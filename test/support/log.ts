// The log as tests read and seed it: an application's newest log shard (made if it has none yet), as a
// D1Database, through the same view the Worker uses.
import { env } from 'cloudflare:workers';
import { openShard, shardDb, shardsAfter } from '../../src/store/log-shards';

/** The name of the application's newest log shard for events without an ordering key (`<application>/<part>`). */
export async function shardOf(applicationId = 'default'): Promise<string> {
  return (await openShard(env, applicationId, null)).ref.name;
}

/** The application's newest log shard as a D1Database. */
export async function logDb(applicationId = 'default'): Promise<D1Database> {
  return shardDb(env, await shardOf(applicationId));
}

/** Every place of the log: each shard in the directory, and D1's log from before shards. */
export async function everyLog(): Promise<D1Database[]> {
  return [env.DB, ...(await shardsAfter(env, null, 1000)).map((r) => shardDb(env, r.name))];
}

/** The rows of the log's tables, counted over every place of it: what a refused request must leave as it was. */
export async function logCounts(): Promise<{ events: number; deliveries: number; keys: number }> {
  const counts = await Promise.all(
    (await everyLog()).map((db) =>
      db.prepare('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries, (SELECT count(*) FROM idempotency_keys) AS keys').first<{ events: number; deliveries: number; keys: number }>(),
    ),
  );
  const zero = { events: 0, deliveries: 0, keys: 0 };
  return counts.reduce<typeof zero>((a, c) => ({ events: a.events + c!.events, deliveries: a.deliveries + c!.deliveries, keys: a.keys + c!.keys }), zero);
}
