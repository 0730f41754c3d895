// The log shard's schema versions: a shard made at an older version is brought up to date in place,
// its rows kept. V2 remakes the deliveries table so that it takes `cancelled`.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyLogSchema, LOG_SCHEMA } from '../src/store/log-schema';
import { env } from './support/helpers';

describe('log shard schema', () => {
  it('upgrades a V1 shard to V2: rows, indexes and the attempts view kept, `cancelled` taken', async () => {
    // An object that stores nothing of its own stands in for a shard made before V2.
    const stub = env.SUBSCRIPTION_OBJECTS.getByName(`schema-upgrade-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec(LOG_SCHEMA[0]!);
      sql.exec('CREATE TABLE log_schema (version INTEGER NOT NULL)');
      sql.exec('INSERT INTO log_schema (version) VALUES (1)');
      sql.exec(
        "INSERT INTO deliveries (id, event_id, subscription_id, status, created_at, updated_at, last_attempt) VALUES ('dlv_1', 'evt_1', 'sub_1', 'failed', 't', 't', json_object('id', 'atm_1', 'at', 't', 'duration_ms', 5, 'error', 'boom'))",
      );
      expect(() => sql.exec("UPDATE deliveries SET status = 'cancelled'")).toThrow(/CHECK/);

      applyLogSchema(sql);
      expect(sql.exec<{ version: number }>('SELECT version FROM log_schema').one().version).toBe(LOG_SCHEMA.length);
      expect(sql.exec('SELECT id, status FROM deliveries').toArray()).toEqual([{ id: 'dlv_1', status: 'failed' }]);
      expect(sql.exec('SELECT delivery_id, error FROM all_attempts').toArray()).toEqual([{ delivery_id: 'dlv_1', error: 'boom' }]);
      const indexes = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries' AND name NOT LIKE 'sqlite_%' ORDER BY name").toArray().map((r) => r.name);
      expect(indexes).toEqual(['deliveries_due', 'deliveries_subscription', 'deliveries_subscription_status']);
      sql.exec("UPDATE deliveries SET status = 'cancelled'");
      expect(() => sql.exec("UPDATE deliveries SET status = 'lost'")).toThrow(/CHECK/);
      expect(sql.exec<{ cancelled: number }>("INSERT INTO delivery_stats (application_id, bucket, subscription_id, event_type) VALUES ('a', 0, 's', 't') RETURNING cancelled").one().cancelled).toBe(0);
    });
  });
});
