import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Two projects on the same Worker: "workers" with the test schedule, and "faults", the no-loss test
// under random receiver faults, with a 1 s attempt timeout and batches of 100 so that its thousands
// of attempts fit in a couple of minutes (the local queue runs one batch at a time).
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  const bindings = {
    TEST_MIGRATIONS: migrations,
    API_TOKEN: 'test-token',
    CALLBACK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    // Seals subscription secrets at rest (AES-256-GCM): key id `test`, 32 bytes.
    SECRETS_KEY: 'test:q8J9bq6Zf0yXwq3m1m5Qe8c0p7s4lHjK2vT9nR6wUoA=',
    // Test schedules run in seconds; production's is in wrangler.toml.
    RETRY_SCHEDULE: '1,1,1',
    ALLOW_INSECURE_URLS: 'true',
    ATTEMPT_TIMEOUT_MS: '3000',
  };
  const shared = {
    setupFiles: ['./test/support/apply-migrations.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    hookTimeout: 30_000,
  };
  const consumer = (queue: string, maxBatchSize: number) => ({
    [queue]: { maxBatchSize, maxBatchTimeout: 0.2, maxRetries: 20, retryDelay: 1, deadLetterQueue: 'edgehook-dead-letters' },
  });
  return {
    test: {
      projects: [
        {
          // LEGACY_DB: a second database for the migration test, which loads the previous schema's data into it.
          plugins: [cloudflareTest({ main: './src/index.ts', wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings, d1Databases: ['LEGACY_DB'] } })],
          test: { name: 'workers', include: ['test/**/*.test.ts'], exclude: ['test/faults/**', 'test/node/**'], testTimeout: 40_000, ...shared },
        },
        {
          plugins: [
            cloudflareTest({
              main: './src/index.ts',
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                // A batch of 100 stands in for production's ten invocations of 10 running side by side,
                // each with six attempts on the wire: 60 at once.
                // Six attempts for at most three faults a delivery: on a loaded machine (CI runs both projects
                // at once on two cores) an attempt's 1 s timeout can run out before its request reaches the
                // receiver, and such attempts must not fail a delivery (CI saw one do so).
                bindings: { ...bindings, ATTEMPT_TIMEOUT_MS: '1000', MAX_CONCURRENT_ATTEMPTS: '60', RETRY_SCHEDULE: '1,1,1,1,1' },
                queueConsumers: {
                  ...consumer('edgehook-deliveries', 100),
                  ...consumer('edgehook-deliveries-slow', 100),
                  'edgehook-dead-letters': { maxBatchSize: 100, maxBatchTimeout: 0.2, maxRetries: 10 },
                },
              },
            }),
          ],
          test: { name: 'faults', include: ['test/faults/**/*.test.ts'], testTimeout: 300_000, ...shared },
        },
      ],
    },
  };
});
