// The test-only bindings, beside the Worker's own Env.
import type { D1Migration } from 'cloudflare:test';
import type { Env as WorkerEnv } from '../../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import('../../src/index');
    }
  }
}
