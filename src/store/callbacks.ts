// The event.completed callback in D1: claimed once, atomically, when every delivery of the event is final.

/** The pseudo-subscription that callback deliveries belong to in the log. */
export const CALLBACK_SUBSCRIPTION = 'callback';

/**
 * Claims the callback of `eventId` if every delivery is final and nobody claimed it yet, freezing the
 * deliveries summary and creating the callback delivery, in one transaction. D1 runs writes one at a
 * time, so of any number of concurrent callers exactly one gets `true`.
 */
export async function claimCallback(db: D1Database, eventId: string, deliveryId: string, nowIso: string): Promise<boolean> {
  const [claim] = await db.batch([
    db
      .prepare(
        `UPDATE events SET callback_state = 'claimed', callback_at = ?2,
           callback_payload = (
             SELECT json_group_array(json_object('subscription_id', subscription_id, 'status', status, 'attempts', attempt_count, 'last_status', last_status))
             FROM (SELECT d.subscription_id, d.status, d.attempt_count,
                          (SELECT a.status_code FROM all_attempts a WHERE a.delivery_id = d.id ORDER BY a.id DESC LIMIT 1) AS last_status
                   FROM deliveries d WHERE d.event_id = ?1 AND d.subscription_id != ?3 ORDER BY d.id))
         WHERE id = ?1 AND callback_url IS NOT NULL AND callback_state IS NULL AND fanout_done = 1
           AND NOT EXISTS (SELECT 1 FROM deliveries WHERE event_id = ?1 AND subscription_id != ?3 AND status = 'pending')
         RETURNING id`,
      )
      .bind(eventId, nowIso, CALLBACK_SUBSCRIPTION),
    db
      .prepare(
        `INSERT OR IGNORE INTO deliveries (id, event_id, subscription_id, next_attempt_at, created_at, updated_at, application_id)
         SELECT ?2, ?1, ?3, ?4, ?4, ?4, application_id FROM events WHERE id = ?1 AND callback_state = 'claimed'`,
      )
      .bind(eventId, deliveryId, CALLBACK_SUBSCRIPTION, nowIso),
  ]);
  return (claim?.results.length ?? 0) === 1;
}
