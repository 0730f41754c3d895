// Subscription health in D1: which receivers recently hung, and how long a subscription has only failed.

/** Marks a subscription slow until `untilIso`: its deliveries move to the slow lane meanwhile. */
export async function markSlow(db: D1Database, subscriptionId: string, untilIso: string): Promise<void> {
  await db
    .prepare(
      `INSERT INTO subscription_health (subscription_id, slow_until) VALUES (?1, ?2)
       ON CONFLICT (subscription_id) DO UPDATE SET slow_until = max(slow_until, excluded.slow_until)`,
    )
    .bind(subscriptionId, untilIso)
    .run();
}

/** Which of `subscriptionIds` are slow at `nowIso`. */
export async function slowSubscriptions(db: D1Database, subscriptionIds: string[], nowIso: string): Promise<Set<string>> {
  if (subscriptionIds.length === 0) return new Set();
  const { results } = await db
    .prepare('SELECT subscription_id FROM subscription_health WHERE slow_until > ?1 AND subscription_id IN (SELECT value FROM json_each(?2))')
    .bind(nowIso, JSON.stringify(subscriptionIds))
    .all<{ subscription_id: string }>();
  return new Set(results.map((r) => r.subscription_id));
}

/**
 * Since when every delivery to the subscription has failed: the creation time of the oldest failed
 * delivery after its last success, or null when nothing has failed since then.
 */
export async function failingSince(db: D1Database, subscriptionId: string): Promise<string | null> {
  const row = await db
    .prepare(
      `SELECT min(created_at) AS since FROM deliveries
       WHERE subscription_id = ?1 AND status = 'failed'
         AND created_at > coalesce((SELECT max(updated_at) FROM deliveries WHERE subscription_id = ?1 AND status = 'succeeded'), '')`,
    )
    .bind(subscriptionId)
    .first<{ since: string | null }>();
  return row?.since ?? null;
}
