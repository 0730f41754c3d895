// Subscription health in D1: which receivers recently hung, how long a subscription has only failed, and its failing episodes.

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
  return slowOf(await slowSubscriptionsStatement(db, subscriptionIds, nowIso).all<{ subscription_id: string }>());
}

/** The statement behind `slowSubscriptions`, to run in a batch; `slowOf` reads its result. */
export const slowSubscriptionsStatement = (db: D1Database, subscriptionIds: string[], nowIso: string): D1PreparedStatement =>
  db.prepare('SELECT subscription_id FROM subscription_health WHERE slow_until > ?1 AND subscription_id IN (SELECT value FROM json_each(?2))').bind(nowIso, JSON.stringify(subscriptionIds));

export const slowOf = (result: D1Result): Set<string> => new Set((result.results as { subscription_id: string }[]).map((r) => r.subscription_id));

/**
 * Whether every delivery to the subscription has failed since `beforeIso` or earlier: some failed delivery
 * created then or before has no success completed after its creation. Returns the creation time of the
 * newest such delivery (the subscription has failed at least since then), or null. Two seeks of
 * deliveries_subscription_status, not a read of the subscription's history: the newest failed delivery
 * created by `beforeIso`, then the most recently created success, whether it (or, going back, another)
 * completed after that; a subscription that works finds its recent success at once.
 */
export async function failingSinceBefore(db: D1Database, subscriptionId: string, beforeIso: string): Promise<string | null> {
  const row = await db
    .prepare(
      `WITH newest_failed AS (SELECT max(created_at) AS at FROM deliveries WHERE subscription_id = ?1 AND status = 'failed' AND created_at <= ?2)
       SELECT at FROM newest_failed
       WHERE at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM deliveries WHERE subscription_id = ?1 AND status = 'succeeded' AND updated_at >= newest_failed.at ORDER BY created_at DESC LIMIT 1)`,
    )
    .bind(subscriptionId, beforeIso)
    .first<{ at: string }>();
  return row?.at ?? null;
}

/** A subscription's failed attempts in a batch: `run` failed in a row at its end, after a success when `reset`. */
export interface FailureRun {
  subscription_id: string;
  run: number;
  reset: boolean;
}

export interface HealthRow {
  subscription_id: string;
  consecutive_failures: number;
  failing_since: string | null;
}

/**
 * Statements that record a batch's runs (to go in the batch's transaction); each returns the health rows
 * it touched. A subscription whose attempts all succeeded and that was healthy writes nothing.
 */
export function failureRunStatements(db: D1Database, runs: FailureRun[]): D1PreparedStatement[] {
  const failed = runs.filter((r) => r.run > 0);
  const recovered = runs.filter((r) => r.run === 0 && r.reset).map((r) => r.subscription_id);
  return [
    ...failed.map((r) =>
      db
        .prepare(
          `INSERT INTO subscription_health (subscription_id, slow_until, consecutive_failures) VALUES (?1, '', ?2)
           ON CONFLICT (subscription_id) DO UPDATE SET consecutive_failures = CASE WHEN ?3 THEN ?2 ELSE consecutive_failures + ?2 END
           RETURNING subscription_id, consecutive_failures, failing_since`,
        )
        .bind(r.subscription_id, r.run, r.reset ? 1 : 0),
    ),
    ...(recovered.length
      ? [
          db
            .prepare(
              `UPDATE subscription_health SET consecutive_failures = 0
               WHERE subscription_id IN (SELECT value FROM json_each(?1)) AND (consecutive_failures > 0 OR failing_since IS NOT NULL)
               RETURNING subscription_id, consecutive_failures, failing_since`,
            )
            .bind(JSON.stringify(recovered)),
        ]
      : []),
  ];
}

/** Starts a failing episode; false when one had started already (its webhook was sent then). */
export async function startFailing(db: D1Database, subscriptionId: string, sinceIso: string): Promise<boolean> {
  const r = await db.prepare('UPDATE subscription_health SET failing_since = ?2 WHERE subscription_id = ?1 AND failing_since IS NULL').bind(subscriptionId, sinceIso).run();
  return r.meta.changes > 0;
}

/** Ends the failing episode that began at `sinceIso`; false when it had ended already. */
export async function endFailing(db: D1Database, subscriptionId: string, sinceIso: string): Promise<boolean> {
  const r = await db.prepare('UPDATE subscription_health SET failing_since = NULL WHERE subscription_id = ?1 AND failing_since = ?2').bind(subscriptionId, sinceIso).run();
  return r.meta.changes > 0;
}
