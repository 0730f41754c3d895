import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            API_TOKEN: 'test-token',
            CALLBACK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
            // Test schedules run in seconds; production's is in wrangler.toml.
            RETRY_SCHEDULE: '1,1,1',
            ALLOW_INSECURE_URLS: 'true',
            ATTEMPT_TIMEOUT_MS: '3000',
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/support/apply-migrations.ts'],
      globalSetup: ['./test/support/global-setup.ts'],
      testTimeout: 40_000,
      hookTimeout: 30_000,
    },
  };
});
