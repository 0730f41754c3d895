// Attempts in D1, written together with the delivery state they change.
import type { DeliveryStatus } from './deliveries';
import { countAttempts, type CountedAttempt } from './stats';

const CURRENT = "(status = 'pending' AND generation = ?2)";

export interface AttemptRow {
  id: string;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  /** JSON text of the request headers sent. */
  request_headers: string | null;
}

export interface DeliveryChange {
  status: DeliveryStatus;
  next_attempt_at: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  /** The generation the attempt was made under: its state change applies only if it is still current. */
  generation: number;
  attempt: AttemptRow;
  change: DeliveryChange;
  /** What the delivery stats count of it (none for callbacks). */
  counted?: CountedAttempt;
}

/** An attempt as a JSON object in its delivery's row (`last_attempt`), from the values ?3, ?4 and ?7…?11. */
const INLINE = "json_object('id', ?3, 'at', ?4, 'status_code', ?7, 'duration_ms', ?8, 'error', ?9, 'response_excerpt', ?10, 'request_headers', ?11)";
const COLUMNS = 'id, delivery_id, at, status_code, duration_ms, error, response_excerpt, request_headers';

/**
 * Records attempts and their deliveries' new states, all in one transaction (one round trip a batch).
 * Every attempt is logged and counted, for it happened; its state change (and the step on the retry
 * schedule) applies only while the delivery is pending at the attempt's generation, which then moves
 * on. An attempt that applies is kept in its delivery's row, which its state change writes anyway (the
 * one it replaces there moves to the attempts table); one that does not goes to the attempts table.
 * The delivery stats count every attempt, in the same transaction, and `alongside` runs in it too.
 * Returns the deliveries whose change applied, with their new generation, and the results of `alongside`.
 */
export async function recordAttempts(db: D1Database, records: AttemptRecord[], alongside: D1PreparedStatement[] = []): Promise<{ applied: Map<string, number>; alongside: D1Result[] }> {
  if (records.length === 0) return { applied: new Map(), alongside: [] };
  const results = await db.batch<{ applied: number; generation: number }>(
    records.flatMap(({ deliveryId, generation, attempt, change }) => {
      const values = [deliveryId, generation, attempt.id, attempt.at, change.status, change.next_attempt_at, attempt.status_code, attempt.duration_ms, attempt.error, attempt.response_excerpt, attempt.request_headers];
      return [
        // The attempt the delivery's row holds gives way to this one, if this one applies.
        db
          .prepare(
            // (all_attempts reads it out of the row: the attempts table does not hold it yet.)
            `INSERT INTO attempts (${COLUMNS})
             SELECT ${COLUMNS} FROM all_attempts
             WHERE delivery_id = ?1 AND id = (SELECT last_attempt ->> '$.id' FROM deliveries WHERE id = ?1 AND ${CURRENT})`,
          )
          .bind(...values.slice(0, 2)),
        // One that does not apply (its chain moved on, or the delivery is gone) is logged in the table.
        db
          .prepare(`INSERT INTO attempts (${COLUMNS}) SELECT ?3, ?1, ?4, ?7, ?8, ?9, ?10, ?11 WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE id = ?1 AND ${CURRENT})`)
          .bind(...values),
        db
          .prepare(
            // SET reads the row as it was: `current` is the fence, evaluated once per column.
            // A retry leaves `status` out of SET: SQLite rewrites the entry of every index whose column
            // SET names, changed or not, and D1 counts each entry written as a row.
            `UPDATE deliveries SET attempt_count = attempt_count + 1, updated_at = ?4,${change.status === 'pending' ? '' : `
               status = CASE WHEN ${CURRENT} THEN ?5 ELSE status END,`}
               next_attempt_at = CASE WHEN ${CURRENT} THEN ?6 ELSE next_attempt_at END,
               chain_attempts = CASE WHEN ${CURRENT} THEN chain_attempts + 1 ELSE chain_attempts END,
               last_attempt_id = CASE WHEN ${CURRENT} THEN ?3 ELSE last_attempt_id END,
               last_attempt = CASE WHEN ${CURRENT} THEN ${INLINE} ELSE last_attempt END,
               generation = CASE WHEN ${CURRENT} THEN generation + 1 ELSE generation END
             WHERE id = ?1
             RETURNING last_attempt_id = ?3 AS applied, generation`,
          )
          .bind(...values),
      ];
    }).concat(countAttempts(db, records.flatMap((r) => (r.counted ? [r.counted] : []))), alongside),
  );
  const applied = new Map<string, number>();
  records.forEach((r, i) => {
    const row = results[3 * i + 2]?.results[0];
    if (row?.applied) applied.set(r.deliveryId, row.generation);
  });
  return { applied, alongside: results.slice(results.length - alongside.length) };
}

export async function attemptsOf(db: D1Database, deliveryId: string): Promise<AttemptRow[]> {
  const { results } = await db
    .prepare('SELECT id, at, status_code, duration_ms, error, response_excerpt, request_headers FROM all_attempts WHERE delivery_id = ?1 ORDER BY id')
    .bind(deliveryId)
    .all<AttemptRow>();
  return results;
}
