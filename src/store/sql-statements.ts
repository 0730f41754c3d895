// Statements as they travel between a caller and the SQLite of a log shard (a Durable Object): the SQL
// the store already speaks (D1's dialect is SQLite's), its values, and what a run of it answers.

/** One statement and its bound values (`?1`… or `?`), as plain data. */
export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

export type SqlValue = string | number | null | ArrayBuffer;

/** What a statement answered, shaped as D1's `D1Result` (the store reads `results` and `meta`). */
export interface SqlResult {
  results: Record<string, SqlValue>[];
  success: true;
  meta: { changes: number; rows_read: number; rows_written: number; duration: number; last_row_id: number; changed_db: boolean; size_after: number };
}

/** A value as SQLite takes it: booleans as 0 or 1 (as D1 binds them), undefined as NULL. */
export function sqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string' || value instanceof ArrayBuffer) return value;
  if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer;
  throw new TypeError(`A value SQLite cannot take: ${typeof value}`);
}

/** What a log shard answers a run: the results, or that it is full and takes no new event. */
export type ShardAnswer = { results: SqlResult[] } | { full: true };

/** The one call a log shard's stub offers the store. `boundBytes`: past it, a run that stores a new event is refused. */
export interface ShardRunner {
  run(statements: SqlStatement[], options?: { boundBytes?: number }): Promise<ShardAnswer>;
}

/** Runs statements as one transaction and answers each. */
export type SqlRunner = (statements: SqlStatement[]) => Promise<SqlResult[]>;

class ViewStatement {
  constructor(
    private readonly runner: SqlRunner,
    readonly stmt: SqlStatement,
  ) {}
  bind(...values: unknown[]): ViewStatement {
    return new ViewStatement(this.runner, { sql: this.stmt.sql, params: values.map(sqlValue) });
  }
  async all<T>(): Promise<D1Result<T>> {
    return (await this.runner([this.stmt]))[0] as unknown as D1Result<T>;
  }
  run<T>(): Promise<D1Result<T>> {
    return this.all<T>();
  }
  async first<T>(column?: string): Promise<T | null> {
    const row = (await this.all<Record<string, unknown>>()).results[0];
    if (row === undefined) return null;
    return (column === undefined ? row : (row[column] ?? null)) as T;
  }
  async raw<T>(): Promise<T[]> {
    return (await this.all<Record<string, unknown>>()).results.map((r) => Object.values(r)) as T[];
  }
}

/** D1's interface (the part the store uses: prepare, bind, first/all/run/raw, batch) over any runner of statements. */
export function d1View(runner: SqlRunner): D1Database {
  const db = {
    prepare: (sql: string) => new ViewStatement(runner, { sql, params: [] }),
    batch: async (statements: ViewStatement[]) => runner(statements.map((s) => s.stmt)),
  };
  return db as unknown as D1Database;
}
