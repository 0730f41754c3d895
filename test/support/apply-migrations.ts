// Runs before each test file inside workerd: applies the D1 migrations to that file's isolated storage.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
