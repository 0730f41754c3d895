// Attempts in D1, written together with the delivery state they change.
import type { DeliveryStatus } from './deliveries';

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
  attempt: AttemptRow;
  change: DeliveryChange;
}

/** Records attempts and their deliveries' new states, all in one transaction (one round trip a batch). */
export async function recordAttempts(db: D1Database, records: AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.batch(records.flatMap(({ deliveryId, attempt, change }) => [
    db
      .prepare(
        'INSERT INTO attempts (id, delivery_id, at, status_code, duration_ms, error, response_excerpt, request_headers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)',
      )
      .bind(attempt.id, deliveryId, attempt.at, attempt.status_code, attempt.duration_ms, attempt.error, attempt.response_excerpt, attempt.request_headers),
    db
      .prepare(
        // A concurrent duplicate that already succeeded keeps the delivery succeeded.
        `UPDATE deliveries SET attempt_count = attempt_count + 1,
           status = CASE WHEN status = 'succeeded' THEN status ELSE ?2 END,
           next_attempt_at = CASE WHEN status = 'succeeded' THEN NULL ELSE ?3 END,
           updated_at = ?4
         WHERE id = ?1`,
      )
      .bind(deliveryId, change.status, change.next_attempt_at, attempt.at),
  ]));
}

export async function attemptsOf(db: D1Database, deliveryId: string): Promise<AttemptRow[]> {
  const { results } = await db
    .prepare('SELECT id, at, status_code, duration_ms, error, response_excerpt, request_headers FROM attempts WHERE delivery_id = ?1 ORDER BY id')
    .bind(deliveryId)
    .all<AttemptRow>();
  return results;
}
