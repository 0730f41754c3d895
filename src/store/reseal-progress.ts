// How far the re-sealing after a SECRETS_KEY rotation got (table secrets_key_reseal), one row per key set.

export type ResealPhase = 'applications' | 'subscriptions' | 'done';

export interface ResealProgress {
  key_set: string;
  phase: ResealPhase;
  cursor: string | null;
  skip: number;
  resealed: number;
  unreadable: number;
  started_at: string;
  finished_at: string | null;
}

export async function readResealProgress(db: D1Database, keySet: string): Promise<ResealProgress | null> {
  return db.prepare('SELECT * FROM secrets_key_reseal WHERE key_set = ?1').bind(keySet).first<ResealProgress>();
}

/** The row of a pass that starts now (an existing one is kept as it is). */
export async function startResealProgress(db: D1Database, keySet: string, nowIso: string): Promise<ResealProgress> {
  await db.prepare("INSERT INTO secrets_key_reseal (key_set, phase, started_at) VALUES (?1, 'applications', ?2) ON CONFLICT (key_set) DO NOTHING").bind(keySet, nowIso).run();
  return (await readResealProgress(db, keySet))!;
}

/** Saves a step: where the pass stands now, with the counts it added. */
export async function saveResealProgress(db: D1Database, p: ResealProgress, added: { resealed: number; unreadable: number }, nowIso: string): Promise<void> {
  await db
    .prepare('UPDATE secrets_key_reseal SET phase = ?2, cursor = ?3, skip = ?4, resealed = resealed + ?5, unreadable = unreadable + ?6, finished_at = ?7 WHERE key_set = ?1')
    .bind(p.key_set, p.phase, p.cursor, p.skip, added.resealed, added.unreadable, p.phase === 'done' ? nowIso : null)
    .run();
}
