// D1's interface over a Durable Object's own SQLite, inside the object: the store's functions (written
// against D1Database) run unchanged on a log shard. Every call is synchronous underneath; a batch is
// one transaction, as in D1 (all of it, or none of it).
import { d1View, type SqlResult, type SqlStatement, type SqlValue } from './sql-statements';

/** Runs one statement now and answers it as D1 would (rows, changes, rows read and written). */
export function runNow(sql: SqlStorage, stmt: SqlStatement): SqlResult {
  const started = Date.now();
  const cursor = sql.exec(stmt.sql, ...stmt.params);
  const results = cursor.toArray() as Record<string, SqlValue>[];
  const changes = Number(sql.exec('SELECT changes() AS c').one().c);
  return {
    results,
    success: true,
    meta: { changes, rows_read: cursor.rowsRead, rows_written: cursor.rowsWritten, duration: Date.now() - started, last_row_id: 0, changed_db: cursor.rowsWritten > 0, size_after: sql.databaseSize },
  };
}

/** Runs statements as one transaction: every one, or (when one throws) none. */
export function runAll(storage: DurableObjectStorage, statements: SqlStatement[]): SqlResult[] {
  if (statements.length === 1) return [runNow(storage.sql, statements[0]!)];
  return storage.transactionSync(() => statements.map((s) => runNow(storage.sql, s)));
}

/** A D1Database over this object's SQLite. */
export function localD1(storage: DurableObjectStorage): D1Database {
  return d1View(async (statements) => runAll(storage, statements));
}
