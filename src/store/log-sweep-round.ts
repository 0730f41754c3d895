// Where the cron's round of log shards stopped: each run asks the next few shards to sweep themselves.
import type { SweepCursor } from './log-shards';

export async function nextSweepRound(db: D1Database): Promise<SweepCursor | null> {
  const row = await db
    .prepare('SELECT application_id, part, stripe FROM log_sweep_round WHERE id = 1')
    .first<{ application_id: string | null; part: number | null; stripe: number | null }>();
  return row?.application_id ? { application_id: row.application_id, part: row.part ?? 0, stripe: row.stripe ?? 0 } : null;
}

export async function saveSweepRound(db: D1Database, after: SweepCursor | null): Promise<void> {
  await db
    .prepare('INSERT INTO log_sweep_round (id, application_id, part, stripe) VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET application_id = ?1, part = ?2, stripe = ?3')
    .bind(after?.application_id ?? null, after?.part ?? null, after?.stripe ?? null)
    .run();
}
