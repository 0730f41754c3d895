// The test-only bindings, beside the Worker's own Env.
import type { D1Migration } from 'cloudflare:test';
import type { Env as WorkerEnv } from '../../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** Only the migration test's: the previous schema, with its data, migrated in the test. */
      LEGACY_DB: D1Database;
    }
    interface GlobalProps {
      mainModule: typeof import('../../src/index');
    }
  }
}
