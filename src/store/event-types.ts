// Event types in D1: the only code that knows their SQL.

export interface EventTypeRow {
  name: string;
  description: string | null;
  /** JSON text of the schema, or null. */
  schema: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'name, description, schema, created_at, updated_at';

/** Creates the event type; false when the name is taken. */
export async function insertEventType(db: D1Database, row: EventTypeRow): Promise<boolean> {
  const r = await db
    .prepare(`INSERT INTO event_types (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING`)
    .bind(row.name, row.description, row.schema, row.created_at, row.updated_at)
    .run();
  return r.meta.changes === 1;
}

export function getEventType(db: D1Database, name: string): Promise<EventTypeRow | null> {
  return db.prepare(`SELECT ${COLUMNS} FROM event_types WHERE name = ?1`).bind(name).first<EventTypeRow>();
}

/** By name; the cursor is the last name of the previous page. */
export async function listEventTypes(db: D1Database, limit: number, cursor?: string): Promise<{ data: EventTypeRow[]; next_cursor: string | null }> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM event_types WHERE name > ?1 ORDER BY name LIMIT ?2`)
    .bind(cursor ?? '', limit + 1)
    .all<EventTypeRow>();
  const data = results.slice(0, limit);
  return { data, next_cursor: results.length > limit ? data[data.length - 1]!.name : null };
}

/** Every event type, for the OpenAPI `webhooks` object. */
export async function allEventTypes(db: D1Database): Promise<EventTypeRow[]> {
  const { results } = await db.prepare(`SELECT ${COLUMNS} FROM event_types ORDER BY name`).all<EventTypeRow>();
  return results;
}

export async function deleteEventType(db: D1Database, name: string): Promise<boolean> {
  const r = await db.prepare('DELETE FROM event_types WHERE name = ?1').bind(name).run();
  return r.meta.changes === 1;
}

/** Which of `names` are registered. */
export async function registeredNames(db: D1Database, names: string[]): Promise<Set<string>> {
  const { results } = await db
    .prepare('SELECT name FROM event_types WHERE name IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify(names))
    .all<{ name: string }>();
  return new Set(results.map((r) => r.name));
}
